package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.transport.TransportStats;
import io.hactl.sync.wire.CompactFlow;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When the loop takes a status snapshot: at the tick after a reader asked, else every 100 ms. */
class StatusSnapshotTest {
    @Test
    void aTickTakesOneOnlyWhenAReaderAskedOrTheLastIsATenthOfASecondOld() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        StatusSnapshot snapshots = new StatusSnapshot(p.ctx, p.stats, new TransportStats(), new DecodeStats(),
                new ReplicationLag(p.internal, p.stats), p.peer, p.purge, p.writer, new PeerCountCheck(1_000_000_000L),
                () -> null, () -> new KernelWork(0, null, false));
        snapshots.take(p.now);
        assertThat(snapshots.latest(p.now).externalFlows()).isZero(); // a reader: asks for the next

        p.peer.onFlowUpdate(CompactFlow.encode(EngineParts.flow(10, 1, 0)), p.now);
        p.advance(Duration.ofMillis(10));
        snapshots.tick(p.now);
        assertThat(snapshots.ageMillis(p.now)).as("asked for: taken").isZero();

        p.advance(Duration.ofMillis(10));
        snapshots.tick(p.now);
        assertThat(snapshots.ageMillis(p.now)).as("nobody asked since: kept").isEqualTo(10);

        p.advance(Duration.ofMillis(80));
        snapshots.tick(p.now);
        assertThat(snapshots.ageMillis(p.now)).isEqualTo(90);
        p.advance(Duration.ofMillis(10));
        snapshots.tick(p.now);
        assertThat(snapshots.ageMillis(p.now)).as("100 ms old: taken though nobody asked").isZero();
        assertThat(snapshots.latest(p.now).externalFlows()).isEqualTo(1);
    }
}
