package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.wire.CompactFlow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.mode.DatagramOutbox;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.transport.LinkSpec;
import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Message;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two engines in two namespaces joined by a veth sync link, on the real kernel. */
@LabTest(tools = {"conntrack", "nft"})
class SyncEngineLabTest {
    static final int PORT = 3780;
    final byte[] key = new byte[32];
    SyncPair pair;
    SyncEngine a;
    SyncEngine b;
    Conntrack kernelA;
    Conntrack kernelB;

    @BeforeEach
    void setUp() throws Exception {
        new SecureRandom().nextBytes(key);
        pair = SyncPair.create();
        kernelA = pair.a.call(Conntrack::open);
        kernelB = pair.b.call(Conntrack::open);
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, kernelA, kernelB}) {
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

    EngineConfig configA() {
        return config("a", "b", "10.99.0.1", "10.99.0.2");
    }

    EngineConfig configB() {
        return config("b", "a", "10.99.0.2", "10.99.0.1");
    }

    void startBoth(EngineConfig ca, EngineConfig cb) throws Exception {
        a = pair.a.call(() -> SyncEngine.start(ca, EngineListener.NONE));
        b = pair.b.call(() -> SyncEngine.start(cb, EngineListener.NONE));
    }

    static List<Flow> flows(int n, int offset) throws Exception {
        List<Flow> out = new ArrayList<>(n);
        InetAddress dst = InetAddress.getByName("198.51.100.10");
        for (int i = offset; i < offset + n; i++) {
            InetAddress src = InetAddress.getByAddress(new byte[] {10, 20, (byte) (i >> 16), (byte) (i >> 8)});
            out.add(Flow.builder(Tuple.tcp(src, dst, 1024 + (i & 0xff) * 200 + (i >> 24), 443))
                    .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(3600).mark(i % 7)
                    .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
        }
        return out;
    }

    static Map<Tuple, Flow> byTuple(List<Flow> flows) {
        return flows.stream().collect(Collectors.toMap(Flow::orig, Function.identity(), (x, y) -> x));
    }

    /** Both engines started, then {@code n} flows created in a's kernel and replicated to b's external cache. */
    List<Flow> startBothAndReplicate(int n, int seconds) throws Exception {
        startBoth(configA(), configB());
        List<Flow> load = flows(n, 0);
        assertThat(kernelA.batch(load, BatchMode.CREATE).succeeded()).isEqualTo(n);
        awaitExternal(b, n, seconds);
        return load;
    }

    static long resyncsFromKernel(SyncEngine e) {
        return e.status().counters().getOrDefault("resyncs_from_kernel", 0L);
    }

    void awaitExternal(SyncEngine e, int n, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).pollInterval(Duration.ofMillis(50))
                .until(() -> e.status().externalFlows() == n && e.status().internalFlows() >= 0);
    }

    @Test
    void hundredThousandFlowsReplicateAndCommitWithTheirAttributes() throws Exception {
        List<Flow> load = startBothAndReplicate(100_000, 60);
        // a's status is a snapshot of up to a tenth of a second before: b may be complete first
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().internalFlows() == 100_000);
        assertThat(kernelB.count()).as("nothing in b's kernel before the commit").isZero();

        CommitResult r = b.commit().get();
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.written()).isEqualTo(100_000);
        assertThat(kernelB.count()).isEqualTo(100_000);
        Map<Tuple, Flow> inB = byTuple(kernelB.dump(Sockets.AF_INET));
        for (Flow w : load.subList(0, 500)) {
            Flow got = inB.get(w.orig());
            assertThat(got).as("%s in b's kernel", w.orig()).isNotNull();
            assertThat(got.reply()).isEqualTo(w.replyOrInverse());
            assertThat(got.mark()).as("the peer's mark with hactl's owner bit").isEqualTo(OwnerMark.DEFAULT.apply(w.mark()));
            assertThat(got.tcp().state()).isEqualTo(TcpInfo.ESTABLISHED);
            assertThat(got.hasStatus(Ctnl.IPS_ASSURED | Ctnl.IPS_SEEN_REPLY)).isTrue();
            assertThat(got.tcp().flagsOrig() & Ctnl.IP_CT_TCP_FLAG_BE_LIBERAL).isNotZero();
            assertThat(got.timeout()).isBetween(3500L, 3600L);
        }

        // updates and deletes replicate
        List<Flow> remarked = load.subList(0, 1000).stream().map(f -> f.toBuilder().mark(4242).build()).toList();
        assertThat(kernelA.batch(remarked, BatchMode.UPDATE).succeeded()).isEqualTo(1000);
        assertThat(kernelA.batchDelete(load.subList(1000, 3000)).succeeded()).isEqualTo(2000);
        awaitExternal(b, 98_000, 30);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.flows(SyncEngine.Cache.EXTERNAL).get().stream()
                .filter(f -> f.mark() == 4242).count() == 1000);
        assertThat(b.status().counters().get("drops_bad_mac")).isZero();
        assertThat(a.status().peerAlive()).isTrue();
        assertThat(a.status().rttMicros()).isPositive();
        assertThat(a.status().lagMillis()).isNotNegative();
    }

    @Test
    void commitChangesWritesOnlyWhatChangedAndANewMasterSendsEachFlowOnce() throws Exception {
        List<Flow> load = startBothAndReplicate(2000, 30);

        CommitResult first = b.commitChanges().get();
        assertThat(first.written()).as("no commit before: everything").isEqualTo(2000);
        assertThat(first.sinceMillis()).isEqualTo(-1);
        assertThat(kernelB.count()).isEqualTo(2000);

        CommitResult again = b.commitChanges().get();
        assertThat(again.flows()).as("%s", again).isZero();
        assertThat(again.unchanged()).isEqualTo(2000);
        assertThat(again.sinceMillis()).isNotNegative();
        assertThat(again.toString()).contains("2000 unchanged since the commit");

        List<Flow> remarked = load.subList(0, 100).stream().map(f -> f.toBuilder().mark(4242).build()).toList();
        assertThat(kernelA.batch(remarked, BatchMode.UPDATE).succeeded()).isEqualTo(100);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.flows(SyncEngine.Cache.EXTERNAL).get().stream()
                .filter(f -> f.mark() == 4242).count() == 100);
        CommitResult changed = b.commitChanges().get();
        assertThat(changed.flows()).as("%s", changed).isEqualTo(100);
        assertThat(changed.written()).isEqualTo(100);
        assertThat(changed.unchanged()).isEqualTo(1900);
        assertThat(kernelB.dump(Sockets.AF_INET).stream().filter(f -> f.mark() == OwnerMark.DEFAULT.apply(4242))).hasSize(100);

        CommitResult full = b.commit().get();
        assertThat(full.written()).as("commit (hactl commit) writes everything").isEqualTo(2000);
        assertThat(full.sinceMillis()).isEqualTo(-1);

        // as a new master (whose marked flows are its own now): the peer's flows adopted as the
        // kernel holds them (no dump), bulk: each flow goes to a once
        await().atMost(Duration.ofSeconds(30)).until(() -> b.status().transmitQueue() == 0
                && b.status().resendQueue() == 0);
        b.setStanding(Standing.ACTIVE).get();
        long sent0 = b.status().counters().get("messages_sent");
        PeerAdoption.Result adopted = b.adoptPeerFlows().get();
        assertThat(adopted).isEqualTo(new PeerAdoption.Result(2000, 0, 0, 0, false));
        assertThat(b.status().externalFlows()).isZero();
        assertThat(b.flows(SyncEngine.Cache.INTERNAL).get()).as("what the kernel holds, the owner bit aside")
                .extracting(f -> f.orig() + " mark " + f.mark())
                .containsExactlyInAnyOrderElementsOf(kernelB.dump(Sockets.AF_INET).stream()
                        .map(f -> f.orig() + " mark " + OwnerMark.DEFAULT.strip(f.mark())).toList());
        assertThat(b.bulkSend().get()).isEqualTo(2000);
        await().atMost(Duration.ofSeconds(30)).until(() -> a.status().externalFlows() == 2000
                && b.status().transmitQueue() == 0 && b.status().resendQueue() == 0);
        long sent = b.status().counters().get("messages_sent") - sent0;
        assertThat(sent).as("flows and bulk markers, each flow once (retransmissions aside)").isBetween(2002L, 2100L);
    }

    @Test
    void theCatchUpAfterACommitSendsThePeerOnlyTheFlowsItDidNotSend() throws Exception {
        startBothAndReplicate(20_000, 60);
        long resyncs0 = resyncsFromKernel(b);

        // b's own flows, written while the commit runs (its events are paused then) and after it
        List<Flow> local = flows(200, 100_000);
        java.util.concurrent.CompletableFuture<CommitResult> commit = b.commit();
        int i = 0;
        for (; i < local.size() && !commit.isDone(); i++) {
            assertThat(kernelB.batch(List.of(local.get(i)), BatchMode.CREATE).succeeded()).isEqualTo(1);
        }
        assertThat(kernelB.batch(local.subList(i, local.size()), BatchMode.CREATE).succeeded()).isEqualTo(local.size() - i);
        assertThat(commit.get().written()).isEqualTo(20_000);

        // the catch-up dump takes b's own 200 flows into its internal cache, not the 20,000 it
        // wrote for a (its own events for them are dropped: they are not b's to send) ...
        await().atMost(Duration.ofSeconds(30)).until(() -> resyncsFromKernel(b) > resyncs0
                && b.status().internalFlows() == 200);
        // ... and sends a those 200, not a's 20,000 back
        await().atMost(Duration.ofSeconds(30)).until(() -> a.status().externalFlows() == 200
                && b.status().transmitQueue() == 0 && b.status().resendQueue() == 0);
        assertThat(a.flows(SyncEngine.Cache.EXTERNAL).get().stream().map(Flow::orig))
                .containsExactlyInAnyOrderElementsOf(local.stream().map(Flow::orig).toList());

        // a flush of the external cache right after a commit (as the MASTER transition does): the
        // catch-up still knows what the commit wrote (the bench saw it send all 100,000 back)
        long resyncs1 = resyncsFromKernel(b);
        b.flush(SyncEngine.Cache.INTERNAL).get();
        assertThat(b.commit().get().written()).isEqualTo(20_000);
        b.flush(SyncEngine.Cache.EXTERNAL).get();
        await().atMost(Duration.ofSeconds(30)).until(() -> resyncsFromKernel(b) > resyncs1
                && b.status().internalFlows() == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> b.status().transmitQueue() == 0 && b.status().resendQueue() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.status().externalFlows() == 200); // a's snapshot may lag
    }

    @Test
    void with20PercentLossOnTheSyncLinkEverythingConvergesWithNothingLost() throws Exception {
        SyncPair.injectLoss(pair.a, PORT, 20);
        SyncPair.injectLoss(pair.b, PORT, 20);
        startBoth(configA(), configB());
        List<Flow> load = flows(20_000, 0);
        kernelA.batch(load, BatchMode.CREATE);
        kernelA.batchDelete(load.subList(0, 1000));
        kernelA.batch(load.subList(1000, 2000).stream().map(f -> f.toBuilder().mark(99).build()).toList(),
                BatchMode.UPDATE);

        awaitExternal(b, 19_000, 60);
        await().atMost(Duration.ofSeconds(60)).until(() -> b.flows(SyncEngine.Cache.EXTERNAL).get().stream()
                .filter(f -> f.mark() == 99).count() == 1000);
        Map<Tuple, Flow> ext = byTuple(b.flows(SyncEngine.Cache.EXTERNAL).get());
        Map<Tuple, Flow> kernel = byTuple(kernelA.dump(Sockets.AF_INET));
        assertThat(ext.keySet()).isEqualTo(kernel.keySet());
        Map<String, Long> cb = b.status().counters();
        Map<String, Long> ca = a.status().counters();
        assertThat(cb.get("messages_lost")).as("loss was really injected").isPositive();
        assertThat(ca.get("retransmissions")).isPositive();
    }

    @Test
    void datagramSignedWithTheWrongKeyChangesNothingAndIsCounted() throws Exception {
        startBoth(configA(), configB());
        kernelA.batch(flows(10, 0), BatchMode.CREATE);
        awaitExternal(b, 10, 20);

        byte[] wrongKey = new byte[32];
        new SecureRandom().nextBytes(wrongKey);
        List<ByteBuffer> forged = new ArrayList<>();
        DatagramOutbox attacker = new DatagramOutbox(new Authenticator(wrongKey), Long.MAX_VALUE / 2, 1472,
                forged::add, new SyncStats());
        attacker.add(new Message.FlowUpdate(1, io.hactl.sync.wire.CompactFlow.encode(flows(1, 500_000).get(0))));
        attacker.add(new Message.BulkBegin(2));
        attacker.add(new Message.BulkEnd(3, 0));
        attacker.flush();
        pair.a.call(() -> {
            try (DatagramSocket s = new DatagramSocket(null)) {
                s.setReuseAddress(true); // from a's own address and port, held by its engine
                s.bind(new InetSocketAddress("10.99.0.1", PORT));
                ByteBuffer d = forged.get(0);
                byte[] bytes = new byte[d.remaining()];
                d.get(bytes);
                s.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("10.99.0.2", PORT)));
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> b.status().counters().get("drops_bad_mac") == 1);
        assertThat(b.status().externalFlows()).isEqualTo(10);
    }

    @Test
    void restartedPeerWithEmptyCachesGetsEverythingBackByResync() throws Exception {
        startBoth(configA(), configB());
        kernelA.batch(flows(30_000, 0), BatchMode.CREATE);
        awaitExternal(b, 30_000, 60);

        b.close();
        b = pair.b.call(() -> SyncEngine.start(configB(), EngineListener.NONE));
        awaitExternal(b, 30_000, 60);
        assertThat(b.status().bulksReceived()).isPositive();
        assertThat(b.status().counters().getOrDefault("external_stale_removed", 0L)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.status().counters().get("peer_restarts") == 1);
    }

    @Test
    void directInjectPutsReceivedFlowsIntoTheBackupKernelWithoutACommit() throws Exception {
        startBoth(configA(), configB().withDirectInject(true));
        b.setStanding(Standing.STANDBY).get(); // BACKUP: a MASTER's kernel is left alone
        List<Flow> load = flows(5_000, 0);
        kernelA.batch(load, BatchMode.CREATE);

        await().atMost(Duration.ofSeconds(30)).until(() -> kernelB.count() == 5_000);
        kernelA.batchDelete(load.subList(0, 500));
        await().atMost(Duration.ofSeconds(30)).until(() -> kernelB.count() == 4_500);
        Flow sample = kernelB.get(load.get(600).orig(), 0).orElseThrow();
        assertThat(sample.mark()).isEqualTo(OwnerMark.DEFAULT.apply(load.get(600).mark()));
        // what b injected is not echoed back as b's own flows: the kernel drops those events
        assertThat(b.status().internalFlows()).isZero();
        assertThat(b.status().counters().getOrDefault("kernel_events", 0L)).isZero();
    }

    @Test
    void ipv6SyncLinkReplicatesIpv6Flows() throws Exception {
        startBoth(config("a", "b", "fd99::1", "fd99::2"), config("b", "a", "fd99::2", "fd99::1"));
        List<Flow> load = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            load.add(Flow.builder(Tuple.tcp(InetAddress.getByName("2001:db8::" + Integer.toHexString(i + 1)),
                    InetAddress.getByName("2001:db8:1::1"), 40000, 443)).timeout(600)
                    .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).status(Ctnl.IPS_ASSURED).build());
        }
        kernelA.batch(load, BatchMode.CREATE);
        awaitExternal(b, 1000, 30);
        b.commit().get();
        assertThat(kernelB.dump(Sockets.AF_INET6)).hasSize(1000);
    }

    @Test
    void multicastSyncLinkReplicates() throws Exception {
        EngineConfig ca = EngineConfig.defaults("a", "b", List.of(new LinkSpec("sync",
                new InetSocketAddress("10.99.0.1", PORT), new InetSocketAddress("225.0.0.50", PORT), true)), key);
        EngineConfig cb = EngineConfig.defaults("b", "a", List.of(new LinkSpec("sync",
                new InetSocketAddress("10.99.0.2", PORT), new InetSocketAddress("225.0.0.50", PORT), true)), key);
        startBoth(ca, cb);
        kernelA.batch(flows(5_000, 0), BatchMode.CREATE);
        awaitExternal(b, 5_000, 30);
        kernelB.batch(flows(300, 900_000), BatchMode.CREATE);
        awaitExternal(a, 300, 30);
        assertThat(a.status().peerAlive()).isTrue();
    }

    @Test
    void whenTheActiveLinkGoesDownTrafficMovesToTheNextLink() throws Exception {
        pair.addSecondLink();
        EngineConfig ca = EngineConfig.defaults("a", "b", List.of(
                new LinkSpec("sync", new InetSocketAddress("10.99.0.1", PORT), new InetSocketAddress("10.99.0.2", PORT), false),
                new LinkSpec("sync2", new InetSocketAddress("10.98.0.1", PORT), new InetSocketAddress("10.98.0.2", PORT), false)),
                key);
        EngineConfig cb = EngineConfig.defaults("b", "a", List.of(
                new LinkSpec("sync", new InetSocketAddress("10.99.0.2", PORT), new InetSocketAddress("10.99.0.1", PORT), false),
                new LinkSpec("sync2", new InetSocketAddress("10.98.0.2", PORT), new InetSocketAddress("10.98.0.1", PORT), false)),
                key);
        startBoth(ca, cb);
        kernelA.batch(flows(2_000, 0), BatchMode.CREATE);
        awaitExternal(b, 2_000, 30);
        assertThat(a.status().activeLink()).isZero();

        pair.a.exec("ip", "link", "set", "sync", "down"); // b's end loses its carrier too
        await().atMost(Duration.ofSeconds(10)).until(() -> a.status().activeLink() == 1 && b.status().activeLink() == 1);
        kernelA.batch(flows(3_000, 2_000), BatchMode.CREATE);
        awaitExternal(b, 5_000, 30);
        assertThat(a.status().counters().get("link_failovers")).isPositive();
        assertThat(b.status().peerAlive()).isTrue();
    }
}
