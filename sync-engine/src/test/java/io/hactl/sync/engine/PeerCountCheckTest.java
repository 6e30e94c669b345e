package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.Message;
import org.junit.jupiter.api.Test;

/** The external cache against the peer's advertised count, on injected arrival times. */
class PeerCountCheckTest {
    static final long MS = 1_000_000L;
    final PeerCountCheck c = new PeerCountCheck(1000 * MS);

    @Test
    void aDifferenceTheFlowsInFlightExplainIsNoMismatch() {
        c.onSummary(15_300, 100, 0, 15_200, false, 0);
        c.onSummary(15_300, 60, 40, 15_200, false, 2000 * MS);
        assertThat(c.mismatch()).isFalse();
        assertThat(c.mismatchMillis()).isEqualTo(-1);
        assertThat(c.tolerance()).isEqualTo(100);
    }

    @Test
    void aDifferenceBeyondTheToleranceCountsOnceSummariesShowItForASecond() {
        c.onSummary(15_300, 0, 0, 0, false, 0);
        assertThat(c.mismatch()).as("one summary is not enough").isFalse();
        c.onSummary(15_300, 0, 0, 0, false, 800 * MS);
        assertThat(c.mismatch()).isFalse();
        c.onSummary(15_300, 2, 0, 0, false, 1000 * MS);
        assertThat(c.mismatch()).isTrue();
        assertThat(c.mismatchMillis()).isEqualTo(1000);
        assertThat(c.peerFlows()).isEqualTo(15_300);
        assertThat(c.externalAtSummary()).isZero();
        assertThat(c.summaryAgeMillis(1500 * MS)).isEqualTo(500);
        // one summary within the tolerance ends the run
        c.onSummary(15_300, 0, 0, 15_300, false, 1200 * MS);
        assertThat(c.mismatch()).isFalse();
    }

    @Test
    void duringABulkNothingIsCompared() {
        c.onSummary(15_300, 0, 0, 0, false, 0);
        c.onSummary(15_300, 0, 0, 10, true, 600 * MS);
        c.onSummary(15_300, Message.CacheSummary.PENDING_UNKNOWN, 0, 10, false, 1200 * MS);
        assertThat(c.mismatch()).isFalse();
        assertThat(c.tolerance()).isEqualTo(-1);
        assertThat(c.peerPending()).isEqualTo(-1);
    }

    @Test
    void aRestartedPeerForgetsWhatItAdvertised() {
        c.onSummary(15_300, 0, 0, 0, false, 0);
        c.onSummary(15_300, 0, 0, 0, false, 2000 * MS);
        c.reset();
        assertThat(c.mismatch()).isFalse();
        assertThat(c.peerFlows()).isEqualTo(-1);
        assertThat(c.summaryAgeMillis(3000 * MS)).isEqualTo(-1);
    }
}
