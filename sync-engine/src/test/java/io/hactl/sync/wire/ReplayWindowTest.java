package io.hactl.sync.wire;

import static io.hactl.sync.wire.ReplayWindow.Verdict.ACCEPT;
import static io.hactl.sync.wire.ReplayWindow.Verdict.REPLAY;
import static io.hactl.sync.wire.ReplayWindow.Verdict.TOO_FAR_AHEAD;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    static ReplayWindow.Verdict take(ReplayWindow w, long n) {
        ReplayWindow.Verdict v = w.check(n);
        if (v == ACCEPT) {
            w.record(n);
        }
        return v;
    }

    @Test
    void acceptsEachNumberOnceInOrder() {
        ReplayWindow w = new ReplayWindow();
        w.restart(0);
        for (long n = 0; n < 200; n++) {
            assertThat(take(w, n)).isEqualTo(ACCEPT);
            assertThat(take(w, n)).isEqualTo(REPLAY);
        }
    }

    @Test
    void acceptsReorderedWithinTheWindowAndRejectsOlder() {
        ReplayWindow w = new ReplayWindow();
        w.restart(0);
        assertThat(take(w, 100)).isEqualTo(ACCEPT);
        assertThat(take(w, 99)).isEqualTo(ACCEPT);
        assertThat(take(w, 37)).isEqualTo(ACCEPT);  // 100 - 63: last slot of the window
        assertThat(take(w, 36)).isEqualTo(REPLAY);  // older than the window
        assertThat(take(w, 99)).isEqualTo(REPLAY);
        assertThat(take(w, 101)).isEqualTo(ACCEPT);
        assertThat(take(w, 37)).isEqualTo(REPLAY);  // slid out
    }

    @Test
    void nothingIsAcceptedBeforeASessionAndNegativeNumbersNever() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.check(0)).isEqualTo(REPLAY);
        w.restart(5);
        assertThat(w.check(-1)).isEqualTo(REPLAY);
        assertThat(take(w, 5)).as("the anchor itself is new").isEqualTo(ACCEPT);
        assertThat(take(w, 4)).as("before the anchor, within the window").isEqualTo(ACCEPT);
    }

    @Test
    void aNumberTooFarAheadIsRefusedAndMovesNothing() {
        ReplayWindow w = new ReplayWindow();
        w.restart(10);
        take(w, 10);
        assertThat(take(w, 10 + Wire.MAX_DATAGRAM_JUMP + 1)).isEqualTo(TOO_FAR_AHEAD);
        assertThat(take(w, Long.MAX_VALUE)).isEqualTo(TOO_FAR_AHEAD);
        assertThat(w.highest()).isEqualTo(10);
        assertThat(take(w, 11)).as("the real sequence goes on").isEqualTo(ACCEPT);
        assertThat(take(w, 11 + Wire.MAX_DATAGRAM_JUMP)).as("exactly the bound").isEqualTo(ACCEPT);
    }

    @Test
    void checkingRecordsNothing() {
        ReplayWindow w = new ReplayWindow();
        w.restart(0);
        assertThat(w.check(3)).isEqualTo(ACCEPT);
        assertThat(w.check(3)).isEqualTo(ACCEPT);
        w.record(3);
        assertThat(w.check(3)).isEqualTo(REPLAY);
    }

    @Test
    void advancingToAProvenNumberKeepsWhatWasSeenWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        w.restart(0);
        take(w, 0);
        take(w, 1);
        w.advanceTo(1 + 10);
        assertThat(take(w, 1)).isEqualTo(REPLAY);
        assertThat(take(w, 11)).isEqualTo(ACCEPT);
        w.advanceTo(5); // behind: nothing changes
        assertThat(w.highest()).isEqualTo(11);
        w.advanceTo(1_000_000);
        assertThat(take(w, 1_000_000)).isEqualTo(ACCEPT);
        assertThat(take(w, 11)).isEqualTo(REPLAY);
    }
}
