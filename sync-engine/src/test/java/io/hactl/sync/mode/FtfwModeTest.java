package io.hactl.sync.mode;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.wire.DropReason;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The FTFW state machine between two simulated nodes on a lossy link, on a simulated clock. */
class FtfwModeTest {
    static final byte[] KEY = HexFormat.of().parseHex("5ec0de5ec0de5ec0de5ec0de5ec0de5e");
    static final long MS = 1_000_000L;
    static final ModeConfig CONFIG = ModeConfig.DEFAULTS;

    SimNetwork net = new SimNetwork(42);
    SimNode a;
    SimNode b;

    void pair(boolean ftfw, ModeConfig config) {
        a = new SimNode("a", ftfw, config, KEY, 1000, net.towards(() -> b));
        b = new SimNode("b", ftfw, config, KEY, 2000, net.towards(() -> a));
        a.mode.start(net.now);
        b.mode.start(net.now);
    }

    static boolean talking(SimNode n) {
        PeerSession s = ((AbstractMode) n.mode).session;
        return s.established() && s.confirmed();
    }

    /** Steps until a and b talk to each other: HELLO, HELLO_BACK and HELLO, HELLO_BACK, a heartbeat each way. */
    void handshake() {
        for (int i = 0; i < 20 && !(talking(a) && talking(b)); i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(talking(a) && talking(b)).as("session").isTrue();
    }

    /** Runs the simulation until B mirrors A (or a bounded number of steps passes). */
    int runUntilConverged(int maxSteps) {
        for (int i = 0; i < maxSteps; i++) {
            net.step(10 * MS, a, b);
            if (SimNode.view(b.external).equals(SimNode.view(a.internal))
                    && ((FtfwMode) a.mode).resendQueueSize() == 0 && net.inFlight() == 0) {
                return i;
            }
        }
        return -1;
    }

    void workload(int flows, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < flows; i++) {
            a.put(i, 0);
        }
        net.step(10 * MS, a, b);
        for (int round = 1; round <= 5; round++) {
            for (int j = 0; j < flows / 4; j++) {
                a.put(r.nextInt(flows), round);
            }
            for (int j = 0; j < flows / 50; j++) {
                a.delete(r.nextInt(flows));
            }
            net.step(10 * MS, a, b);
        }
    }

    @Test
    void withoutLossThePeerMirrorsTheInternalCache() {
        pair(true, CONFIG);
        workload(5000, 1);
        assertThat(runUntilConverged(500)).isNotNegative();
        assertThat(b.stats.messagesLost.get()).isZero();
        assertThat(a.stats.retransmissions.get()).isZero();
        assertThat(b.stats.acksSent.get()).isPositive();
    }

    @Test
    void with20PercentLossEverythingConvergesAndNothingIsLost() {
        net.loss = 0.20;
        pair(true, CONFIG);
        workload(5000, 2);
        assertThat(runUntilConverged(3000)).as("converged").isNotNegative();
        assertThat(b.stats.messagesLost.get()).isPositive();
        assertThat(b.stats.nacksSent.get()).isPositive();
        assertThat(a.stats.retransmissions.get()).isPositive();
    }

    @Test
    void withLossReorderingAndDuplicationEverythingConverges() {
        net.loss = 0.10;
        net.duplicate = 0.10;
        net.jitterNanos = 30 * MS;
        pair(true, CONFIG);
        workload(3000, 3);
        assertThat(runUntilConverged(3000)).as("converged").isNotNegative();
        assertThat(b.stats.drops(DropReason.REPLAYED)).as("duplicates stopped by the replay window").isPositive();
    }

    @Test
    void burstsOfUpdatesToOneFlowAreCoalescedIntoOneMessage() {
        pair(true, CONFIG);
        runUntilConverged(50);
        long before = a.stats.messagesSent.get();
        for (int v = 0; v < 100; v++) {
            a.put(7, v);
        }
        assertThat(runUntilConverged(50)).isNotNegative();
        assertThat(a.stats.messagesSent.get() - before).isEqualTo(1);
        assertThat(b.external.get(SimNode.key(7))).isEqualTo(a.internal.get(SimNode.key(7)));
    }

