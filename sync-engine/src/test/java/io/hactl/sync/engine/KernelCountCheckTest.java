package io.hactl.sync.engine;

import io.hactl.sync.filter.Cidr;
import io.hactl.sync.filter.FlowFilter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The kernel's replicated flows counted against the caches, on the in-memory table: the loop's
 * reads are fabricated (an internal cache that still holds flows the table no longer has, as
 * after deletes that made no event), the count is real.
 */
class KernelCountCheckTest {
    final InMemoryConntrackKernel table = new InMemoryConntrackKernel();
    final AtomicLong events = new AtomicLong();
    volatile int internal = 19_910;

    final KernelCountCheck.Loop loop = new KernelCountCheck.Loop() {
        @Override
        public void readLater(long delayMillis, Runnable read) {
            read.run(); // in place: the delay only lets real events settle
        }

        @Override
        public int internal() {
            return internal;
        }

        @Override
        public int external() {
            return 0;
        }

        @Override
        public long eventsApplied() {
            return events.getAndAdd(3); // three events applied between any two reads
        }
    };

    static Flow flow(String src, int port) throws Exception {
        return Flow.builder(Tuple.tcp(InetAddress.getByName(src), InetAddress.getByName("203.0.113.80"), port, 443)).build();
    }

    @Test
    void cachedFlowsTheKernelNoLongerHoldsAreCountedCheckAfterCheck() throws Exception {
        for (int i = 0; i < 36; i++) {
            table.inject(flow("192.168.1.1", 30_000 + i));
        }
        for (int i = 0; i < 5; i++) {
            table.inject(flow("10.99.0.1", 40_000 + i)); // the sync link's own: not replicated
        }
        FlowFilter filter = new FlowFilter(Set.of(), List.of(Cidr.parse("10.99.0.0/24")), Set.of());
        long[] now = {0};
        try (KernelCountCheck c = new KernelCountCheck("gw1", new Conntrack(table.openSocket(), new DecodeStats()), filter,
                loop, () -> now[0], 50)) {
            assertThat(c.latest()).isNull();
            c.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.latest() != null && c.latest().checksOff() >= 2);
            KernelCount k = c.latest();
            assertThat(k.kernelFlows()).isEqualTo(36);
            assertThat(k.internal()).isEqualTo(19_910);
            assertThat(k.missing()).isEqualTo(19_874);
            assertThat(k.tolerance()).isEqualTo(3);
            assertThat(k.unknown()).isZero();

            // the cache agrees again (a resync): no longer off, within the events applied meanwhile
            internal = 38;
            await().atMost(Duration.ofSeconds(10)).until(() -> c.latest().checksOff() == 0);
            assertThat(c.latest().missing()).isEqualTo(2);
            c.close();
            // the clock moves only once no dump runs (one that straddled the move would seem to
            // have taken 2.5 s and put the next count off by its cost factor)
            now[0] = 2_500_000_000L;
            assertThat(c.latest().ageMillis()).isEqualTo(2_500);
        }
    }
}
