package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.Message;
import org.junit.jupiter.api.Test;

/** Heartbeat timing and liveness on a clock the test sets (nanoseconds). */
class HeartbeatsTest {
    private static final long SECOND = 1_000_000_000L;
    private final Heartbeats beats = new Heartbeats(SECOND, 3 * SECOND);

    @Test
    void aHeartbeatIsDueAtOnceThenEveryInterval() {
        assertThat(beats.heartbeatDue(0)).isTrue();
        beats.heartbeat(1, 10 * SECOND);
        assertThat(beats.heartbeatDue(10 * SECOND + SECOND - 1)).isFalse();
        assertThat(beats.heartbeatDue(11 * SECOND)).isTrue();
        beats.skipHeartbeat(11 * SECOND);
        assertThat(beats.heartbeatDue(11 * SECOND + 1)).as("skipped: the interval starts again").isFalse();
    }

    @Test
    void ourHeartbeatEchoesThePeersLastOneWithHowLongWeHeldIt() {
        assertThat(beats.heartbeat(7, 5 * SECOND)).as("nothing to echo yet")
                .isEqualTo(new Message.Heartbeat(7, 5 * SECOND, 0, -1));

        beats.peerHeartbeat(new Message.Heartbeat(1, 1_000, 0, -1), 6 * SECOND);

        assertThat(beats.heartbeat(8, 6 * SECOND + 250))
                .isEqualTo(new Message.Heartbeat(8, 6 * SECOND + 250, 1_000, 250));
        beats.forgetPeerHeartbeat();
        assertThat(beats.heartbeat(9, 7 * SECOND).heldNanos()).as("after a peer restart").isEqualTo(-1);
    }

    @Test
    void thePeersHeartbeatTellsTheRoundTripLessWhatItHeldOurs() {
        // we sent at 10 s; the peer held ours 40 ms and its answer arrives at 10.1 s
        long rtt = beats.peerHeartbeat(new Message.Heartbeat(1, 999, 10 * SECOND, 40_000_000), 10 * SECOND + 100_000_000);
        assertThat(rtt).isEqualTo(60_000_000);
        assertThat(beats.peerHeartbeat(new Message.Heartbeat(1, 999, 0, -1), 11 * SECOND)).as("no echo").isEqualTo(-1);
        assertThat(beats.peerHeartbeat(new Message.Heartbeat(1, 999, 12 * SECOND, 0), 11 * SECOND))
                .as("never negative").isZero();
    }

    @Test
    void thePeerIsAliveFromTheFirstDatagramUntilDeadAfterPassesInSilence() {
        assertThat(beats.livenessChanged(0)).as("never heard: not alive, no change").isFalse();
        assertThat(beats.heard(SECOND)).isTrue();
        assertThat(beats.alive()).isTrue();
        assertThat(beats.heard(2 * SECOND)).as("already alive").isFalse();

        assertThat(beats.livenessChanged(5 * SECOND - 1)).isFalse();
        assertThat(beats.livenessChanged(5 * SECOND)).isTrue();
        assertThat(beats.alive()).isFalse();
        assertThat(beats.livenessChanged(6 * SECOND)).as("reported once").isFalse();

        assertThat(beats.heard(7 * SECOND)).as("back").isTrue();
    }

    @Test
    void aHelloGoesOutAgainOnlyAfterAnInterval() {
        assertThat(beats.helloAllowed(0)).isTrue();
        beats.helloSent(4 * SECOND);
        assertThat(beats.helloAllowed(5 * SECOND - 1)).isFalse();
        assertThat(beats.helloAllowed(5 * SECOND)).isTrue();
    }
}