    @Test
    void receiverAcknowledgesEveryAckWindowInOrderMessages() {
        pair(true, new ModeConfig(100, 131_072, Duration.ofSeconds(10), Duration.ofSeconds(30), 50_000, Duration.ofSeconds(5)));
        handshake();
        long acks = b.stats.acksSent.get();
        for (int i = 0; i < 1000; i++) {
            a.put(i, 0);
        }
        net.step(10 * MS, a, b); // a sends
        net.step(10 * MS, a, b); // b receives; no heartbeat falls in these steps
        assertThat(b.stats.acksSent.get() - acks).isEqualTo(10);
        net.step(10 * MS, a, b); // a receives the ACKs
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isZero();
    }

    @Test
    void lostMessagesAtTheTailOfABurstAreFoundThroughTheHeartbeat() {
        pair(true, CONFIG);
        runUntilConverged(50);
        net.cut = true;
        for (int i = 0; i < 50; i++) {
            a.put(i, 1);
        }
        net.step(10 * MS, a, b);   // all 50 lost, nothing follows them
        net.cut = false;
        assertThat(runUntilConverged(200)).isNotNegative();
        assertThat(b.stats.messagesLost.get()).isEqualTo(50);
    }

    @Test
    void aLostTailNackIsRepeatedOnTheNextHeartbeat() {
        pair(true, CONFIG);
        runUntilConverged(50);
        net.cut = true;
        for (int i = 0; i < 50; i++) {
            a.put(i, 1);
        }
        net.step(10 * MS, a, b);   // all 50 lost, nothing follows them
        net.cut = false;
        net.cutTowards = a;        // the NACK b sends when a heartbeat reveals the gap is lost too
        long nacks = b.stats.nacksSent.get();
        for (int i = 0; i < 100 && b.stats.nacksSent.get() == nacks; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(b.stats.nacksSent.get()).as("the heartbeat revealed the gap").isGreaterThan(nacks);
        net.cutTowards = null;
        assertThat(runUntilConverged(200)).as("converged").isNotNegative();
        assertThat(b.stats.messagesLost.get()).isEqualTo(50);
    }

    @Test
    void anIdlePairRepeatsNoAcknowledgementOnceThePeersSummarySaysItWaitsForNone() {
        pair(true, CONFIG);
        for (int i = 0; i < 50; i++) {
            a.put(i, 1);
        }
        assertThat(runUntilConverged(100)).isNotNegative();
        for (int i = 0; i < 50; i++) {
            net.step(10 * MS, a, b); // a's next summary reports nothing pending
        }
        long acks = b.stats.acksSent.get();
        long heartbeats = b.stats.messagesReceived.get();
        for (int i = 0; i < 200; i++) {
            net.step(10 * MS, a, b); // 2 s: ten of a's heartbeats
        }
        assertThat(b.stats.messagesReceived.get() - heartbeats).as("a's heartbeats and summaries").isGreaterThanOrEqualTo(18);
        assertThat(b.stats.acksSent.get()).as("no ACK repeated").isEqualTo(acks);
    }

    @Test
    void lostAcksOnlyCauseResendsNeverLosses() {
        pair(true, CONFIG);
        runUntilConverged(50);
        for (int i = 0; i < 500; i++) {
            a.put(i, 3);
        }
        net.step(10 * MS, a, b); // a sends
        net.cut = true;          // b's ACKs (sent while receiving) are lost
        net.step(10 * MS, a, b);
        net.cut = false;
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isEqualTo(500);
        assertThat(runUntilConverged(500)).isNotNegative();
        assertThat(b.stats.messagesLost.get()).isZero();
        assertThat(b.external).hasSize(500);
    }

    @Test
    void atTheResendLimitSendingPausesInsteadOfDropping() {
        pair(true, new ModeConfig(300, 100, Duration.ofMillis(200), Duration.ofMillis(1200), 50_000, Duration.ofMillis(20)));
        runUntilConverged(50);
        net.cut = true;
        for (int i = 0; i < 1000; i++) {
            a.put(i, 1);
        }
        for (int i = 0; i < 10; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isEqualTo(100);
        assertThat(a.stats.resendQueueFull.get()).isPositive();
        assertThat(a.stats.transmitQueueDepth.get()).isEqualTo(900);
        net.cut = false;
        assertThat(runUntilConverged(2000)).isNotNegative();
        assertThat(b.external).hasSize(1000);
    }

    @Test
    void peerLivenessFollowsHeartbeatsAndRttIsMeasured() {
        net.delayNanos = 5 * MS;
        pair(true, CONFIG);
        for (int i = 0; i < 50; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(a.events).containsExactly("peer-alive");
        assertThat(a.stats.peerAlive).isTrue();
        assertThat(a.stats.rttNanos.get()).isBetween(10 * MS, 20 * MS);
        net.cut = true;
        for (int i = 0; i < 150; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(a.events).containsExactly("peer-alive", "peer-dead");
        assertThat(a.stats.peerAlive).isFalse();
        net.cut = false;
        for (int i = 0; i < 50; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(a.events).containsExactly("peer-alive", "peer-dead", "peer-alive");
    }

    @Test
    void restartedPeerIsDetectedAndGetsEverythingBackByResync() {
        net.loss = 0.05;
        pair(true, CONFIG);
        workload(2000, 4);
        assertThat(runUntilConverged(2000)).isNotNegative();

        // b restarts: new epoch, empty caches, asks for a resync as a starting node does
        b = new SimNode("b", true, CONFIG, KEY, 3000, net.towards(() -> a));
        b.mode.start(net.now);
        b.mode.control(new io.hactl.sync.wire.Message.ResyncRequest(0));
        assertThat(runUntilConverged(3000)).isNotNegative();
        assertThat(a.events).contains("peer-restart", "resync-request");
        assertThat(a.stats.peerRestarts.get()).isEqualTo(1);
        assertThat(b.events).contains("bulk-begin", "bulk-end " + a.internal.size());
        assertThat(b.external).hasSize(a.internal.size());
    }

    @Test
    void aHandOverReachesThePeerExactlyOnceUnderLoss() {
        net.loss = 0.2;
        pair(true, CONFIG);
        for (int i = 0; i < 1500; i++) {
            a.put(i, 0);
        }
        net.step(10 * MS, a, b);
        for (int i = 0; i < 300; i++) {
            a.put(i, 1); // changed just before the master leaves: still in flight
        }
        a.mode.control(new io.hactl.sync.wire.Message.Handover(0));

        assertThat(runUntilConverged(3000)).isNotNegative();
        assertThat(b.events.stream().filter("peer-handover"::equals)).hasSize(1);
        // it left after the changes queued before it; those lost on the way arrive after it (the
        // MASTER transition's commit loads them)
        assertThat(b.externalAtHandover.get(0)).isNotEmpty();
    }

    @Test
    void anUnansweredResyncRequestSurvivesARestartOfThePeer() {
        // a asks for the peer's flows, but the request never reaches the first instance of b
        a = new SimNode("a", true, CONFIG, KEY, 1000, net.towards(() -> b));
        a.mode.start(net.now);
        a.mode.control(new io.hactl.sync.wire.Message.ResyncRequest(0));
        a.put(1, 0);
        b = new SimNode("b-down", true, CONFIG, KEY, 1500, net.towards(() -> a));
        b.mode.start(net.now);
        net.cutTowards = b; // one way: a hears this instance of b, b hears nothing
        for (int i = 0; i < 100; i++) {
            net.step(10 * MS, a, b);
        }
        net.cutTowards = null;
        // b restarts (a new epoch) and asks for a's flows, as a starting node does
        b = new SimNode("b", true, CONFIG, KEY, 2000, net.towards(() -> a));
        b.internal.put(SimNode.key(7), java.nio.ByteBuffer.allocate(8).putInt(7).putInt(0).array());
        b.mode.start(net.now);
        b.mode.control(new io.hactl.sync.wire.Message.ResyncRequest(0));
        // both requests are answered within a few heartbeats, and no bulk is sent twice
        for (int i = 0; i < 60 && !(b.events.contains("resync-request") && a.events.contains("bulk-end 1")
                && b.events.contains("bulk-end 1")); i++) {
            net.step(10 * MS, a, b);
        }
        // the first instance of b never answered a challenge: a had no session with it, so the
        // second one is its first peer, not a restart
        assertThat(a.events).doesNotContain("peer-restart");
        assertThat(b.events).contains("resync-request", "bulk-end 1");
        assertThat(a.events).contains("resync-request", "bulk-end 1");
        assertThat(a.external).containsKey(SimNode.key(7));
        assertThat(b.external).containsKey(SimNode.key(1));
        for (int i = 0; i < 100; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(a.events).doesNotContain("own-bulk-lost");
        assertThat(b.events).doesNotContain("own-bulk-lost");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 2, 3, 5, 10, 19, 20, 21, 37})
    void startupResyncRequestsOfBothNodesArriveWhateverTheStartOrder(int listeningSteps) {
        // a is up first; b's transport listens for a few ticks before b's mode starts, as the engine opens it
        SimNode[] bRef = new SimNode[1];
        a = new SimNode("a", true, CONFIG, KEY, 1000, buf -> {
            if (bRef[0] != null) {
                net.towards(() -> bRef[0]).accept(buf);
            }
        });
        a.mode.start(net.now);
        a.mode.control(new io.hactl.sync.wire.Message.ResyncRequest(0));
        a.put(1, 0);
        for (int i = 0; i < 38; i++) {
            net.now += 10 * MS;
            a.mode.tick(net.now);
        }
        b = new SimNode("b", true, CONFIG, KEY, 2000, net.towards(() -> a));
        bRef[0] = b;
        b.internal.put(SimNode.key(7), java.nio.ByteBuffer.allocate(8).putInt(7).putInt(0).array());
        SimNode idle = new SimNode("idle", true, CONFIG, KEY, 1, buf -> { });
        for (int i = 0; i < listeningSteps; i++) {
            net.step(10 * MS, a, idle); // b receives but its mode does not tick yet
        }
        b.mode.start(net.now);
        b.mode.control(new io.hactl.sync.wire.Message.ResyncRequest(0));
        for (int i = 0; i < 60 && !(b.events.contains("resync-request") && a.events.contains("bulk-end 1")
                && a.events.contains("resync-request")); i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(b.events).contains("resync-request");
        assertThat(a.events).contains("resync-request", "bulk-end 1");
    }

    @Test
    void forgedAndReplayedDatagramsChangeNothingAndAreCounted() {
        pair(true, CONFIG);
        runUntilConverged(50);
        // an attacker with another key
        SimNode mallory = new SimNode("mallory", true, CONFIG,
                HexFormat.of().parseHex("0badc0de0badc0de0badc0de0badc0de"), 9999, net.towards(() -> b));
        mallory.put(666, 1);
        mallory.mode.start(net.now);
        mallory.mode.tick(net.now);
        // a genuine datagram of the session, recorded on the way and replayed after it arrived
        java.util.List<java.nio.ByteBuffer> recorded = new java.util.ArrayList<>();
        net.record = recorded::add;
        a.put(2, 7);
        a.mode.pump();
        net.record = null;
        net.step(10 * MS, a, b);
        b.receiver.receive(recorded.get(0).duplicate(), net.now);
        b.receiver.receive(recorded.get(0).duplicate(), net.now);
        runUntilConverged(50);
        assertThat(b.external).doesNotContainKey(SimNode.key(666));
        assertThat(b.stats.drops(DropReason.BAD_MAC)).isPositive();
        assertThat(b.stats.drops(DropReason.REPLAYED)).isPositive();
    }

    @Test
    void notrackConvergesWithoutLossAndOnlyCountsLossesWithIt() {
        pair(false, CONFIG);
        for (int i = 0; i < 1000; i++) {
            a.put(i, 0);
        }
        for (int i = 0; i < 20; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(SimNode.view(b.external)).isEqualTo(SimNode.view(a.internal));

        net.loss = 0.3;
        for (int i = 0; i < 1000; i++) {
            a.put(i, 1);
        }
        for (int i = 0; i < 100; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(b.stats.messagesLost.get()).isPositive();
        assertThat(a.stats.retransmissions.get()).isZero();
        assertThat(b.stats.acksSent.get()).isZero();
    }

    @Test
    void aPartialWindowIsAcknowledgedAfterTheAckDelayAndAcksAreObserved() {
        pair(true, new ModeConfig(300, 131_072, Duration.ofSeconds(10), Duration.ofSeconds(30), 50_000,
                Duration.ofMillis(20)));
        java.util.List<Object> acked = new java.util.ArrayList<>();
        ((FtfwMode) a.mode).setAckObserver((item, now) -> acked.add(item));
        handshake();
        for (int i = 0; i < 5; i++) {
            a.put(i, 0);
        }
        net.step(10 * MS, a, b); // a sends
        net.step(10 * MS, a, b); // b receives, holds the ACK back
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isEqualTo(5);
        for (int i = 0; i < 4; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isZero();
        // one acknowledgement covered all five: the observer hears of the newest
        assertThat(acked).containsExactly(SimNode.key(4));
    }

    @Test
    void anAcknowledgementOffersItsNewestItemsUntilTheObserverTakesOne() {
        pair(true, new ModeConfig(300, 131_072, Duration.ofSeconds(10), Duration.ofSeconds(30), 50_000,
                Duration.ofMillis(20)));
        java.util.List<Object> offered = new java.util.ArrayList<>();
        // the two newest are no sample (flows deleted since, say): the third is taken
        ((FtfwMode) a.mode).setAckObserver((item, now) -> {
            offered.add(item);
            return offered.size() == 3;
        });
        handshake();
        for (int i = 0; i < 5; i++) {
            a.put(i, 0);
        }
        for (int i = 0; i < 6; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isZero();
        assertThat(offered).containsExactly(SimNode.key(4), SimNode.key(3), SimNode.key(2));

        // an observer that takes none hears at most LAG_SAMPLE_TRIES of an acknowledgement, newest first
        offered.clear();
        ((FtfwMode) a.mode).setAckObserver((item, now) -> !offered.add(item));
        for (int i = 10; i < 40; i++) {
            a.put(i, 0);
        }
        for (int i = 0; i < 6; i++) {
            net.step(10 * MS, a, b);
        }
        assertThat(((FtfwMode) a.mode).resendQueueSize()).isZero();
        assertThat(offered).hasSize(FtfwMode.LAG_SAMPLE_TRIES).startsWith(SimNode.key(39), SimNode.key(38))
                .endsWith(SimNode.key(39 - FtfwMode.LAG_SAMPLE_TRIES + 1));
    }

    @Test
    void aBulkCarriesEveryFlowAfterItsBeginEvenThoseAlreadyWaiting() {
        // (the waiting ones are also sent before it: twice is harmless, missing from the bulk is not)
        pair(true, CONFIG);
        net.step(10 * MS, a, b);
        for (int i = 0; i < 10; i++) {
            a.put(i, 0);           // queued, not yet sent
        }
        java.util.List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            a.internal.put(SimNode.key(i), java.nio.ByteBuffer.allocate(8).putInt(i).putInt(0).array());
        }
        SyncListener recorder = new SyncListener() {
            public void onFlowUpdate(byte[] flow, long arrivedNanos) { order.add("flow"); }
            public void onFlowDelete(byte[] key) { order.add("delete"); }
            public void onBulkBegin(long arrivedNanos) { order.add("begin"); }
            public void onBulkEnd(long flows) { order.add("end " + flows); }
            public void onResyncRequest() { }
            public void onPeerRestart() { }
            public void onPeerAlive(boolean alive) { }
        };
        java.util.List<java.nio.ByteBuffer> sent = new java.util.ArrayList<>();
        SyncStats st = new SyncStats();
        FtfwMode m = new FtfwMode(CONFIG, a, new DatagramOutbox(new io.hactl.sync.wire.Authenticator(KEY), 5, 1472,
                sent::add, st), recorder, st, "x");
        java.util.List<java.nio.ByteBuffer> peerOut = new java.util.ArrayList<>();
        SyncStats pst = new SyncStats();
        FtfwMode peer = new FtfwMode(CONFIG, b, new DatagramOutbox(new io.hactl.sync.wire.Authenticator(KEY), 6, 1472,
                peerOut::add, pst), b, pst, "y");
        Handshakes.connect(m, sent, peer, peerOut, KEY, net.now);
        for (int i = 0; i < 10; i++) {
            m.flowChanged(SimNode.key(i));
        }
        java.util.Iterator<byte[]> flows = new java.util.ArrayList<>(a.internal.values()).iterator();
        m.bulk(() -> flows.hasNext() ? flows.next() : null);
        m.tick(net.now);
        java.util.List<io.hactl.sync.wire.MessageType> types = new java.util.ArrayList<>();
        for (java.nio.ByteBuffer d : sent) {
            try {
                io.hactl.sync.wire.DatagramCodec.open(d, new io.hactl.sync.wire.Authenticator(KEY)).messages()
                        .forEach(msg -> types.add(msg.type()));
            } catch (io.hactl.sync.wire.WireException e) {
                throw new AssertionError(e);
            }
        }
        types.removeIf(t -> !t.reliable());
        // the 10 waiting flows first, then the bulk: BEGIN, all 10 again, END
        assertThat(types).hasSize(22);
        assertThat(types.get(10)).isEqualTo(io.hactl.sync.wire.MessageType.BULK_BEGIN);
        assertThat(types).endsWith(io.hactl.sync.wire.MessageType.BULK_END);
        assertThat(types.subList(11, 21)).containsOnly(io.hactl.sync.wire.MessageType.FLOW_UPDATE);
    }

    @Test
    void aBulksBeginAndTheFlowsSharingItsDatagramArriveAtTheSameTime() throws Exception {
        // the engine keeps a bulk's flows by comparing their arrival with the bulk's: a clock
        // read after the datagram's arrival dropped the flows that shared BULK_BEGIN's datagram
        pair(true, CONFIG);
        net.step(10 * MS, a, b);
        for (int i = 0; i < 100; i++) {
            a.internal.put(SimNode.key(i), java.nio.ByteBuffer.allocate(8).putInt(i).putInt(0).array());
        }
        java.util.List<java.nio.ByteBuffer> sent = new java.util.ArrayList<>();
        SyncStats st = new SyncStats();
        FtfwMode sender = new FtfwMode(CONFIG, a, new DatagramOutbox(new io.hactl.sync.wire.Authenticator(KEY), 5, 1472,
                sent::add, st), a, st, "a");
        long[] began = {-1};
        java.util.List<Long> flowTimes = new java.util.ArrayList<>();
        SyncListener recorder = new SyncListener() {
            public void onFlowUpdate(byte[] flow, long arrivedNanos) { flowTimes.add(arrivedNanos); }
            public void onFlowDelete(byte[] key) { }
            public void onBulkBegin(long arrivedNanos) { began[0] = arrivedNanos; }
            public void onBulkEnd(long flows) { }
            public void onResyncRequest() { }
            public void onPeerRestart() { }
            public void onPeerAlive(boolean alive) { }
        };
        SyncStats rst = new SyncStats();
        java.util.List<java.nio.ByteBuffer> back = new java.util.ArrayList<>();
        FtfwMode receiver = new FtfwMode(CONFIG, b, new DatagramOutbox(new io.hactl.sync.wire.Authenticator(KEY), 6, 1472,
                back::add, rst), recorder, rst, "b");
        Handshakes.connect(sender, sent, receiver, back, KEY, net.now);
        java.util.Iterator<byte[]> flows = new java.util.ArrayList<>(a.internal.values()).iterator();
        sender.bulk(() -> flows.hasNext() ? flows.next() : null);
        sender.pump();
        long arrival = 1_000 * MS;
        for (java.nio.ByteBuffer d : sent) {
            arrival += MS; // one datagram a millisecond
            io.hactl.sync.wire.Datagram dg = io.hactl.sync.wire.DatagramCodec.open(d, new io.hactl.sync.wire.Authenticator(KEY));
            assertThat(receiver.received(dg, arrival)).isNull();
        }
        assertThat(sent).hasSizeGreaterThan(1); // the bulk spans datagrams
        assertThat(flowTimes).hasSize(100);
        assertThat(began[0]).isEqualTo(flowTimes.get(0)); // BULK_BEGIN and the first flows share a datagram
        assertThat(flowTimes).allMatch(t -> t >= began[0]);
    }

    @Test
    void lostBulkMarkersAreNotResentOutOfPlaceButTheBulkStartsOver() {
        pair(true, CONFIG);
        runUntilConverged(50);
        for (int i = 0; i < 100; i++) {
            a.put(i, 0);
        }
        net.cut = true;
        a.bulkSend();              // BULK_BEGIN, 100 flows, BULK_END: all lost
        net.step(10 * MS, a, b);
        net.cut = false;
        for (int i = 100; i < 200; i++) {
            a.put(i, 0);
        }
        assertThat(runUntilConverged(500)).isNotNegative();
        assertThat(a.events).contains("own-bulk-lost");
        assertThat(a.stats.bulkMarkersLost.get()).isPositive();
        // the bulk that completed carried every flow after its BULK_BEGIN
        assertThat(b.events).contains("bulk-begin", "bulk-end 200");
        assertThat(b.external).hasSize(200);
    }
}
