package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hactl's role follows the real keepalived, and a node out of sync is held back. */
@LabTest(tools = {"keepalived", "nft", "conntrack"})
class RoleLabTest {
    @TempDir
    Path dir;
    FirewallPair lab;
    Keepalived k1;
    Keepalived k2;
    HactlNode h1;
    HactlNode h2;
    Path key;

    @BeforeEach
    void setUp() throws Exception {
        lab = FirewallPair.create();
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
        k1 = new Keepalived(lab.fw1, dir, "fw1");
        k2 = new Keepalived(lab.fw2, dir, "fw2");
        h1 = new HactlNode(lab.fw1, dir, "fw1");
        h2 = new HactlNode(lab.fw2, dir, "fw2");
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {k1, k2, h1, h2}) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        lab.close();
    }

    static boolean demoted(HactlNode h) throws java.io.IOException {
        return Files.exists(h.trackFile()) && Files.readString(h.trackFile()).strip().equals("1");
    }

    String role(HactlNode h) {
        var s = h.statusOrNull();
        return s == null ? "?" : s.role();
    }

    @Test
    void afterKeepalivedRestartsInARowHactlsRoleEqualsKeepalivedsOnBothNodes() throws Exception {
        h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
        h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null);
        Path c1 = k1.conf(150, h1.fifo(), h1.trackFile());
        k1.start(c1);
        k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
        await().atMost(Duration.ofSeconds(20)).until(() -> k1.holdsVip() && role(h1).equals("MASTER"));

        for (int i = 0; i < 4; i++) {
            k1.stop();
            k1.start(c1);
        }

        // whoever holds the virtual addresses is MASTER in hactl too, and the other is not
        await().atMost(Duration.ofSeconds(30)).until(() -> k1.holdsVip() && role(h1).equals("MASTER")
                && !k2.holdsVip() && role(h2).equals("BACKUP"));
        var t = h1.status().lastTransition();
        assertThat(t.to()).isEqualTo("MASTER");
        assertThat(t.ok()).isTrue();
    }

    @Test
    void aFreshNodeStaysDemotedUntilItsResyncCompletesThenTakesOverWithTheFullTable() throws Exception {
        int n = 100_000;
        h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null);
        k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
        await().atMost(Duration.ofSeconds(20)).until(() -> k1.holdsVip() && role(h1).equals("MASTER"));
        try (Conntrack kernel = lab.fw1.call(Conntrack::open)) {
            assertThat(kernel.batch(FirewallPair.idleFlows(n), BatchMode.CREATE).succeeded()).isEqualTo(n);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.status().caches().internal() == n);

        // fw2 starts with the higher priority: undemoted it would preempt fw1 with an empty table.
        // Half of what fw1 sends it is lost, so its resync takes a while (heartbeats still pass).
        io.hactl.sync.lab.SyncPair.injectLoss(lab.fw2, 3780, 50);
        h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
        await().atMost(Duration.ofSeconds(30)).until(() -> h2.statusOrNull() != null);
        k2.start(k2.conf(200, h2.fifo(), h2.trackFile()));
        boolean[] sawDemoted = {false};
        boolean[] vipWhileDemoted = {false};
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20)).until(() -> {
            boolean before = demoted(h2);
            sawDemoted[0] |= before;
            boolean vip = k2.holdsVip();
            if (before && vip && demoted(h2)) {
                vipWhileDemoted[0] = true; // demoted before and after seeing the addresses on fw2
            }
            return vip && role(h2).equals("MASTER");
        });
        var commit = h2.status().lastTransition().steps().get(0);
        System.out.println("fresh node: demoted seen " + sawDemoted[0] + "; took over: " + commit);
        assertThat(sawDemoted[0]).as("held back while its resync ran").isTrue();
        assertThat(vipWhileDemoted[0]).as("took the virtual addresses while demoted; fw2's log:\n%s",
                h2.log().lines().filter(l -> l.matches(".*(DEMOT|demotion|bulk|keepalived|transition|peer).*"))
                        .collect(java.util.stream.Collectors.joining("\n"))).isFalse();
        assertThat(commit.name()).isEqualTo("commit");
        // every flow in the kernel: written now, or (warm standby, the default) written before and
        // unchanged since
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^committed (\\d+)/(\\d+) flows[^;]*(?:; (\\d+) unchanged)?")
                .matcher(commit.detail());
        assertThat(m.lookingAt()).as("%s", commit).isTrue();
        assertThat(m.group(1)).as("%s", commit).isEqualTo(m.group(2));
        assertThat(Integer.parseInt(m.group(2)) + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3))))
                .as("%s", commit).isEqualTo(n);
    }
}
