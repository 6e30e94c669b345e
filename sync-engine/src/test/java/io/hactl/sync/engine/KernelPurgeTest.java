package io.hactl.sync.engine;

import static io.hactl.sync.engine.EngineParts.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The purge on the in-memory kernel, which honours the mark filter of a dump as the kernel
 * does: of the marked flows, those the external cache lacks go; the node's own flows and the
 * marked flows the peer still has stay. More than a chunk and a delete batch of each.
 */
class KernelPurgeTest {
    private static final long OWNER = 0x4000_0000L;

    @Test
    void thePurgeDeletesTheMarkedFlowsTheExternalCacheLacksInBatches() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        int gone = KernelPurge.DELETE_BATCH + KernelResync.CHUNK_FLOWS + 7;
        int held = KernelResync.CHUNK_FLOWS + 3;
        for (int i = 0; i < gone; i++) {
            p.kernel.inject(flow(10 + i / 60_000, i % 60_000, OWNER));
        }
        for (int i = 0; i < held; i++) {
            Flow f = flow(20, i, OWNER);
            p.kernel.inject(f);
            p.external.put(flow(20, i, 0), p.now); // the peer's cache holds it without the owner bits
        }
        for (int i = 0; i < 100; i++) {
            p.kernel.inject(flow(30, i, 0x5)); // the node's own, with a mark of the ruleset's
        }
        p.loop.execute(() -> {
            p.purge.plan().bulkReceived(true);
            p.purge.schedule("BACKUP");
        });
        p.drain();
        p.advance(p.cfg.purgeTimeout().plus(Duration.ofMillis(1)));
        p.loop.execute(() -> p.purge.tick(p.now));
        p.drain();

        assertThat(p.kernel.size()).isEqualTo(held + 100);
        assertThat(p.kernel.get(flow(10, 1, 0).orig(), 0)).isEmpty();
        assertThat(p.kernel.get(flow(20, 1, 0).orig(), 0)).isPresent();
        assertThat(p.kernel.get(flow(30, 1, 0).orig(), 0)).isPresent();
        p.loop.execute(() -> p.purge.takeStatus(p.now));
        p.drain();
        assertThat(p.purge.status().lastRemoved()).isEqualTo(gone);
        assertThat(p.purge.status().lastOutcome()).startsWith("removed " + gone + " flows").contains("kept " + held);
        assertThat(p.counter("purged")).isEqualTo(gone);
    }
}
