package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The session handshake on a simulated clock: a restarted peer is adopted whatever its epoch
 * compares to the last one, replays adopt nothing and end nothing, and numbers that jump ahead
 * move nothing until the peer answers a challenge.
 */
class HandshakeTest {
    static final byte[] KEY = HexFormat.of().parseHex("5ec0de5ec0de5ec0de5ec0de5ec0de5e");
    static final long MS = 1_000_000L;
    static final ModeConfig CONFIG = ModeConfig.DEFAULTS;

    final SimNetwork net = new SimNetwork(7);
    SimNode a;
    SimNode b;

    static PeerSession session(SimNode n) {
        return ((AbstractMode) n.mode).session;
    }

    boolean converged() {
        return SimNode.view(b.external).equals(SimNode.view(a.internal)) && net.inFlight() == 0
                && ((FtfwMode) a.mode).resendQueueSize() == 0;
    }

    void run(int maxSteps) {
        for (int i = 0; i < maxSteps && !converged(); i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(converged()).as("b mirrors a").isTrue();
    }

    SimNode startB(long epoch) {
        SimNode n = new SimNode("b", true, CONFIG, KEY, epoch, net.towards(() -> a));
        n.mode.start(net.now);
        n.mode.control(new Message.ResyncRequest(0)); // as a starting engine asks
        return n;
    }

    @ParameterizedTest(name = "first instance {0}")
    @ValueSource(longs = {Long.MAX_VALUE, Long.MIN_VALUE, 1, -1})
    void aRestartedPeerIsAdoptedWhateverItsEpochComparesToTheLastOnes(long firstEpoch) {
        // as the epoch of a peer whose clock ran an hour fast, then another after NTP set it back
        a = new SimNode("a", true, CONFIG, KEY, 1000, net.towards(() -> b));
        a.mode.start(net.now);
        b = startB(firstEpoch);
        for (int i = 0; i < 100; i++) {
            a.put(i, 0);
        }
        run(500);

        b = startB(firstEpoch == Long.MAX_VALUE ? 2 : firstEpoch + Long.MAX_VALUE / 2);
        run(500);
        for (int i = 0; i < 50; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(a.stats.peerRestarts.get()).as("a saw b restart exactly once").isEqualTo(1);
        assertThat(a.events.stream().filter("peer-restart"::equals)).hasSize(1);
        assertThat(b.stats.peerRestarts.get()).as("the new b had no earlier peer").isZero();
        assertThat(a.stats.drops(DropReason.REPLAYED)).isZero();
        assertThat(b.external).hasSize(100);
    }

    @Test
    void replayedDatagramsOfAnEarlierInstanceNeitherEndTheSessionNorStartOne() {
        a = new SimNode("a", true, CONFIG, KEY, 1000, net.towards(() -> b));
        List<ByteBuffer> fromOldB = new ArrayList<>();
        net.record = buf -> fromOldB.add(buf);
        a.mode.start(net.now);
        b = startB(2000);
        run(200);
        net.record = null;
        long firstB = session(a).peerEpoch();

        b = startB(3000);
        a.put(1, 1);
        run(200);
        assertThat(session(a).peerEpoch()).isEqualTo(3000).isNotEqualTo(firstB);
        long restarts = a.stats.peerRestarts.get();
        long delivered = a.stats.messagesReceived.get();

        // everything recorded before, both directions: old HELLOs, HELLO_BACKs, heartbeats, flows
        for (ByteBuffer d : fromOldB) {
            a.receiver.receive(d.duplicate(), net.now);
        }
        a.put(2, 1);
        run(200);
        assertThat(session(a).peerEpoch()).as("still the new instance").isEqualTo(3000);
        assertThat(a.stats.peerRestarts.get()).isEqualTo(restarts);
        assertThat(a.stats.drops(DropReason.NO_SESSION)).isPositive();
        assertThat(a.stats.messagesReceived.get()).as("nothing of the old instance delivered").isGreaterThanOrEqualTo(delivered);
        assertThat(b.external).containsKey(SimNode.key(2));
    }

    @Test
    void aDatagramNumberFarAheadIsDroppedWithoutMovingTheWindowOrCountingLosses() {
        List<ByteBuffer> fromB = new ArrayList<>();
        b = new SimNode("b", true, CONFIG, KEY, 2000, fromB::add);
        Handshakes.establish(b, 1000, KEY, fromB);
        fromB.clear();
        long far = Wire.MAX_DATAGRAM_JUMP + 1;

        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, far, List.of(new Message.FlowUpdate(
                Handshakes.FIRST_SEQ, new byte[] {0, 0, 0, 9, 0, 0, 0, 1})), KEY), Handshakes.NOW))
                .isEqualTo(DropReason.SEQUENCE_JUMP);
        assertThat(b.flowUpdates).isZero();
        assertThat(b.stats.messagesLost.get()).isZero();
        b.mode.tick(Handshakes.NOW + CONFIG.heartbeat().toNanos()); // at most one challenge a heartbeat
        assertThat(Handshakes.lastChallenge(fromB, KEY)).as("the peer is challenged").isNotZero();

