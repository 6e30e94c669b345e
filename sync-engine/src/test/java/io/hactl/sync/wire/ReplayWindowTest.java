package io.hactl.sync.wire;

import static io.hactl.sync.wire.ReplayWindow.Verdict.ACCEPT;
import static io.hactl.sync.wire.ReplayWindow.Verdict.NEW_EPOCH;
import static io.hactl.sync.wire.ReplayWindow.Verdict.REPLAY;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void acceptsEachNumberOnceInOrder() {
        ReplayWindow w = new ReplayWindow();
        for (long n = 0; n < 200; n++) {
            assertThat(w.check(10, n)).isEqualTo(ACCEPT);
            assertThat(w.check(10, n)).isEqualTo(REPLAY);
        }
    }

    @Test
    void acceptsReorderedDatagramsWithinTheWindowOnce() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.check(1, 100)).isEqualTo(ACCEPT);
        assertThat(w.check(1, 90)).isEqualTo(ACCEPT);
        assertThat(w.check(1, 90)).isEqualTo(REPLAY);
        assertThat(w.check(1, 100 - 63)).isEqualTo(ACCEPT);
        assertThat(w.check(1, 100 - 64)).as("just outside the window").isEqualTo(REPLAY);
        assertThat(w.check(1, 101)).isEqualTo(ACCEPT);
        assertThat(w.check(1, 1000)).isEqualTo(ACCEPT);
        assertThat(w.check(1, 999)).isEqualTo(ACCEPT);
        assertThat(w.check(1, 101)).isEqualTo(REPLAY);
    }

    @Test
    void newerEpochMeansRestartedPeerAndOlderEpochIsAReplay() {
        ReplayWindow w = new ReplayWindow();
        assertThat(w.check(1000, 50)).isEqualTo(ACCEPT);
        assertThat(w.check(2000, 0)).isEqualTo(NEW_EPOCH);
        assertThat(w.epoch()).isEqualTo(2000);
        assertThat(w.check(1000, 51)).as("old instance's datagram replayed").isEqualTo(REPLAY);
        assertThat(w.check(2000, 1)).isEqualTo(ACCEPT);
        assertThat(w.check(2000, 0)).isEqualTo(REPLAY);
        assertThat(w.check(2000, -1)).isEqualTo(REPLAY);
    }
}
