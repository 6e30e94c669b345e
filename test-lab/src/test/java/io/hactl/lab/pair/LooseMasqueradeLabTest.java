package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.lab.bench.ScaleBench;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.DecodeStats;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.wire.KeyFile;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash failover of a pair set up as Debian firewalls usually are: {@code nf_conntrack_tcp_loose=1}
 * (a mid-stream TCP packet without state starts a new entry) and the LAN source-NATed to the WAN
 * virtual address, with 100,000 idle NATed flows in the table besides 1,000 live connections.
 * A packet that reaches the new master before its flow's state would either be picked up as a
 * new flow or, sent by the server to the virtual address, be answered by the gateway's own TCP
 * stack with a reset. With hactl's VRRP the state is in the kernel before the addresses move:
 * no connection may break. With keepalived moving the addresses (both at 100 ms adverts) and warm
 * standby none may break either: the backup's kernel holds every flow before. Keepalived with the
 * external cache only is the race itself: the addresses go up while the commit of 101,000 flows
 * runs, and how many connections break depends on how far the commit got (110-124 of 1,000 in
 * three runs, none in a fourth): not a test, a figure for the bench.
 */
@Tag("heavy") // both cores: run alone, after the others (test-lab/pom.xml)
@LabTest(tools = {"keepalived", "nft", "conntrack"})
class LooseMasqueradeLabTest {
    static final int IDLE = 100_000;
    static final int LIVE = 1000;
    static final int SLICE = 25_000;
    static final String ADVERT = "100ms";
    /** A flow silent this long after the failover counts as broken (a crash's TCP backoff step is at most 6.8 s here). */
    static final long DEAD_MILLIS = 10_000;

    @TempDir
    Path dir;
    FirewallPair lab;
    HactlNode h1;
    HactlNode h2;
    Keepalived k1;
    Keepalived k2;
    LiveFlows flows;

    @BeforeEach
    void setUp() throws Exception {
        // both tables share the kernel's limit, and other lab tests may hold flows meanwhile
        if (Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/netfilter/nf_conntrack_max")).get(0).strip())
                < 4L * (IDLE + LIVE)) {
            ScaleBench.raiseConntrackMax();
        }
        lab = FirewallPair.create();
        // the sysctl belongs to the namespace: setting it on fw1 leaves fw2 as it was
        FirewallPair.tcpLoose(lab.fw1, true);
        assertThat(FirewallPair.tcpLoose(lab.fw1)).isTrue();
        assertThat(FirewallPair.tcpLoose(lab.fw2)).as("fw2's nf_conntrack_tcp_loose, fw1's set").isFalse();
        FirewallPair.tcpLoose(lab.fw2, true);
        assertThat(FirewallPair.tcpLoose(lab.fw2)).isTrue();
        lab.snatLanToWanVip();
    }

