package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.TransitionReport;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.engine.OwnerMark;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.sys.Sockets;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm standby (sync.direct-inject) on a real firewall pair: the backup's kernel holds the
 * master's flows all along, so that taking over after a crash writes only what changed.
 */
@LabTest(tools = {"keepalived", "nft", "conntrack"})
class WarmStandbyLabTest {
    static final int FLOWS = 1000;
    static final int BACKGROUND = 100_000;
    @TempDir
    Path dir;
    FirewallPair lab;
    Keepalived k1;
    Keepalived k2;
    HactlNode h1;
    HactlNode h2;
    LiveFlows flows;

    /**
     * The counts of a transition's commit step, read from {@code hactl status --json} (the step's
     * detail is the engine's CommitResult: "committed W/F flows in M ms; U unchanged since ...").
     */
    record CommitStep(int written, int flows, int unchanged, long millis) {
        private static final Pattern COMMITTED = Pattern.compile("committed (\\d+)/(\\d+) flows");
        private static final Pattern UNCHANGED = Pattern.compile("(\\d+) unchanged");

        /** The commit step of {@code transition} (lastTransition or lastPreload of the status). */
        static CommitStep of(TransitionReport transition) {
            for (TransitionReport.StepReport step : transition.steps()) {
                if (step.name().equals("commit")) {
                    String d = step.detail();
                    Matcher c = COMMITTED.matcher(d);
                    assertThat(c.find()).as("commit step %s", step).isTrue();
                    Matcher u = UNCHANGED.matcher(d);
                    return new CommitStep(Integer.parseInt(c.group(1)), Integer.parseInt(c.group(2)),
                            u.find() ? Integer.parseInt(u.group(1)) : 0, step.millis());
                }
            }
            throw new AssertionError("no commit step in " + transition);
        }
    }

    @BeforeEach
    void setUp() {
        lab = FirewallPair.create();
    }

    @AfterEach
    void tearDown() {
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
    void crashFailoverWith100kBackgroundFlowsKeepsEveryConnectionAndWritesOnlyTheChangedFlows() throws Exception {
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
        h1.start(h1.conf("10.99.0.1", "10.99.0.2", key, "direct-inject: true"));
        h2.start(h2.conf("10.99.0.2", "10.99.0.1", key, "direct-inject: true"));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null);
        k1 = new Keepalived(lab.fw1, dir, "fw1");
        k2 = new Keepalived(lab.fw2, dir, "fw2");
        k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
        k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
        await().atMost(Duration.ofSeconds(30)).until(() -> k1.holdsVip() && role(h1).equals("MASTER")
                && role(h2).equals("BACKUP"));

        flows = LiveFlows.open(lab.server, lab.client, FLOWS, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        try (Conntrack k = lab.fw1.call(Conntrack::open)) {
            assertThat(k.batch(FirewallPair.idleFlows(BACKGROUND), BatchMode.CREATE).succeeded()).isEqualTo(BACKGROUND);
        }
        // the backup's kernel holds them all, written as they arrived: no commit needed
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> marked(lab.fw2) >= FLOWS + BACKGROUND);
        assertThat(h2.status().caches().internal()).as("nothing sent back").isLessThan(FLOWS);

        lab.unplug(lab.fw1);
        k1.kill();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> role(h2).equals("MASTER"));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report r = flows.report(10_000);
        TransitionReport took = h2.status().lastTransition();
        TransitionReport preload = h2.status().lastPreload();
        CommitStep commit = CommitStep.of(took);
        System.out.println("crash failover in warm standby with " + BACKGROUND + " background flows: " + r
                + "; MASTER transition " + took.millis() + " ms, its commit " + commit
                + "; preload " + preload);
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertThat(took.to()).isEqualTo("MASTER");
        assertThat(took.ok()).as("%s", took).isTrue();
        // the background flows never changed: only the live connections may have
        assertThat(commit.written()).as("%s", commit).isEqualTo(commit.flows()).isLessThanOrEqualTo(FLOWS);
        assertThat(commit.unchanged()).as("%s", commit).isGreaterThanOrEqualTo(BACKGROUND);
    }

    static long marked(Netns ns) throws Exception {
        try (Conntrack k = ns.call(Conntrack::open)) {
            long[] n = {0};
            k.dump(Sockets.AF_UNSPEC, f -> {
                if (OwnerMark.DEFAULT.marks(f.mark())) {
                    n[0]++;
                }
            });
            return n[0];
        }
    }

    static String role(HactlNode h) {
        StatusReport st = h.statusOrNull();
        return st == null ? "?" : st.role();
    }
}
