package io.hactl.lab.pair;

import io.hactl.sync.sys.Sockets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.controller.control.StatusReport;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.engine.OwnerMark;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.wire.KeyFile;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A purge deletes only flows hactl wrote from the peer's cache that the peer no
 * longer has, never on a node that may be MASTER; flows written from the peer's cache stay the
 * peer's across daemon restarts. fw1 ("a") holds 20,000 flows of its own; the daemons restart
 * as processes (SIGTERM or SIGKILL), with and without keepalived.
 */
@LabTest(tools = {"keepalived", "nft", "conntrack"})
class PurgeLabTest {
    static final int N = 20_000;
    static final String SYNC = "purge-timeout: 3s";
    @TempDir
    Path dir;
    FirewallPair lab;
    Path key;
    HactlNode h1;
    HactlNode h2;
    Keepalived k1;
    Keepalived k2;
    Path conf1;
    Path conf2;

    @BeforeEach
    void setUp() throws Exception {
        lab = FirewallPair.create();
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
        conf1 = h1.conf("10.99.0.1", "10.99.0.2", key, SYNC);
        conf2 = h2.conf("10.99.0.2", "10.99.0.1", key, SYNC);
    }

    @AfterEach
    void tearDown(org.junit.jupiter.api.TestInfo test) {
        LabLogs.keep(dir, LabLogs.method(test));
        for (AutoCloseable c : new AutoCloseable[] {k1, k2, h1, h2}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        lab.close();
    }

    // ------------------------------------------------------------ scenarios

    @Test
    void bothInInitARestartOfBBySigtermLeavesAsFlowsInItsKernel() throws Exception {
        restartOfBLeavesAsFlows(false);
    }

    @Test
    void bothInInitACrashOfBLeavesAsFlowsInItsKernel() throws Exception {
        restartOfBLeavesAsFlows(true);
    }

    @Test
    void bothInInitARestartOfALeavesItsFlowsAndBNeitherPurgesNorAdoptsWhatItPreloaded() throws Exception {
        startBoth();
        loadAndReplicate();

        awaitNoPurgePending(h2);
        h1.stop();
        awaitPurgeScheduled(h2); // b: a went silent, preloaded in INIT, purge scheduled
        long before = stat(h2, "purges_skipped");
        h1.start(conf1);
        awaitPurges(h2, "purges_skipped", before);
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null);

        assertThat(count(lab.fw1, 70)).as("a's own flows").isEqualTo(N);
        assertThat(stat(h2, "purged")).isZero();
        assertThat(marked(lab.fw2)).as("b's preloaded copies stay while its role is unknown").isEqualTo(N);
        long bulks = h1.status().sync().bulksReceived();
        h1.call("request-resync");
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().sync().bulksReceived() > bulks);
        assertThat(h2.status().caches().internal()).as("b adopted a's flows").isZero();
        assertThat(h1.status().caches().external()).as("a got copies of its own flows").isZero();
    }

    @Test
    void withKeepalivedRestartingTheMasterThenCrashingTheBackupLeavesTheMastersFlows() throws Exception {
        startBoth();
        k1 = new Keepalived(lab.fw1, dir, "fw1");
        k2 = new Keepalived(lab.fw2, dir, "fw2");
        k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
        k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
        await().atMost(Duration.ofSeconds(30)).until(() -> k1.holdsVip() && role(h1).equals("MASTER")
                && role(h2).equals("BACKUP"));
        awaitPurges(h2, "purges_run", 0); // the one its BACKUP transition scheduled
        loadAndReplicate();

        // upgrade of the master: its daemon restarts into INIT, keepalived stays MASTER and silent
        awaitNoPurgePending(h2);
        h1.stop();
        awaitPurgeScheduled(h2); // the backup preloaded on a's silence
        long before = stat(h2, "purges_run");
        h1.start(conf1);
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null
                && h1.status().peer().alive());
        assertThat(role(h1)).isEqualTo("INIT");
        // the backup's purge compared with a's flows: a still has them all
        awaitPurges(h2, "purges_run", before);
        assertThat(stat(h2, "purged")).isZero();
        assertThat(marked(lab.fw2)).as("b's preloaded copies of a's flows").isEqualTo(N);
        assertThat(h1.status().caches().internal()).isEqualTo(N);

        // then the upgrade of the backup: a, in INIT, sees b go silent
        awaitNoPurgePending(h1);
        h2.kill();
        awaitPurgeScheduled(h1);
        long before1 = stat(h1, "purges_skipped");
        h2.start(conf2);
        awaitPurges(h1, "purges_skipped", before1);
        assertThat(count(lab.fw1, 70)).as("the master's own flows").isEqualTo(N);
        assertThat(stat(h1, "purged")).isZero();
        assertThat(k1.holdsVip()).isTrue();
    }

    @Test
    void flowsLeftByACommitCutShortByKillAreNotAnnouncedBackAndAreLaterPurgedIfThePeerDroppedThem() throws Exception {
        // without warm standby: as BACKUP, b's kernel would otherwise get every flow the peer has
        conf2 = h2.conf("10.99.0.2", "10.99.0.1", key, SYNC + "\ndirect-inject: false");
        startBoth();
        List<Flow> load = loadAndReplicate();

        CompletableFuture<JsonNode> commit = CompletableFuture.supplyAsync(() -> {
            try {
                return h2.call("commit");
            } catch (Exception e) {
                return null; // its daemon is killed under it
            }
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> commit.isDone() || kernelCount(lab.fw2) >= 500);
        boolean finished = commit.isDone();
        h2.kill();
        Set<Tuple> left = tuples(lab.fw2);
        System.out.println("commit on b " + (finished ? "finished" : "cut short") + ": " + left.size() + " of " + N
                + " flows left in b's kernel");
        assertThat(left).isNotEmpty();
        assertThat(marked(lab.fw2)).as("every flow b wrote carries the owner mark").isEqualTo(left.size());

        h2.start(conf2);
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.statusOrNull() != null);
        JsonNode stats = h2.call("stats");
        assertThat(stats.path("kernel_flows_of_peer_at_start").asLong()).isEqualTo(left.size());
        assertThat(h2.status().caches().internal()).isZero();
        // a asks the restarted b for its flows: none of its own come back
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().sync().bulksReceived() >= 1
                && h2.status().caches().external() == N);
        long bulks = h1.status().sync().bulksReceived();
        h1.call("request-resync");
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().sync().bulksReceived() > bulks);
        assertThat(h1.status().caches().external()).as("a holds copies of its own flows").isZero();

        // a closes 2,000 flows; b, BACKUP, purges the leftovers among them and keeps the others
        List<Flow> closed = load.subList(0, 2000);
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batchDelete(closed).succeeded()).isEqualTo(2000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().caches().external() == N - 2000);
        Set<Tuple> gone = new HashSet<>();
        closed.forEach(f -> gone.add(f.orig()));
        Set<Tuple> expected = new HashSet<>(left);
        expected.removeAll(gone);
        awaitNoPurgePending(h2);
        h2.call("notify", "state", "BACKUP", "source", "test");
        awaitPurgeScheduled(h2);
        long before = stat(h2, "purges_run");
        awaitPurges(h2, "purges_run", before);
        assertThat(tuples(lab.fw2)).isEqualTo(expected);
        assertThat(stat(h2, "purged")).isEqualTo(left.size() - expected.size());
    }

    @Test
    void aBackupsPurgeRemovesThePeersFlowsThePeerNoLongerHasAndOnlyThose() throws Exception {
        startBoth();
        List<Flow> load = loadAndReplicate();
        List<Flow> own = flows(80, 2000);
        try (Conntrack k = lab.fw2.call(Conntrack::open)) {
            assertThat(k.batch(own, BatchMode.CREATE).succeeded()).isEqualTo(2000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().caches().internal() == 2000);
        assertThat(h2.commit().written()).isEqualTo(N);
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batchDelete(load.subList(0, 5000)).succeeded()).isEqualTo(5000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().caches().external() == N - 5000);
        assertThat(count(lab.fw2, 70)).as("without direct-inject b's kernel keeps them until a purge").isEqualTo(N);

        awaitNoPurgePending(h2);
        h2.call("notify", "state", "BACKUP", "source", "test");
        awaitPurgeScheduled(h2);
        long before = stat(h2, "purges_run");
        awaitPurges(h2, "purges_run", before);
        assertThat(count(lab.fw2, 70)).isEqualTo(N - 5000);
        assertThat(count(lab.fw2, 80)).as("b's own flows").isEqualTo(2000);
        assertThat(stat(h2, "purged")).isEqualTo(5000);
        assertThat(h2.status().purge().last()).contains("removed 5000");
        assertThat(count(lab.fw1, 70)).isEqualTo(N - 5000);
    }

    // ------------------------------------------------------------ steps

    private void restartOfBLeavesAsFlows(boolean crash) throws Exception {
        startBoth();
        loadAndReplicate();
        awaitNoPurgePending(h1);
        if (crash) {
            h2.kill();
        } else {
            h2.stop();
        }
        awaitPurgeScheduled(h1); // a: b went silent, preloaded in INIT, purge scheduled
        long before = stat(h1, "purges_skipped");
        h2.start(conf2);
        awaitPurges(h1, "purges_skipped", before);
        assertThat(count(lab.fw1, 70)).as("a's own flows after the purge was due").isEqualTo(N);
        System.out.println("a's purge: " + h1.status().purge());
        assertThat(stat(h1, "purged")).isZero();
        assertThat(h1.status().caches().internal()).isEqualTo(N);
    }

    void startBoth() throws Exception {
        h1.start(conf1);
        h2.start(conf2);
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null
                && h1.status().peer().alive() && h2.status().peer().alive());
    }

    /** a's own flows into a's kernel; b holds them in its external cache. */
    List<Flow> loadAndReplicate() throws Exception {
        List<Flow> load = flows(70, N);
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batch(load, BatchMode.CREATE).succeeded()).isEqualTo(N);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> h1.status().caches().internal() == N
                && h2.status().caches().external() == N);
        return load;
    }

    static List<Flow> flows(int net, int n) throws Exception {
        List<Flow> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Flow.builder(Tuple.tcp(InetAddress.getByAddress(new byte[] {10, (byte) net, (byte) (i >> 8), (byte) i}),
                    InetAddress.getByName(FirewallPair.SERVER), 20000, 443)).timeout(3600)
                    .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
        }
        return out;
    }

    /** A counter of {@code hactl stats} (0 before it first counts). */
    static long stat(HactlNode h, String name) throws Exception {
        return h.call("stats").path(name).asLong();
    }

    /**
     * Waits for a purge to be decided: {@code purges_skipped} (it was due while the role may be
     * MASTER) or {@code purges_run} (deletes done) beyond {@code before}. Under load a peer's JVM
     * may look silent for a moment and cause a preload of its own; that purge is decided the same
     * way, so counters, not the last outcome, tell what happened.
     */
    static void awaitPurges(HactlNode h, String counter, long before) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            StatusReport s = h.statusOrNull();
            return s != null && stat(h, counter) > before;
        });
    }

    /** No purge pending or running (one a passing silence under load caused is decided first). */
    static void awaitNoPurgePending(HactlNode h) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            StatusReport s = h.statusOrNull();
            return s != null && s.purgeInMillis() == -1 && !s.purge().running()
                    && s.transitionsPending() == 0;
        });
    }

    /**
     * A purge was scheduled (a preload's, a transition's): it shows in status, and the steps
     * before it (the preload's commit) are done. Counters read now count none of its outcome.
     */
    static void awaitPurgeScheduled(HactlNode h) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            StatusReport s = h.statusOrNull();
            return s != null && s.purgeInMillis() >= 0;
        });
    }

    static String role(HactlNode h) {
        StatusReport s = h.statusOrNull();
        return s == null ? "?" : s.role();
    }

    static long count(Netns ns, int net) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            return k.dump(Sockets.AF_INET).stream().filter(f -> (f.orig().src().getAddress()[1] & 0xff) == net).count();
        }
    }

    static long kernelCount(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            return k.count();
        }
    }

    static long marked(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            return k.dump(Sockets.AF_INET).stream().filter(f -> OwnerMark.DEFAULT.marks(f.mark())).count();
        }
    }

    static Set<Tuple> tuples(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            Set<Tuple> out = new HashSet<>();
            k.dump(Sockets.AF_INET).stream().filter(f -> (f.orig().src().getAddress()[1] & 0xff) == 70)
                    .forEach(f -> out.add(f.orig()));
            return out;
        }
    }
}