    @AfterEach
    void tearDown(TestInfo test) {
        LabLogs.keep(dir, "LooseMasqueradeLabTest-" + LabLogs.method(test));
        for (AutoCloseable c : new AutoCloseable[] {flows, k1, k2, h1, h2}) {
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

    @Test
    void crashWithHactlsVrrpBreaksNoConnection() throws Exception {
        crashWithHactlsVrrp(WARM_STANDBY);
    }

    /** The MASTER takeover commits all 101,000 flows, and only then moves the addresses. */
    @Test
    void crashWithHactlsVrrpAndTheExternalCacheOnlyBreaksNoConnection() throws Exception {
        crashWithHactlsVrrp(EXTERNAL_CACHE_ONLY);
    }

    /** With warm standby the backup's kernel holds every flow before keepalived moves the addresses. */
    @Test
    void crashWithKeepalivedAndHactlInWarmStandbyBreaksNoConnection() throws Exception {
        Outcome o = crashWithKeepalived(WARM_STANDBY);
        assertThat(o.report().survived()).as("%s", o).isEqualTo(LIVE);
        assertThat(o.resetOrClosed()).as("%s", o).isZero();
    }

    /** Sync keys: warm standby (the default: the backup's kernel holds the peer's flows all along), or the commit on MASTER. */
    static final String WARM_STANDBY = "";
    static final String EXTERNAL_CACHE_ONLY = "direct-inject: false";

    private void crashWithHactlsVrrp(String sync) throws Exception {
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
        h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, 150, ADVERT, sync));
        await().atMost(Duration.ofSeconds(30)).until(() -> OwnVrrpLabTest.vrrpState(h1).equals("MASTER") && h1.holdsLanVip());
        h2.start(h2.confVrrp("10.99.0.2", "10.99.0.1", key, 100, ADVERT, sync));
        await().atMost(Duration.ofSeconds(30)).until(() -> OwnVrrpLabTest.vrrpState(h2).equals("BACKUP")
                && "BACKUP".equals(h2.status().role()) && h2.status().peer().alive());
        loadAndOpen();

        lab.cutOffSyncFirst(lab.fw1); // no hand-over: the MASTER takeover must load the state
        h1.kill();
        await().atMost(Duration.ofSeconds(15)).until(() -> OwnVrrpLabTest.vrrpState(h2).equals("MASTER") && h2.holdsLanVip());
        Outcome o = settle();
        StatusReport s = awaitMaster(h2);
        System.out.println("loose=1, SNAT, " + IDLE + " idle flows, " + label(sync) + ", crash with hactl's VRRP: " + o
                + "; fw2 vrrp " + s.vrrp().lastTransition() + "; role transition " + s.lastTransition());
        assertThat(o.report().survived()).as("%s", o).isEqualTo(LIVE);
        assertThat(o.resetOrClosed()).as("%s", o).isZero();
        if (s.vrrp().lastTransition().overBudget()) {
            // the commit outlasted its budget (2 s, a busy machine with the external cache only):
            // the addresses went up at the budget, as designed, and the commit finished behind them
            System.out.println("MASTER commit over its budget: " + s.vrrp().lastTransition());
            assertThat(s.vrrp().takeoverOverBudget()).isEqualTo(1);
        } else {
            OwnVrrpLabTest.assertTakeoverInOrder(s.vrrp());
        }
    }

    private Outcome crashWithKeepalived(String sync) throws Exception {
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
        h1.start(h1.conf("10.99.0.1", "10.99.0.2", key, sync));
        h2.start(h2.conf("10.99.0.2", "10.99.0.1", key, sync));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null);
        k1 = new Keepalived(lab.fw1, dir, "fw1").advertInterval("0.1");
        k2 = new Keepalived(lab.fw2, dir, "fw2").advertInterval("0.1");
        k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
        k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
        await().atMost(Duration.ofSeconds(20)).until(() -> k1.holdsVip()
                && "MASTER".equals(h1.status().role()) && "BACKUP".equals(h2.status().role()));
        loadAndOpen();

