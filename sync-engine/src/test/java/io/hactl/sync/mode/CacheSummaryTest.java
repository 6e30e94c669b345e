package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.Message;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The evidence a verdict is computed from, between two simulated nodes: the peer's advertised
 * cache count with its in-flight tolerance, and the age of the oldest unacknowledged message.
 */
class CacheSummaryTest {
    static final long MS = 1_000_000L;

    SimNetwork net = new SimNetwork(7);
    SimNode a;
    SimNode b;

    void pair(boolean ftfw) {
        a = new SimNode("a", ftfw, ModeConfig.DEFAULTS, FtfwModeTest.KEY, 1000, net.towards(() -> b));
        b = new SimNode("b", ftfw, ModeConfig.DEFAULTS, FtfwModeTest.KEY, 2000, net.towards(() -> a));
        a.mode.start(net.now);
        b.mode.start(net.now);
    }

    void steps(int n) {
        for (int i = 0; i < n; i++) {
            net.step(10 * MS, a, b);
        }
    }

    static boolean within(SimNode.Summary s) {
        return Math.abs(s.external() - s.flows()) <= s.pending() + s.ahead();
    }

    @Test
    void theToleranceBoundsTheDifferenceAtEverySummaryUnderLossReorderingAndDuplication() {
        net.loss = 0.15;
        net.duplicate = 0.05;
        net.jitterNanos = 30 * MS; // reorders across heartbeats
        pair(true);
        Random r = new Random(3);
        for (int round = 0; round < 300; round++) {
            for (int j = 0; j < 40; j++) {
                int k = r.nextInt(3000);
                if (r.nextInt(5) == 0) {
                    a.delete(k);
                } else {
                    a.put(k, round);
                }
            }
            net.step(10 * MS, a, b);
        }
        net.loss = 0;
        steps(300);
        assertThat(b.summaries).hasSizeGreaterThan(20);
        assertThat(b.summaries).allSatisfy(s -> assertThat(within(s)).as("%s", s).isTrue());
        // the run's differences were real: the tolerance was needed, not vacuous
        assertThat(b.summaries).anySatisfy(s -> assertThat(s.external()).isNotEqualTo(s.flows()));
        SimNode.Summary last = b.summaries.get(b.summaries.size() - 1);
        assertThat(last.flows()).isEqualTo(a.internal.size());
        assertThat(last.pending()).isZero();
        assertThat(last.external()).isEqualTo(a.internal.size());
    }

    @Test
    void aFlushedExternalCacheIsOffBeyondTheTolerance() {
        pair(true);
        for (int i = 0; i < 500; i++) {
            a.put(i, 0);
        }
        steps(50);
        b.external.clear();
        int before = b.summaries.size();
        steps(50);
        assertThat(b.summaries.subList(before, b.summaries.size())).isNotEmpty().allSatisfy(s -> {
            assertThat(s.flows()).isEqualTo(500);
            assertThat(s.external()).isZero();
            assertThat(within(s)).isFalse();
        });
    }

    @Test
    void aBulkOnItsWayLeavesThePendingCountUnknown() {
        pair(true);
        steps(20); // the handshake: no summary counts before the session
        for (int i = 0; i < 200; i++) {
            a.internal.put(SimNode.key(i), java.nio.ByteBuffer.allocate(8).putInt(i).putInt(0).array());
        }
        a.bulkSend();
        a.mode.tick(net.now + 200 * MS); // the heartbeat leaves before the pass sends the bulk
        steps(1);
        assertThat(b.summaries).anySatisfy(s -> assertThat(s.pending()).isEqualTo(Message.CacheSummary.PENDING_UNKNOWN));
        steps(50);
        SimNode.Summary last = b.summaries.get(b.summaries.size() - 1);
        assertThat(last.pending()).isZero();
        assertThat(last.external()).isEqualTo(200);
    }

    @Test
    void unacknowledgedMessagesAgeWhileTheyDoNotArriveAndClearWhenTheyDo() {
        pair(true);
        steps(10);
        assertThat(a.stats.oldestUnackedNanos.get()).isEqualTo(-1);
        net.cutTowards = b; // one way: b hears nothing, a still hears b
        long sentAt = net.now;
        for (int i = 0; i < 100; i++) {
            a.put(i, 0);
        }
        steps(300); // 3 s
        assertThat(a.stats.resendQueueDepth.get()).isEqualTo(100);
        assertThat(net.now - a.stats.oldestUnackedNanos.get()).isGreaterThanOrEqualTo(net.now - sentAt - 10 * MS);
        assertThat(b.stats.peerAlive).isFalse();
        assertThat(a.stats.peerAlive).isTrue();
        net.cutTowards = null;
        steps(100);
        assertThat(a.stats.resendQueueDepth.get()).isZero();
        assertThat(a.stats.oldestUnackedNanos.get()).isEqualTo(-1);
        assertThat(b.external).hasSize(100);
    }

    @Test
    void notrackAdvertisesOnlyWhatIsQueued() {
        pair(false);
        for (int i = 0; i < 50; i++) {
            a.put(i, 0);
        }
        steps(50);
        SimNode.Summary last = b.summaries.get(b.summaries.size() - 1);
        assertThat(last.flows()).isEqualTo(50);
        assertThat(last.pending()).isZero();
        assertThat(last.external()).isEqualTo(50);
    }
}
