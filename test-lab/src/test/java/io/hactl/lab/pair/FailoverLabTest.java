package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.lab.LabTest;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover of a real firewall pair in namespaces: keepalived (VRRPv3, LAN + WAN sync group) moves
 * the virtual addresses, hactl moves the connection state, live TCP flows go on — and without
 * state sync the same flows die, which proves the lab can tell the difference.
 */
@LabTest(tools = {"keepalived", "nft", "conntrack"})
class FailoverLabTest {
    static final int FLOWS = 1000;
    @TempDir
    Path dir;
    FirewallPair lab;
    Keepalived k1;
    Keepalived k2;
    HactlNode h1;
    HactlNode h2;
    LiveFlows flows;

    @BeforeEach
    void setUp() {
        lab = FirewallPair.create();
    }

    @AfterEach
    void tearDown(org.junit.jupiter.api.TestInfo test) {
        LabLogs.keep(dir, LabLogs.method(test));
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

    void startPair(boolean withHactl) throws Exception {
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        k1 = new Keepalived(lab.fw1, dir, "fw1");
        k2 = new Keepalived(lab.fw2, dir, "fw2");
        Path fifo1 = dir.resolve("none1.fifo");
        Path fifo2 = dir.resolve("none2.fifo");
        Path track1 = null;
        Path track2 = null;
        if (withHactl) {
            h1 = new HactlNode(lab.fw1, dir, "fw1");
            h2 = new HactlNode(lab.fw2, dir, "fw2");
            h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
            h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
            await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null);
            fifo1 = h1.fifo();
            fifo2 = h2.fifo();
            track1 = h1.trackFile();
            track2 = h2.trackFile();
        }
        k1.start(k1.conf(150, fifo1, track1));
        k2.start(k2.conf(100, fifo2, track2));
        await().atMost(Duration.ofSeconds(20)).until(() -> k1.holdsVip());
        if (withHactl) {
            await().atMost(Duration.ofSeconds(20)).until(() -> "MASTER".equals(h1.status().role())
                    && "BACKUP".equals(h2.status().role()));
        }
    }

    void openFlows(boolean withHactl) throws Exception {
        openFlows(withHactl, FLOWS);
    }