        // the real sequence goes on
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 1, List.of(new Message.FlowUpdate(
                Handshakes.FIRST_SEQ, new byte[] {0, 0, 0, 9, 0, 0, 0, 1})), KEY), Handshakes.NOW)).isNull();
        assertThat(b.flowUpdates).isEqualTo(1);
        assertThat(b.stats.messagesLost.get()).isZero();
    }

    @Test
    void aSequenceNumberFarAheadIsDroppedWithoutCountingLosses() {
        List<ByteBuffer> fromB = new ArrayList<>();
        b = new SimNode("b", true, CONFIG, KEY, 2000, fromB::add);
        Handshakes.establish(b, 1000, KEY, fromB);
        int far = Handshakes.FIRST_SEQ + Wire.MAX_SEQUENCE_JUMP + 1;

        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 1, List.of(new Message.FlowUpdate(far,
                new byte[] {0, 0, 0, 9, 0, 0, 0, 1})), KEY), Handshakes.NOW)).isEqualTo(DropReason.SEQUENCE_JUMP);
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 2, List.of(new Message.Heartbeat(far, 1, 0, -1)), KEY),
                Handshakes.NOW)).isEqualTo(DropReason.SEQUENCE_JUMP);
        assertThat(b.stats.messagesLost.get()).isZero();
        assertThat(b.stats.nacksSent.get()).isZero();
        assertThat(b.stats.drops(DropReason.SEQUENCE_JUMP)).isEqualTo(2);

        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, 3, List.of(new Message.FlowUpdate(
                Handshakes.FIRST_SEQ, new byte[] {0, 0, 0, 9, 0, 0, 0, 1})), KEY), Handshakes.NOW)).isNull();
        assertThat(b.flowUpdates).isEqualTo(1);
        assertThat(b.stats.messagesLost.get()).isZero();
    }

    @Test
    void aPeerThatReallyRanAheadAnswersTheChallengeAndIsTakenFromWhereItIs() {
        List<ByteBuffer> fromB = new ArrayList<>();
        b = new SimNode("b", true, CONFIG, KEY, 2000, fromB::add);
        Handshakes.establish(b, 1000, KEY, fromB);
        fromB.clear();
        long far = 10 * Wire.MAX_DATAGRAM_JUMP;
        b.receiver.receive(Handshakes.seal(b, 1000, far, List.of(new Message.Heartbeat(5, 1, 0, -1)), KEY),
                Handshakes.NOW);
        b.mode.tick(Handshakes.NOW + CONFIG.heartbeat().toNanos());
        long nonce = Handshakes.lastChallenge(fromB, KEY);

        // an answer to an older challenge is not enough
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, far + 1, List.of(new Message.HelloBack(nonce + 1),
                new Message.Heartbeat(5, 1, 0, -1)), KEY), Handshakes.NOW)).isEqualTo(DropReason.SEQUENCE_JUMP);
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, far + 2, List.of(new Message.HelloBack(nonce),
                new Message.Heartbeat(5, 1, 0, -1)), KEY), Handshakes.NOW)).isNull();
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, far + 3, List.of(new Message.FlowUpdate(5,
                new byte[] {0, 0, 0, 9, 0, 0, 0, 1})), KEY), Handshakes.NOW)).isNull();
        assertThat(b.flowUpdates).isEqualTo(1);
        assertThat(b.stats.peerRestarts.get()).as("the same instance, not a restart").isZero();
        assertThat(b.receiver.receive(Handshakes.seal(b, 1000, far + 2, List.of(new Message.HelloBack(nonce)), KEY),
                Handshakes.NOW)).as("the answer replayed").isEqualTo(DropReason.REPLAYED);
    }

    @Test
    void nothingReliableIsSentBeforeThePeerInstanceTalksToThisOne() {
        List<ByteBuffer> fromA = new ArrayList<>();
        a = new SimNode("a", true, CONFIG, KEY, 1000, fromA::add);
        a.mode.start(0);
        a.put(1, 0);
        a.mode.control(new Message.ResyncRequest(0));
        for (long t = 0; t < 2_000 * MS; t += 10 * MS) {
            a.mode.tick(t);
        }
        assertThat(Handshakes.open(fromA, KEY)).allSatisfy(d -> assertThat(d.messages())
                .allMatch(m -> m instanceof Message.Hello));
        assertThat(a.stats.messagesSent.get()).isZero();
    }

    @Test
    void aPeerBackFromSilenceIsChallengedNotRestartedAndItsGapIsNackedAsAnyOther() {
        a = new SimNode("a", true, CONFIG, KEY, 1000, net.towards(() -> b));
        a.mode.start(net.now);
        b = startB(2000);
        run(200);
        net.cut = true;
        for (int i = 0; i < 100; i++) {
            a.put(i, 1); // lost with the link
        }
        for (int i = 0; i < 300; i++) {
            net.step(10 * MS, a, b); // 3 s: both declare the other dead and challenge it
        }
        assertThat(a.events).contains("peer-dead");
        net.cut = false;
        run(500);
        assertThat(a.stats.peerRestarts.get() + b.stats.peerRestarts.get()).isZero();
        assertThat(b.stats.messagesLost.get()).as("the gap was seen, not skipped").isPositive();
        assertThat(b.external).hasSize(100);
    }
}
