package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.VrrpReport;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewall pair with hactl's own VRRP as the role source, no keepalived, for the lab tests
 * of its failovers: fw1 (sync 10.99.0.1) and fw2 (10.99.0.2) daemons, one shared key, live flows
 * through the pair; each test's daemon logs kept in test-lab/target/lab-logs.
 */
abstract class OwnVrrpLab {
    static final String ADVERT = "100ms";
    static final int HIGH = 150;
    static final int LOW = 100;
    @TempDir
    Path dir;
    FirewallPair lab;
    Path key;
    HactlNode h1;
    HactlNode h2;
    LiveFlows flows;

    @BeforeEach
    void setUp() throws Exception {
        lab = FirewallPair.create();
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
    }

    @AfterEach
    void tearDown(TestInfo test) {
        LabLogs.keep(dir, getClass().getSimpleName() + "-" + LabLogs.method(test));
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

    /** fw1 at priority 150, fw2 at 100, on the LAN and WAN instances of {@link HactlNode#confVrrp}. */
    void startPair() throws Exception {
        startPair(h1.confVrrp("10.99.0.1", "10.99.0.2", key, HIGH, ADVERT),
                h2.confVrrp("10.99.0.2", "10.99.0.1", key, LOW, ADVERT));
    }

    /** fw1 starts alone and takes the addresses; then fw2 joins as BACKUP. */
    void startPair(Path conf1, Path conf2) throws Exception {
        h1.start(conf1);
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h1).equals("MASTER") && h1.holdsLanVip());
        h2.start(conf2);
        await().atMost(Duration.ofSeconds(30)).until(() -> vrrpState(h2).equals("BACKUP")
                && "BACKUP".equals(h2.status().role()) && h2.status().peer().alive());
        assertThat(h2.holdsLanVip()).isFalse();
        assertThat(h1.status().role()).isEqualTo("MASTER");
        assertThat(h1.status().roleSource()).isEqualTo("vrrp");
    }

    /** {@code n} live flows through fw1, all of them in fw2's external cache. */
    void openFlows(int n) throws Exception {
        flows = LiveFlows.open(lab.server, lab.client, n, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        await().atMost(Duration.ofSeconds(20)).until(() -> h2.status().caches().external() >= n);
    }

    /** A crash, seen from the network: the gateway's links go down, then its daemon is killed. */
    void crash(Netns fw, HactlNode h) throws InterruptedException {
        lab.unplug(fw);
        h.kill();
    }

    /**
     * fw1 back from a crash, as after a reboot: its virtual addresses (VI_LAN's and VI_WAN's, and
     * {@code moreAddresses}, e.g. "fd00:50::1/64 dev lan") and its conntrack table gone, its links
     * up, its daemon started again with {@code conf}.
     */
    void rebootFw1(Path conf, String... moreAddresses) throws Exception {
        for (String vip : List.of(FirewallPair.LAN_VIP + "/24 dev lan", FirewallPair.WAN_VIP + "/24 dev wan")) {
            lab.fw1.execRaw(("ip addr del " + vip).split(" "));
        }
        for (String a : moreAddresses) {
            lab.fw1.execRaw(("ip addr del " + a).split(" "));
        }
        assertThat(h1.holdsLanVip() || h1.holdsWanVip()).isFalse();
        lab.fw1.exec("conntrack", "-F");
        lab.plug(lab.fw1);
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h1.start(conf);
    }

    /** The LAN's link-local address, the primary address IPv6 adverts go from, usable (duplicate address detection done). */
    static void awaitLinkLocal(Netns fw) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String a = fw.execRaw("ip", "-6", "-o", "addr", "show", "dev", "lan", "scope", "link").output();
            return a.contains("fe80::") && !a.contains("tentative");
        });
    }

    /** The group's VRRP state as status shows it; "?" while the daemon does not answer. */
    static String vrrpState(HactlNode h) {
        StatusReport s = h.statusOrNull();
        return s == null || s.vrrp() == null ? "?" : s.vrrp().state();
    }

    /** Exactly {@code master} is MASTER (VRRP and role) and holds both virtual addresses; {@code backup} none. */
    static boolean oneMaster(HactlNode master, HactlNode backup) {
        StatusReport m = master.statusOrNull();
        StatusReport b = backup.statusOrNull();
        return m != null && b != null && m.vrrp() != null && b.vrrp() != null
                && "MASTER".equals(m.vrrp().state()) && "MASTER".equals(m.role())
                && "BACKUP".equals(b.vrrp().state()) && "BACKUP".equals(b.role())
                && master.holdsLanVip() && master.holdsWanVip() && !backup.holdsLanVip() && !backup.holdsWanVip();
    }

    /**
     * The MASTER takeover's steps: the state steps done before the addresses went up, then the
     * announcement; or, when the kernel held every flow the peer sent already (a warm standby in
     * step), the addresses and the announcement first and the state steps behind them.
     */
    static void assertTakeoverInOrder(VrrpReport v) {
        VrrpReport.Transition t = v.lastTransition();
        assertThat(t.to()).isEqualTo("MASTER");
        assertThat(t.overBudget()).as("%s", t).isFalse();
        if (t.kernelHeldState()) {
            assertThat(t.steps().stream().map(VrrpReport.Step::step).toList()).as("%s", t)
                    .containsExactly("addresses", "announce", "state");
            assertThat(t.steps()).as("%s", t).allSatisfy(s -> assertThat(s.error()).isNull());
            return;
        }
        assertThat(t.steps().stream().map(VrrpReport.Step::step).toList())
                .containsExactly("state", "addresses", "announce");
        VrrpReport.Step state = t.steps().get(0);
        VrrpReport.Step addresses = t.steps().get(1);
        assertThat(state.error()).as("%s", t).isNull();
        assertThat(addresses.error()).as("%s", t).isNull();
        assertThat(state.millis()).isNotNegative();
        assertThat(addresses.atMillis()).isGreaterThanOrEqualTo(state.atMillis() + state.millis());
    }
}
