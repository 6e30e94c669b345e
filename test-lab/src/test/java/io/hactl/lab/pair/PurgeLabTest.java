package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.file.Files;
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
 * Issue 14: a purge deletes only flows hactl wrote from the peer's cache that the peer no
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
        keepLogs(test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test"));
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

    private void keepLogs(String test) {
        try (var logs = Files.list(dir)) {
            Path to = Path.of("target", "lab-logs", test).toAbsolutePath();
            Files.createDirectories(to);
            for (Path p : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (java.io.IOException e) {
            System.out.println("could not keep the logs of " + test + ": " + e);
        }
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

        long before = outcomes(h2);
        h1.stop();
        awaitPurgeScheduled(h2); // b: a went silent, preload in INIT, purge scheduled
        h1.start(conf1);
        awaitPurgeDecided(h2, before);

        assertThat(count(lab.fw1, 70)).as("a's own flows").isEqualTo(N);
        assertThat(h2.status().path("purge").path("last").asText()).startsWith("skipped: role not known yet");
        assertThat(marked(lab.fw2)).as("b's preloaded copies stay while its role is unknown").isEqualTo(N);
        long bulks = h1.status().path("sync").path("bulksReceived").asLong();
        h1.call("request-resync");
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().path("sync").path("bulksReceived").asLong() > bulks);
        assertThat(h2.status().path("caches").path("internal").asInt()).as("b adopted a's flows").isZero();
        assertThat(h1.status().path("caches").path("external").asInt()).as("a got copies of its own flows").isZero();
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
        awaitPurgeDecided(h2, 0); // the one its BACKUP transition scheduled
        loadAndReplicate();

        // upgrade of the master: its daemon restarts into INIT, keepalived stays MASTER and silent
        long before = outcomes(h2);
        h1.stop();
        awaitPurgeScheduled(h2); // the backup preloads on a's silence
        h1.start(conf1);
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null
                && h1.status().path("peer").path("alive").asBoolean());
        assertThat(role(h1)).isEqualTo("INIT");
        // the backup's purge waited for a's bulk, then compared with it: a still has them all
        awaitPurgeDecided(h2, before);
        assertThat(h2.status().path("purge").path("last").asText()).startsWith("removed 0 flows").contains("kept " + N);
        assertThat(h1.status().path("caches").path("internal").asInt()).isEqualTo(N);

        // then the upgrade of the backup: a, in INIT, sees b go silent
        long before1 = outcomes(h1);
        h2.kill();
        awaitPurgeScheduled(h1);
        h2.start(conf2);
        awaitPurgeDecided(h1, before1);
        assertThat(count(lab.fw1, 70)).as("the master's own flows").isEqualTo(N);
        assertThat(h1.status().path("purge").path("last").asText()).startsWith("skipped: role not known yet");
        assertThat(k1.holdsVip()).isTrue();
    }

    @Test
    void flowsLeftByACommitCutShortByKillAreNotAnnouncedBackAndAreLaterPurgedIfThePeerDroppedThem() throws Exception {
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
        h2.kill();
        Set<Tuple> left = tuples(lab.fw2);
        System.out.println("commit on b " + (commit.isDone() ? "finished" : "cut short") + ": " + left.size() + " of " + N
                + " flows left in b's kernel");
        assertThat(left).isNotEmpty();
        assertThat(marked(lab.fw2)).as("every flow b wrote carries the owner mark").isEqualTo(left.size());

        h2.start(conf2);
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.statusOrNull() != null);
        JsonNode stats = h2.call("stats");
        assertThat(stats.path("kernel_flows_of_peer_at_start").asLong()).isEqualTo(left.size());
        assertThat(h2.status().path("caches").path("internal").asInt()).isZero();
        // a asks the restarted b for its flows: none of its own come back
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().path("sync").path("bulksReceived").asLong() >= 1
                && h2.status().path("caches").path("external").asInt() == N);
        long bulks = h1.status().path("sync").path("bulksReceived").asLong();
        h1.call("request-resync");
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().path("sync").path("bulksReceived").asLong() > bulks);
        assertThat(h1.status().path("caches").path("external").asInt()).as("a holds copies of its own flows").isZero();

        // a closes 2,000 flows; b, BACKUP, purges the leftovers among them and keeps the others
        List<Flow> closed = load.subList(0, 2000);
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batchDelete(closed).succeeded()).isEqualTo(2000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().path("caches").path("external").asInt() == N - 2000);
        Set<Tuple> gone = new HashSet<>();
        closed.forEach(f -> gone.add(f.orig()));
        Set<Tuple> expected = new HashSet<>(left);
        expected.removeAll(gone);
        long before = outcomes(h2);
        h2.call("notify", "state", "BACKUP", "source", "test");
        awaitPurgeDecided(h2, before);
        assertThat(tuples(lab.fw2)).isEqualTo(expected);
        assertThat(h2.status().path("purge").path("lastRemoved").asLong()).isEqualTo(left.size() - expected.size());
    }

    @Test
    void aBackupsPurgeRemovesThePeersFlowsThePeerNoLongerHasAndOnlyThose() throws Exception {
        startBoth();
        List<Flow> load = loadAndReplicate();
        List<Flow> own = flows(80, 2000);
        try (Conntrack k = lab.fw2.call(Conntrack::open)) {
            assertThat(k.batch(own, BatchMode.CREATE).succeeded()).isEqualTo(2000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().path("caches").path("internal").asInt() == 2000);
        assertThat(h2.call("commit").path("written").asInt()).isEqualTo(N);
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batchDelete(load.subList(0, 5000)).succeeded()).isEqualTo(5000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().path("caches").path("external").asInt() == N - 5000);
        assertThat(count(lab.fw2, 70)).as("without direct-inject b's kernel keeps them until a purge").isEqualTo(N);

        long before = outcomes(h2);
        h2.call("notify", "state", "BACKUP", "source", "test");
        awaitPurgeDecided(h2, before);
        assertThat(count(lab.fw2, 70)).isEqualTo(N - 5000);
        assertThat(count(lab.fw2, 80)).as("b's own flows").isEqualTo(2000);
        assertThat(h2.status().path("purge").path("lastRemoved").asLong()).isEqualTo(5000);
        assertThat(count(lab.fw1, 70)).isEqualTo(N - 5000);
    }

    // ------------------------------------------------------------ steps

    private void restartOfBLeavesAsFlows(boolean crash) throws Exception {
        startBoth();
        loadAndReplicate();
        long before = outcomes(h1);
        if (crash) {
            h2.kill();
        } else {
            h2.stop();
        }
        awaitPurgeScheduled(h1); // a: b went silent, preload in INIT, purge scheduled
        h2.start(conf2);
        awaitPurgeDecided(h1, before);
        assertThat(count(lab.fw1, 70)).as("a's own flows after the purge was due").isEqualTo(N);
        JsonNode p = h1.status().path("purge");
        System.out.println("a's purge: " + p);
        assertThat(p.path("last").asText()).startsWith("skipped: role not known yet");
        assertThat(h1.status().path("caches").path("internal").asInt()).isEqualTo(N);
    }

    void startBoth() throws Exception {
        h1.start(conf1);
        h2.start(conf2);
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null
                && h1.status().path("peer").path("alive").asBoolean() && h2.status().path("peer").path("alive").asBoolean());
    }

    /** a's own flows into a's kernel; b holds them in its external cache. */
    List<Flow> loadAndReplicate() throws Exception {
        List<Flow> load = flows(70, N);
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batch(load, BatchMode.CREATE).succeeded()).isEqualTo(N);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> h1.status().path("caches").path("internal").asInt() == N
                && h2.status().path("caches").path("external").asInt() == N);
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

    /** How many purges the node has decided (ran, skipped, cancelled) so far. */
    static long outcomes(HactlNode h) throws Exception {
        return h.status().path("purge").path("outcomes").asLong();
    }

    /** A purge was scheduled (a preload's, a transition's) after {@code outcomes} were decided. */
    static void awaitPurgeScheduled(HactlNode h) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode s = h.statusOrNull();
            return s != null && s.path("purgeInMillis").asLong() >= 0;
        });
    }

    /** Purges after the first {@code before} were decided, and none is pending or running. */
    static void awaitPurgeDecided(HactlNode h, long before) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode s = h.statusOrNull();
            return s != null && s.path("purgeInMillis").asLong() == -1 && !s.path("purge").path("running").asBoolean()
                    && s.path("purge").path("outcomes").asLong() > before;
        });
    }

    static String role(HactlNode h) {
        JsonNode s = h.statusOrNull();
        return s == null ? "?" : s.path("role").asText();
    }

    static long count(Netns ns, int net) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            return k.dump(Ctnl.AF_INET).stream().filter(f -> (f.orig().src().getAddress()[1] & 0xff) == net).count();
        }
    }

    static long kernelCount(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            return k.count();
        }
    }

    static long marked(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            return k.dump(Ctnl.AF_INET).stream().filter(f -> OwnerMark.DEFAULT.marks(f.mark())).count();
        }
    }

    static Set<Tuple> tuples(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            Set<Tuple> out = new HashSet<>();
            k.dump(Ctnl.AF_INET).stream().filter(f -> (f.orig().src().getAddress()[1] & 0xff) == 70)
                    .forEach(f -> out.add(f.orig()));
            return out;
        }
    }
}
