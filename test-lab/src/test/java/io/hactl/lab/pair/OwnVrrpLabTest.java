package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.VrrpReport;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover of the firewall pair with hactl's own VRRP as the role source, no keepalived: two
 * daemons advertise every 100 ms on the LAN and the WAN; the MASTER holds the virtual addresses.
 * When it crashes the other takes over, with the conntrack state in its kernel before the
 * addresses go up, and every live flow goes on.
 */
@LabTest(tools = {"nft", "conntrack"})
class OwnVrrpLabTest {
    static final int FLOWS = 300;
    static final String ADVERT = "100ms";
    @TempDir
    Path dir;
    FirewallPair lab;
    HactlNode h1;
    HactlNode h2;
    LiveFlows flows;

    @BeforeEach
    void setUp() {
        lab = FirewallPair.create();
    }

    @AfterEach
    void tearDown(org.junit.jupiter.api.TestInfo test) {
        keepLogs(test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test"));
        for (AutoCloseable c : new AutoCloseable[] {flows, h1, h2}) {
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

    /** The daemons' logs of the last run of each test, in test-lab/target/lab-logs. */
    private void keepLogs(String test) {
        try (var logs = java.nio.file.Files.list(dir)) {
            Path to = Path.of("target", "lab-logs", "OwnVrrpLabTest-" + test).toAbsolutePath();
            java.nio.file.Files.createDirectories(to);
            for (Path p : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
                java.nio.file.Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (java.io.IOException e) {
            System.out.println("could not keep the logs of " + test + ": " + e);
        }
    }

    /** fw1 (priority 150) starts alone and takes the addresses; then fw2 (100) joins as BACKUP. */
    void startPair() throws Exception {
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
        h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, 150, ADVERT));
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h1).equals("MASTER") && h1.holdsLanVip());
        h2.start(h2.confVrrp("10.99.0.2", "10.99.0.1", key, 100, ADVERT));
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h2).equals("BACKUP")
                && "BACKUP".equals(h2.status().role()) && h2.status().peer().alive());
        assertThat(h2.holdsLanVip()).isFalse();
        assertThat(h1.status().role()).isEqualTo("MASTER");
        assertThat(h1.status().roleSource()).isEqualTo("vrrp");
    }

    void openFlows(int n) throws Exception {
        flows = LiveFlows.open(lab.server, lab.client, n, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        await().atMost(Duration.ofSeconds(20)).until(() -> h2.status().caches().external() >= n);
    }

    static String vrrpState(HactlNode h) {
        StatusReport s = h.statusOrNull();
        return s == null || s.vrrp() == null ? "?" : s.vrrp().state();
    }

    /** The MASTER takeover's steps: the state steps done before the addresses went up, then the announcement. */
    static void assertTakeoverInOrder(VrrpReport v) {
        VrrpReport.Transition t = v.lastTransition();
        assertThat(t.to()).isEqualTo("MASTER");
        assertThat(t.overBudget()).as("%s", t).isFalse();
        assertThat(t.steps().stream().map(VrrpReport.Step::step).toList())
                .containsExactly("state", "addresses", "announce");
        VrrpReport.Step state = t.steps().get(0);
        VrrpReport.Step addresses = t.steps().get(1);
        assertThat(state.error()).as("%s", t).isNull();
        assertThat(addresses.error()).as("%s", t).isNull();
        assertThat(state.millis()).isNotNegative();
        assertThat(addresses.atMillis()).isGreaterThanOrEqualTo(state.atMillis() + state.millis());
    }

    @Test
    void crashOfTheMasterMovesTheAddressesAfterTheStateAndKeepsEveryFlow() throws Exception {
        startPair();
        openFlows(FLOWS);

        // fw1 dies: its links go down, its daemon is killed; fw2 hears no advert for the
        // master-down interval (3 x 100 ms plus skew) and takes over
        lab.unplug(lab.fw1);
        h1.kill();
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER") && h2.holdsLanVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> "MASTER".equals(h2.status().role()));
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));

        LiveFlows.Report r = flows.report(10_000);
        StatusReport s = h2.status();
        System.out.println("crash failover with hactl's own VRRP: " + r + "; fw2 vrrp " + s.vrrp().lastTransition()
                + "; role transition " + s.lastTransition());
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertTakeoverInOrder(s.vrrp());
        assertThat(s.vrrp().takeoverWithinBudget()).isEqualTo(1);
        assertThat(s.lastTransition().source()).startsWith("hactl vrrp");
        assertThat(s.lastTransition().ok()).as("%s", s.lastTransition()).isTrue();
        assertThat(s.vrrp().instances()).extracting(VrrpReport.Instance::state).containsOnly("MASTER");
    }

    @Test
    void gracefulStopOfTheMastersDaemonHandsOverAndKeepsEveryFlow() throws Exception {
        startPair();
        openFlows(FLOWS);

        // SIGTERM: fw1 advertises priority 0, takes its addresses down and hands over
        h1.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> vrrpState(h2).equals("MASTER") && h2.holdsLanVip());
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        assertThat(h1.holdsLanVip()).isFalse();

        LiveFlows.Report r = flows.report(5000);
        StatusReport s = h2.status();
        System.out.println("graceful stop with hactl's own VRRP: " + r + "; fw2 vrrp " + s.vrrp().lastTransition()
                + "; preload " + s.lastPreload());
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertTakeoverInOrder(s.vrrp());
        assertThat(s.vrrp().lastTransition().why()).as("%s", s.vrrp().lastTransition()).isNotBlank();
        assertThat(List.of(s.lastTransition().from(), s.lastTransition().to())).containsExactly("BACKUP", "MASTER");
    }
}
