package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.cache.TestFlows;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.wire.CompactFlow;
import org.junit.jupiter.api.Test;

class ReplicationLagTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private final FlowStore internal = new FlowStore("internal", 1024);
    private final SyncStats stats = new SyncStats();
    private final ReplicationLag lag = new ReplicationLag(internal, stats);

    /** Puts flow n changed at {@code changedAt} and acknowledges it at {@code ackedAt}. */
    private void ack(int n, long changedAt, long ackedAt) {
        Flow f = TestFlows.tcp4(n);
        internal.put(f, changedAt);
        lag.acked(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())), ackedAt);
    }

    @Test
    void nothingAcknowledgedReportsNone() {
        assertThat(lag.millis()).isEqualTo(-1);
        assertThat(lag.maxMillis(100 * S)).isEqualTo(-1);
    }

    @Test
    void aFlowNoLongerCachedOrAControlMessageIsNoSample() {
        Flow gone = TestFlows.tcp4(9);
        assertThat(lag.acked(new FlowKey(CompactFlow.encodeKey(gone.orig(), gone.zone())), 5 * S)).isFalse();
        assertThat(lag.acked("a control message", 5 * S)).isFalse();
        assertThat(lag.maxMillis(5 * S)).isEqualTo(-1);
        Flow held = TestFlows.tcp4(10);
        internal.put(held, 5 * S - 7 * MS);
        assertThat(lag.acked(new FlowKey(CompactFlow.encodeKey(held.orig(), held.zone())), 5 * S)).isTrue();
        assertThat(lag.maxMillis(5 * S)).isEqualTo(7);
    }

    @Test
    void theWorstLagStaysVisibleWhileSmallerOnesFollowUntilItLeavesTheWindow() {
        long t0 = 1_000 * S;
        ack(1, t0, t0 + 300 * MS);                  // the worst: 300 ms
        for (int i = 0; i < 110; i++) {             // 11 s of 2 ms lags, one every 100 ms
            long at = t0 + 400 * MS + i * 100 * MS;
            ack(2 + i, at - 2 * MS, at);
            if (at < t0 + 300 * MS + ReplicationLag.WINDOW_NANOS - S) {
                assertThat(lag.maxMillis(at)).as("at +%d ms", (at - t0) / MS).isEqualTo(300);
            }
        }
        long end = t0 + 400 * MS + 109 * 100 * MS;
        assertThat(lag.maxMillis(end)).isEqualTo(2);
        assertThat(lag.maxMillis(end + ReplicationLag.WINDOW_NANOS + S)).isEqualTo(-1);
    }

    @Test
    void aWorstLagLateInAWindowIsStillReportedAfterThatWindowEnds() {
        long t0 = 2_000 * S;
        ack(1, t0 - 1 * MS, t0);                                // 1 ms
        ack(2, t0 + 9_900 * MS - 250 * MS, t0 + 9_900 * MS);    // the worst: 250 ms, late in the window
        ack(3, t0 + 10_500 * MS - 1 * MS, t0 + 10_500 * MS);    // 1 ms, after the first 10 s
        assertThat(lag.maxMillis(t0 + 10_500 * MS)).isEqualTo(250);
        assertThat(lag.maxMillis(t0 + 18_000 * MS)).isEqualTo(250);
        assertThat(lag.maxMillis(t0 + 19_800 * MS)).isEqualTo(1);
    }

    @Test
    void halfTheRoundTripIsNotLag() {
        stats.rttNanos.set(40 * MS);
        long t0 = 50 * S;
        ack(1, t0, t0 + 50 * MS);
        assertThat(lag.maxMillis(t0 + 50 * MS)).isEqualTo(30);
        assertThat(lag.millis()).isEqualTo(30);
    }
}