    void openFlows(boolean withHactl, int n) throws Exception {
        flows = LiveFlows.open(lab.server, lab.client, n, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        if (withHactl) {
            await().atMost(Duration.ofSeconds(20)).until(() -> h2.status().caches().external() >= n);
        }
    }

    String role(HactlNode h) {
        var st = h.statusOrNull();
        return st == null ? "?" : st.role();
    }

    @Test
    void failbackToFw1KeepsEveryFlow() throws Exception {
        startPair(true);
        openFlows(true, 200);
        k1.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip() && role(h2).equals("MASTER"));
        await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000));
        // fw1 learns the flows back from fw2 (as its external cache) before it preempts
        await().atMost(Duration.ofSeconds(20)).until(() -> h1.status().caches().external() >= 200);

        k1.start(dir.resolve("fw1-keepalived.conf"));
        await().atMost(Duration.ofSeconds(20)).until(() -> k1.holdsVip() && role(h1).equals("MASTER"));
        await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report r = flows.report(5000);
        System.out.println("failover and failback with hactl: " + r);
        assertThat(r.survived()).as("%s", r).isEqualTo(200);
    }

    @Test
    void twentyPercentLossOnTheSyncLinkDuringAFailoverLosesNoFlow() throws Exception {
        startPair(true);
        io.hactl.sync.lab.SyncPair.injectLoss(lab.fw1, 3780, 20);
        io.hactl.sync.lab.SyncPair.injectLoss(lab.fw2, 3780, 20);
        openFlows(true, 300);
        k1.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip() && role(h2).equals("MASTER"));
        await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report r = flows.report(5000);
        long dropped = io.hactl.sync.lab.SyncPair.lossDrops(lab.fw1) + io.hactl.sync.lab.SyncPair.lossDrops(lab.fw2);
        System.out.println("failover with 20% sync-link loss: " + r + ", sync datagrams dropped: " + dropped
                + ", messages lost and recovered on fw2: " + h2.status().messagesLost() + ", on fw1: "
                + h1.status().messagesLost());
        assertThat(r.survived()).as("%s", r).isEqualTo(300);
        // the loss was real: nftables dropped sync datagrams (which ones, and whether they carried
        // flows or only acknowledgements and heartbeats, is chance)
        assertThat(dropped).as("sync datagrams dropped by the injected loss").isPositive();
    }

    @Test
    void restartingTheBackupsDaemonThenFailingOverLosesNoFlow() throws Exception {
        startPair(true);
        openFlows(true, 300);
        h2.close();
        h2 = new HactlNode(lab.fw2, dir, "fw2");
        h2.start(dir.resolve("fw2-hactl.yaml"));
        // the restarted daemon asks fw1 for everything at start
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.statusOrNull() != null
                && h2.status().caches().external() >= 300);
        k1.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip() && role(h2).equals("MASTER"));
        await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report r = flows.report(5000);
        System.out.println("backup daemon restarted, then failover: " + r);
        assertThat(r.survived()).as("%s", r).isEqualTo(300);
    }

    @Test
    void gracefulStopOfTheMastersKeepalivedKeepsEveryFlow() throws Exception {
        startPair(true);
        openFlows(true);

        k1.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> k2.holdsVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> "MASTER".equals(h2.status().role()));
        await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000));

        LiveFlows.Report r = flows.report(5000);
        var t = h2.status().lastTransition();
        // keepalived's event reaches the daemon through the FIFO in well under a millisecond; from
        // its arrival the commit is the transition's first step
        System.out.println("graceful failover with hactl: " + r + "; keepalived event -> commit done "
                + t.steps().get(0).millis() + " ms; fw2 transition " + t);
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertThat(h2.status().lastTransition().ok()).isTrue();

        // leaving MASTER, fw1 told fw2 first, and fw2 loaded the flows into its kernel before
        // keepalived made it MASTER (keepalived notifies only once the addresses are up)
        var left = h1.status().lastTransition();
        System.out.println("fw1 left MASTER: " + left);
        assertThat(left.from()).isEqualTo("MASTER");
        assertThat(left.steps().get(0).name()).isEqualTo("hand-over");
        assertThat(left.steps().get(0).ok()).isTrue();
        var handover = h2.status().lastPreload();
        System.out.println("fw2 on fw1's hand-over: " + handover);
        assertThat(handover.ok()).as("%s", handover).isTrue();
        // all of them, or (warm standby, the default) what the kernel did not hold yet
        assertThat(handover.steps().get(0).detail()).satisfiesAnyOf(
                d -> assertThat(d).contains("committed " + FLOWS + "/" + FLOWS),
                d -> assertThat(d).contains(" unchanged since the commit"));
        assertThat(java.time.Instant.parse(handover.at()))
                .isBefore(java.time.Instant.parse(t.at()));
        // and the MASTER transition's commit rewrote only what changed since that preload
        assertThat(t.steps().get(0).detail()).contains("unchanged since the commit");
    }

    @Test
    void crashOfTheMasterKeepsEveryFlow() throws Exception {
        startPair(true);
        openFlows(true);

        // fw1 dies: its links go down, then its keepalived is killed; fw2 takes over after the
        // VRRP master-down interval. (The other order races: keepalived's VRRP child, on its
        // parent's death, may still send the priority-0 advert of a graceful stop.)
        lab.unplug(lab.fw1);
        k1.kill();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> "MASTER".equals(h2.status().role()));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));

        LiveFlows.Report r = flows.report(10_000);
        System.out.println("crash failover with hactl: " + r);
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertThat(h2.status().peer().alive()).as("fw1 is gone").isFalse();
        // fw2 heard fw1 fall silent (dead-after 1.2 s) and preloaded the flows before VRRP's
        // master-down interval (about 3.6 s) made it MASTER
        var preload = h2.status().lastPreload();
        var took = h2.status().lastTransition();
        System.out.println("fw2 preload: " + preload + "; then " + took.from() + " -> "
                + took.to() + " at " + took.at());
        assertThat(preload.source()).as("%s", preload).isEqualTo("peer silent");
        assertThat(preload.ok()).isTrue();
        // keepalived on fw1 may see its LAN go down first and go FAULT, and fw1 then hands over
        // before its sync link follows: the silence finds the flows loaded already
        assertThat(preload.steps().get(0).detail()).satisfiesAnyOf(
                d -> assertThat(d).contains("committed " + FLOWS + "/" + FLOWS),
                d -> assertThat(d).contains(" unchanged since the commit")); // warm standby wrote them before
        assertThat(java.time.Instant.parse(preload.at()))
                .isBefore(java.time.Instant.parse(took.at()));
    }

    @Test
    void withoutStateSyncTheSameFailoverKillsTheFlows() throws Exception {
        startPair(false);
        openFlows(false);

        k1.stop();
        await().atMost(Duration.ofSeconds(10)).until(() -> k2.holdsVip());
        // a flow whose state fw2 lacks is invalid there and dropped: it never echoes again
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(20)).until(() -> true);
        LiveFlows.Report r = flows.report(5000);
        System.out.println("graceful failover without state sync: " + r);
        assertThat(r.died()).as("%s", r).isEqualTo(FLOWS);
    }

    @Test
    void aCutSyncLinkIsReportedAndAfterItHealsAFailoverLosesNoFlow() throws Exception {
        startPair(true);
        openFlows(true, 200);
        lab.cutSync();
        await().atMost(Duration.ofSeconds(10)).until(() -> !h2.status().peer().alive());
        // flows opened while the link is down are only on fw1
        try (LiveFlows more = LiveFlows.open(lab.server, lab.client, 50, 50, 7008)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> more.allEchoingWithin(1000));
            lab.healSync();
            await().atMost(Duration.ofSeconds(30)).until(() -> h2.status().peer().alive()
                    && h2.status().caches().external() >= 250);
            k1.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip() && role(h2).equals("MASTER"));
            await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000) && more.allEchoingWithin(1000));
            LiveFlows.Report r = flows.report(5000);
            LiveFlows.Report r2 = more.report(5000);
            System.out.println("sync link cut and healed, then failover: " + r + "; opened during the cut: " + r2);
            assertThat(r.survived()).as("%s", r).isEqualTo(200);
            assertThat(r2.survived()).as("%s", r2).isEqualTo(50);
        }
    }

    @Test
    void aWholeNodeRestartedRejoinsAndTakesBackWithEveryFlow() throws Exception {
        startPair(true);
        openFlows(true, 200);
        // fw1 goes down entirely: keepalived and hactl gone, links down
        k1.kill();
        h1.close();
        lab.unplug(lab.fw1);
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip() && role(h2).equals("MASTER"));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        // fw1 boots again: links up, hactl, then keepalived; it resyncs and preempts
        for (String ifname : java.util.List.of("lan", "wan", "sync")) {
            lab.fw1.exec("ip", "link", "set", ifname, "up");
        }
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h1.start(dir.resolve("fw1-hactl.yaml"));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null);
        k1.start(dir.resolve("fw1-keepalived.conf"));
        await().atMost(Duration.ofSeconds(60)).until(() -> k1.holdsVip() && role(h1).equals("MASTER"));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report r = flows.report(10_000);
        System.out.println("whole node restarted and took back: " + r + "; fw1 commit "
                + h1.status().lastTransition().steps().get(0));
        assertThat(r.survived()).as("%s", r).isEqualTo(200);
        // fw1 wrote the 200 flows into its kernel: in its MASTER transition's commit or, when fw2's
        // hand-over (fw2 leaves MASTER on the preemption) arrived before keepalived's MASTER line,
        // in the preload it triggered, and the transition's commit then found them unchanged (the
        // two arrive on different paths, so either order occurs)
        var took = h1.status().lastTransition();
        var preload = h1.status().lastPreload();
        assertThat(took.steps().get(0).detail()).as("preload %s", preload).satisfiesAnyOf(
                d -> assertThat(d).startsWith("committed 200/200"),
                // warm standby (the default) wrote them while fw1 was BACKUP
                d -> assertThat(d).contains("200 unchanged since the commit"),
                d -> {
                    assertThat(d).contains("200 unchanged since the commit");
                    assertThat(preload.source()).isEqualTo("peer hand-over");
                    assertThat(preload.ok()).isTrue();
                    assertThat(preload.steps().get(0).detail()).startsWith("committed 200/200");
                    assertThat(java.time.Instant.parse(preload.at()))
                            .isBefore(java.time.Instant.parse(took.at()));
                });
    }
}
