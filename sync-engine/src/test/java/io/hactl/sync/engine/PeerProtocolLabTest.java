package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.transport.LinkSpec;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The peer protocol's defences on the real network stack: two engines in two namespaces, and
 * datagrams crafted with the pair's key (as a peer instance would send them) sent at b.
 */
@LabTest(tools = {"nft"})
class PeerProtocolLabTest {
    static final int PORT = 3780;
    final byte[] key = new byte[32];
    SyncPair pair;
    SyncEngine a;
    SyncEngine b;
    Conntrack kernelA;

    @BeforeEach
    void setUp() throws Exception {
        new SecureRandom().nextBytes(key);
        pair = SyncPair.create();
        kernelA = pair.a.call(Conntrack::open);
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, kernelA}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        pair.close();
    }

    EngineConfig config(String node, String peer, String local, String remote) {
        return EngineConfig.defaults(node, peer, List.of(new LinkSpec("sync",
                new InetSocketAddress(local, PORT), new InetSocketAddress(remote, PORT), false)), key);
    }

    SyncEngine startA() throws Exception {
        return pair.a.call(() -> SyncEngine.start(config("a", "b", "10.99.0.1", "10.99.0.2"), EngineListener.NONE));
    }

    SyncEngine startB() throws Exception {
        return pair.b.call(() -> SyncEngine.start(config("b", "a", "10.99.0.2", "10.99.0.1"), EngineListener.NONE));
    }

    long counter(SyncEngine e, String name) {
        return e.status().counters().getOrDefault(name, 0L);
    }

    void awaitExternal(SyncEngine e, int n) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> e.status().externalFlows() == n);
    }

    /** Sends each datagram from {@code from} in {@code ns} to b's sync port (the address may be in use). */
    static void sendFrom(Netns ns, InetSocketAddress from, List<ByteBuffer> datagrams) throws Exception {
        ns.call(() -> {
            try (DatagramSocket s = new DatagramSocket(null)) {
                s.setReuseAddress(true); // a's engine may hold the peer's address and port
                s.bind(from);
                for (ByteBuffer d : datagrams) {
                    byte[] bytes = new byte[d.remaining()];
                    d.duplicate().get(bytes);
                    s.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("10.99.0.2", PORT)));
                }
            }
            return null;
        });
    }

    @Test
    void garbageAndAuthenticDatagramsFromANonPeerAddressAreCountedAsSuchAndChangeNothing() throws Exception {
        a = startA();
        b = startB();
        kernelA.batch(SyncEngineLabTest.flows(10, 0), BatchMode.CREATE);
        awaitExternal(b, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status().peerAlive());
        pair.a.exec("ip", "addr", "add", "10.99.0.3/24", "dev", "sync");

        byte[] garbage = new byte[200];
        new SecureRandom().nextBytes(garbage);
        // authentic: sealed with the pair's key, as a new instance of a would announce itself
        List<ByteBuffer> authentic = PeerDatagrams.helloAndFlow(key, new SecureRandom().nextLong(),
                CompactFlow.encode(SyncEngineLabTest.flows(1, 500_000).get(0)));
        List<ByteBuffer> both = new java.util.ArrayList<>(authentic);
        both.add(ByteBuffer.wrap(garbage));
        sendFrom(pair.a, new InetSocketAddress("10.99.0.3", PORT), both);
        sendFrom(pair.a, new InetSocketAddress("10.99.0.1", 40000), both);

        long expected = 2L * both.size();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(b, "drops_bad_source") == expected);
        assertThat(counter(b, "drops_bad_mac")).isZero();
        assertThat(counter(b, "drops_bad_magic")).isZero();
        assertThat(counter(b, "peer_restarts")).isZero();
        assertThat(b.status().externalFlows()).isEqualTo(10);

        // the session with the real a goes on
        kernelA.batch(SyncEngineLabTest.flows(5, 10), BatchMode.CREATE);
        awaitExternal(b, 15);
        assertThat(b.status().peerAlive()).isTrue();
    }

    /** Replication from a restarted a resumes: the flows a's kernel holds, and 5 new ones. */
    void restartAAndAwaitReplication() throws Exception {
        a = startA();
        kernelA.batch(SyncEngineLabTest.flows(5, 10), BatchMode.CREATE);
        awaitExternal(b, 15);
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status().peerAlive() && a.status().peerAlive());
    }

    @Test
    void afterDatagramsOfAPeerWhoseClockRanAnHourAheadTheRestartedPeerIsAccepted() throws Exception {
        a = startA();
        b = startB();
        kernelA.batch(SyncEngineLabTest.flows(10, 0), BatchMode.CREATE);
        awaitExternal(b, 10);
        a.close();
        a = null;

        // what a peer whose clock ran an hour fast sent (then NTP set the clock back): protocol 1
        // took the epoch from the clock and locked the restarted peer out as REPLAYED
        sendFrom(pair.a, new InetSocketAddress("10.99.0.1", PORT), List.of(
                PeerDatagrams.version1FromTheFuture(key, 1_000_000), PeerDatagrams.version1FromTheFuture(key, 1_000_001)));
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(b, "datagrams_received") > 0
                && counter(b, "drops_bad_version") + counter(b, "drops_replayed") + counter(b, "peer_restarts") > 0);

        restartAAndAwaitReplication();
        assertThat(counter(b, "drops_bad_version")).isEqualTo(2);
        assertThat(counter(b, "messages_lost")).isLessThan(1000);
    }

    @Test
    void anInstanceWhoseNumbersJumpFarAheadMovesNothingAndTheRestartedPeerIsAccepted() throws Exception {
        a = startA();
        b = startB();
        kernelA.batch(SyncEngineLabTest.flows(10, 0), BatchMode.CREATE);
        awaitExternal(b, 10);
        a.close();
        a = null;
        long lostBefore = counter(b, "messages_lost");

        byte[] bogus = CompactFlow.encode(SyncEngineLabTest.flows(1, 900_000).get(0));
        pair.a.call(() -> {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("10.99.0.1", PORT))) {
                return PeerDatagrams.sessionThatJumpsAhead(s, new InetSocketAddress("10.99.0.2", PORT), key, bogus);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(b, "drops_sequence_jump") == 2);
        assertThat(counter(b, "messages_lost")).isEqualTo(lostBefore);
        assertThat(b.status().externalFlows()).as("the jumping flows are not taken").isEqualTo(10);

        restartAAndAwaitReplication();
        assertThat(counter(b, "messages_lost") - lostBefore).isLessThan(1000);
        assertThat(counter(b, "peer_restarts")).as("the crafted instance, then the real one").isEqualTo(2);
    }
}