        // links down first (the sync link before the others: no hand-over), then the processes
        lab.cutOffSyncFirst(lab.fw1);
        k1.kill();
        h1.kill();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip());
        Outcome o = settle();
        StatusReport s = awaitMaster(h2);
        System.out.println("loose=1, SNAT, " + IDLE + " idle flows, " + label(sync) + ", crash with keepalived + hactl: " + o
                + "; fw2 preload " + s.lastPreload() + "; role transition " + s.lastTransition());
        return o;
    }

    /**
     * The status once the node's role is MASTER: the connections may all echo again (warm standby)
     * while the MASTER transition still runs its later steps (the internal cache's resync, the bulk).
     */
    static StatusReport awaitMaster(HactlNode h) {
        java.util.concurrent.atomic.AtomicReference<StatusReport> last = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            await(h.name() + "'s MASTER transition").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        last.set(h.status());
                        return "MASTER".equals(last.get().role());
                    });
        } catch (ConditionTimeoutException e) {
            StatusReport s = last.get();
            throw new AssertionError(h.name() + " not MASTER in 60 s: " + (s == null ? "no status" : "role " + s.role()
                    + ", running " + s.running() + ", pending " + s.transitionsPending() + ", last " + s.lastTransition()), e);
        }
        return last.get();
    }

    static String label(String sync) {
        return sync.equals(WARM_STANDBY) ? "warm standby" : "external cache only";
    }

    /**
     * IDLE NATed flows into fw1's kernel, LIVE connections through the pair, and fw2 holding all
     * of them: in its external cache and, as a warm standby, in its kernel.
     */
    private void loadAndOpen() throws Exception {
        loadIdleIntoFw1();
        flows = LiveFlows.open(lab.server, lab.client, LIVE, 50);
        await().atMost(Duration.ofSeconds(30)).until(() -> flows.allEchoingWithin(1000));
        java.util.concurrent.atomic.AtomicReference<String> seen = new java.util.concurrent.atomic.AtomicReference<>("");
        try {
            await("fw2 holding every flow").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        StatusReport s = h2.status();
                        seen.set("external cache " + s.caches().external() + ", warm standby current "
                                + s.sync().standbyCurrent() + ", role " + s.role() + ", role transitions "
                                + s.transitions());
                        return s.caches().external() >= IDLE + LIVE && (!s.sync().directInject() || s.sync().standbyCurrent());
                    });
        } catch (ConditionTimeoutException e) {
            // more than one role transition on fw2 (INIT -> BACKUP) means it took MASTER while fw1 was alive
            throw new AssertionError("fw2 did not catch up with fw1 in 60 s: " + seen.get(), e);
        }
        System.out.println("before the crash, fw1's kernel: " + liveFlowsIn(lab.fw1) + "; fw2's kernel: " + liveFlowsIn(lab.fw2));
        flows.forgetStalls();
    }

    private void loadIdleIntoFw1() throws Exception {
        InetAddress vip = InetAddress.getByName(FirewallPair.WAN_VIP);
        try (Conntrack ct = lab.fw1.call(() -> Conntrack.open(new DecodeStats()))) {
            for (int from = 0; from < IDLE; from += SLICE) {
                List<Flow> slice = new ArrayList<>(SLICE);
                for (int i = from; i < Math.min(IDLE, from + SLICE); i++) {
                    // (client, port) and (server, port) unique per flow, so that each keeps its port behind the virtual address
                    int host = i / 50_000;
                    int port = 10_000 + i % 50_000;
                    InetAddress src = InetAddress.getByAddress(new byte[] {10, 50, (byte) (1 + host), 1});
                    InetAddress dst = InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, (byte) (10 + host)});
                    slice.add(Flow.builder(Tuple.tcp(src, dst, port, 443))
                            .reply(Tuple.tcp(dst, vip, 443, port))
                            .snat(NatRange.to(vip, port))
                            .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(3600)
                            .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
                }
                BatchResult r = ct.batch(slice, BatchMode.CREATE);
                assertThat(r.failed()).as("idle flows refused by fw1's kernel").isZero();
            }
        }
    }

    /** The live flows (to the echo server) in a gateway's kernel, and how many of them are source-NATed. */
    private static String liveFlowsIn(Netns fw) throws Exception {
        InetAddress server = InetAddress.getByName(FirewallPair.SERVER);
        long[] held = new long[2];
        Flow[] one = new Flow[1];
        try (Conntrack ct = fw.call(() -> Conntrack.open(new DecodeStats()))) {
            ct.dump(2, f -> {
                if (f.orig().dst().equals(server)) {
                    held[0]++;
                    one[0] = f;
                    if (f.hasStatus(Ctnl.IPS_SRC_NAT)) {
                        held[1]++;
                    }
                }
            });
        }
        return held[0] + " live flows, " + held[1] + " of them source-NATed (one: " + one[0] + ")";
    }

    /** What the live flows went through in a failover. */
    record Outcome(LiveFlows.Report report, long resetOrClosed, long stalled1s, long stalled5s, String fw2Kernel) {
        @Override
        public String toString() {
            return report + " (" + resetOrClosed + " reset or closed), " + stalled1s + " stalled 1 s or more, "
                    + stalled5s + " 5 s or more; then fw2's kernel: " + fw2Kernel;
        }
    }

    /** Waits until every flow echoes again, or until the survivors have had time to (a broken flow never does). */
    private Outcome settle() throws Exception {
        try {
            await().atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(200))
                    .until(() -> flows.allEchoingWithin(1000));
        } catch (ConditionTimeoutException e) {
            // some never came back: reported, and each test says what must hold
        }
        return new Outcome(flows.report(DEAD_MILLIS), flows.resetOrClosed(), flows.stalledAtLeast(1000),
                flows.stalledAtLeast(5000), liveFlowsIn(lab.fw2));
    }
}
