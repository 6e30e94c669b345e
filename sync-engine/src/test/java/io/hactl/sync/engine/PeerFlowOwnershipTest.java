package io.hactl.sync.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.InMemoryConntrackKernel;
import io.hactl.sync.transport.LinkSpec;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Whose a flow in the kernel is, told by the owner mark: two engines on loopback, each on an
 * in-memory conntrack table. gw1's table holds its own flows; gw2 commits them from its external
 * cache, marked.
 */
class PeerFlowOwnershipTest {
    static final int N = 200;
    final InMemoryConntrackKernel k1 = new InMemoryConntrackKernel();
    final InMemoryConntrackKernel k2 = new InMemoryConntrackKernel();
    EngineConfig c1;
    EngineConfig c2;
    SyncEngine e1;
    SyncEngine e2;

    @BeforeEach
    void setUp() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int p1;
        int p2;
        try (DatagramSocket s1 = new DatagramSocket(new InetSocketAddress(lo, 0));
             DatagramSocket s2 = new DatagramSocket(new InetSocketAddress(lo, 0))) {
            p1 = s1.getLocalPort();
            p2 = s2.getLocalPort();
        }
        byte[] key = new byte[32];
        c1 = EngineConfig.defaults("gw1", "gw2", List.of(new LinkSpec("lo", new InetSocketAddress(lo, p1),
                new InetSocketAddress(lo, p2), false)), key).withPurgeTimeout(Duration.ZERO);
        c2 = EngineConfig.defaults("gw2", "gw1", List.of(new LinkSpec("lo", new InetSocketAddress(lo, p2),
                new InetSocketAddress(lo, p1), false)), key).withPurgeTimeout(Duration.ZERO);
        for (int i = 0; i < N; i++) {
            k1.inject(flow(10, i, 0x11));
        }
        e1 = SyncEngine.start(c1, EngineListener.NONE, new InMemoryKernelAccess(k1));
        e2 = SyncEngine.start(c2, EngineListener.NONE, new InMemoryKernelAccess(k2));
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().externalFlows() == N);
    }

    @AfterEach
    void tearDown() {
        for (SyncEngine e : new SyncEngine[] {e1, e2}) {
            if (e != null) {
                e.close();
            }
        }
    }

    static Flow flow(int net, int i, long mark) throws Exception {
        return Flow.builder(Tuple.tcp(InetAddress.getByAddress(new byte[] {10, (byte) net, (byte) (i >> 8), (byte) i}),
                        InetAddress.getByName("10.60.0.10"), 20000, 443)).timeout(3600).mark(mark)
                .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build();
    }

    long marked(InMemoryConntrackKernel k) {
        return k.flows().stream().filter(f -> OwnerMark.DEFAULT.marks(f.mark())).count();
    }

    @Test
    void aCommitMarksWhatItWritesKeepingThePeersOwnMarkBits() {
        assertThat(e2.commit().join().written()).isEqualTo(N);
        assertThat(k2.flows()).hasSize(N).allSatisfy(f -> assertThat(f.mark()).isEqualTo(0x4000_0011L));
        assertThat(e2.status().internalFlows()).as("not taken as gw2's own").isZero();
    }

    @Test
    void aRestartedEngineDoesNotAdoptWhatItWroteFromThePeerNorSendItBack() throws Exception {
        e2.commit().join();
        e2.close();
        e2 = SyncEngine.start(c2, EngineListener.NONE, new InMemoryKernelAccess(k2), Standing.UNKNOWN);
        assertThat(e2.status().internalFlows()).isZero();
        assertThat(e2.status().counters()).containsEntry("kernel_flows_of_peer_at_start", (long) N);
        long bulks = e1.status().bulksReceived();
        e1.requestResync().join();
        await().atMost(Duration.ofSeconds(20)).until(() -> e1.status().bulksReceived() > bulks);
        assertThat(e1.status().externalFlows()).as("gw1 holds no copies of its own flows").isZero();
        assertThat(k2.size()).isEqualTo(N);
    }

    @Test
    void aStandbyPurgeRemovesTheMarkedFlowsThePeerNoLongerHasAndNothingElse() throws Exception {
        for (int i = 0; i < 50; i++) {
            k2.inject(flow(20, i, 0)); // gw2's own traffic
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().internalFlows() == 50);
        e2.commit().join();
        for (int i = 0; i < 30; i++) {
            k1.expire(flow(10, i, 0).orig(), 0); // gone at gw1: its delete reaches gw2's external cache
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().externalFlows() == N - 30);
        assertThat(k2.size()).isEqualTo(N + 50);

        e2.setStanding(Standing.STANDBY).join();
        e2.schedulePurge("BACKUP").join();
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.purgeStatus().lastRemoved() >= 0);
        assertThat(e2.purgeStatus().lastRemoved()).isEqualTo(30);
        assertThat(k2.size()).isEqualTo(N - 30 + 50);
        assertThat(marked(k2)).isEqualTo(N - 30);
        assertThat(k2.get(flow(10, 0, 0).orig(), 0)).isEmpty();
        assertThat(k2.get(flow(20, 0, 0).orig(), 0)).as("its own flows stay").isPresent();
    }

    @Test
    void aPurgeDueWhileTheRoleIsUnknownRemovesNothing() throws Exception {
        e2.commit().join();
        for (int i = 0; i < 30; i++) {
            k1.expire(flow(10, i, 0).orig(), 0);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().externalFlows() == N - 30);
        e2.schedulePurge("peer silent").join();
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.purgeStatus().lastOutcome() != null);
        assertThat(e2.purgeStatus().lastOutcome()).startsWith("skipped");
        assertThat(e2.status().counters()).containsEntry("purges_skipped", 1L);
        assertThat(k2.size()).isEqualTo(N);
    }

    @Test
    void aMasterClaimsTheMarkedFlowsAndSendsThemWithoutTheBit() {
        e2.commit().join();
        e2.setStanding(Standing.ACTIVE).join();
        assertThat(e2.resyncInternal().join()).isEqualTo(N);
        assertThat(e2.flows(SyncEngine.Cache.INTERNAL).join()).allSatisfy(f -> assertThat(f.mark()).isEqualTo(0x11L));
        e1.flush(SyncEngine.Cache.EXTERNAL).join();
        e2.bulkSend().join();
        await().atMost(Duration.ofSeconds(20)).until(() -> e1.status().externalFlows() == N);
        assertThat(e1.flows(SyncEngine.Cache.EXTERNAL).join()).allSatisfy(f -> assertThat(f.mark()).isEqualTo(0x11L));
        assertThat(k2.size()).as("claimed without rewriting").isEqualTo(N);
        assertThat(marked(k2)).isEqualTo(N);
    }

    @Test
    void aNewMasterAdoptsThePeersFlowsAsTheKernelHoldsThemWithoutADump() throws Exception {
        for (int i = 0; i < 20; i++) {
            k2.inject(flow(20, i, 0)); // gw2's own traffic
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().internalFlows() == 20);
        e2.commit().join();
        e2.setStanding(Standing.ACTIVE).join();
        long dumps = e2.status().counters().getOrDefault("resyncs_from_kernel", 0L);

        PeerAdoption.Result r = e2.adoptPeerFlows().join();

        assertThat(r).isEqualTo(new PeerAdoption.Result(N, 0, 0, 0, false));
        assertThat(e2.status().externalFlows()).isZero();
        assertThat(e2.status().internalFlows()).isEqualTo(N + 20);
        assertThat(e2.flows(SyncEngine.Cache.INTERNAL).join()).filteredOn(f -> f.orig().src().getAddress()[1] == 10)
                .hasSize(N).allSatisfy(f -> assertThat(f.mark()).as("the peer's bits, not the owner bit").isEqualTo(0x11L));
        assertThat(e2.status().counters().getOrDefault("resyncs_from_kernel", 0L)).as("no dump").isEqualTo(dumps);
        e1.flush(SyncEngine.Cache.EXTERNAL).join();
        e2.bulkSend().join();
        await().atMost(Duration.ofSeconds(20)).until(() -> e1.status().externalFlows() == N + 20);
    }

    @Test
    void aNewMasterWithMoreOwnFlowsThanASlicePutsThemAllBackKeepingItsVersionOfAPeersFlow() throws Exception {
        int own = PeerAdoption.SLICE + 1_000;
        for (int i = 0; i < own; i++) {
            k2.inject(flow(20 + i / 65_536, i % 65_536, 0)); // gw2's own traffic
        }
        e2.commit().join();
        k2.inject(flow(10, 3, 0x11)); // gw2's traffic changed one of the peer's flows (its event: gw2's own)
        await().atMost(Duration.ofSeconds(60)).until(() -> e2.status().internalFlows() == own + 1);
        e2.setStanding(Standing.ACTIVE).join();

        PeerAdoption.Result r = e2.adoptPeerFlows().join();

        assertThat(r).isEqualTo(new PeerAdoption.Result(N - 1, 1, 0, 0, false));
        assertThat(e2.status().externalFlows()).isZero();
        assertThat(e2.status().internalFlows()).isEqualTo(own + N);
        assertThat(e2.flows(SyncEngine.Cache.INTERNAL).join()).extracting(Flow::orig)
                .containsExactlyInAnyOrderElementsOf(k2.flows().stream().map(Flow::orig).toList());
    }

    @Test
    void whatTheKernelDoesNotHoldAsReceivedIsLeftToAResyncFromTheKernel() throws Exception {
        e2.commit().join();
        k2.expire(flow(10, 0, 0x11).orig(), 0); // its copy ended in gw2's kernel, still in the external cache
        k2.inject(flow(10, 1, 0x11)); // gw2's traffic changed another (its event: unmarked, gw2's own)
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().internalFlows() == 1);
        e2.setStanding(Standing.ACTIVE).join();
        long dumps = e2.status().counters().getOrDefault("resyncs_from_kernel", 0L);

        PeerAdoption.Result r = e2.adoptPeerFlows().join();

        assertThat(r).isEqualTo(new PeerAdoption.Result(N - 2, 1, 1, 0, true));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> e2.status().counters().getOrDefault("resyncs_from_kernel", 0L) > dumps);
        assertThat(e2.status().internalFlows()).as("as the kernel: the ended flow gone").isEqualTo(N - 1);
        assertThat(e2.flows(SyncEngine.Cache.INTERNAL).join()).extracting(Flow::orig)
                .containsExactlyInAnyOrderElementsOf(k2.flows().stream().map(Flow::orig).toList());
    }

    @Test
    void aNewMasterLeavesOutWhatItsOwnFilterRejects() throws Exception {
        e2.close();
        e2 = SyncEngine.start(c2.withFilter(new io.hactl.sync.filter.FlowFilter(java.util.Set.of(),
                List.of(io.hactl.sync.filter.Cidr.parse("10.10.0.0/25")), java.util.Set.of())), EngineListener.NONE,
                new InMemoryKernelAccess(k2));
        await().atMost(Duration.ofSeconds(20)).until(() -> e2.status().externalFlows() == N);
        e2.commit().join();
        e2.setStanding(Standing.ACTIVE).join();

        PeerAdoption.Result r = e2.adoptPeerFlows().join();

        assertThat(r).as("10.10.0.0 .. 10.10.0.127 are this node's to ignore").isEqualTo(
                new PeerAdoption.Result(N - 128, 0, 0, 128, false));
        assertThat(e2.flows(SyncEngine.Cache.INTERNAL).join()).hasSize(N - 128)
                .allSatisfy(f -> assertThat(f.orig().src().getAddress()[3] & 0xff).isGreaterThanOrEqualTo(128));
    }
}
