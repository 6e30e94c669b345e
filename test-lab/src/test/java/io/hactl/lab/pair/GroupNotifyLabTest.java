package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import io.hactl.controller.cli.Main;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.wire.KeyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * keepalived set up the seed article's way: the notify on the vrrp_sync_group (here hactl's hook,
 * which writes keepalived's GROUP lines into the daemon's FIFO), and hactl configured without a
 * sync-group. The group's lines drive the role, and live flows survive a failover.
 */
@LabTest(tools = {"keepalived", "nft", "conntrack", "timeout"})
class GroupNotifyLabTest {
    static final int FLOWS = 200;
    @TempDir
    Path dir;
    /** Root-owned 0755 directories all the way, as keepalived's script security wants for the hook. */
    Path safe;
    FirewallPair lab;
    Keepalived k1;
    Keepalived k2;
    HactlNode h1;
    HactlNode h2;
    LiveFlows flows;

    @BeforeEach
    void setUp() throws Exception {
        safe = Path.of("/run/hactl-lab-group-" + ProcessHandle.current().pid());
        Files.createDirectories(safe, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.copy(Path.of("../hooks/src/keepalived-notify").toAbsolutePath().normalize(), safe.resolve("keepalived-notify"));
        Files.setPosixFilePermissions(safe.resolve("keepalived-notify"), PosixFilePermissions.fromString("rwxr-xr-x"));
        lab = FirewallPair.create();
    }

    @AfterEach
    void tearDown(TestInfo test) throws Exception {
        LabLogs.keep(dir, getClass().getSimpleName() + "-" + LabLogs.method(test));
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
        try (var files = Files.walk(safe)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The hook for one gateway: both share this filesystem, so each has its FIFO. */
    Path hookFor(String node, Path fifo) throws Exception {
        Path w = safe.resolve("notify-" + node);
        Files.writeString(w, "#!/bin/sh\nHACTL_NOTIFY_FIFO=" + fifo + " exec " + safe.resolve("keepalived-notify") + " \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return w;
    }

    String role(HactlNode h) {
        var st = h.statusOrNull();
        return st == null ? "?" : st.role();
    }

    static String configCheck(Path conf) {
        var cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int exit = cl.execute("config", "check", "--config", conf.toString());
        return exit + " " + out;
    }

    @Test
    void notifyOnTheSyncGroupWithoutSyncGroupConfiguredDrivesTheRoleAndFlowsSurviveAFailover() throws Exception {
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1").fifoAt(safe.resolve("fw1.fifo")).withoutSyncGroup();
        h2 = new HactlNode(lab.fw2, dir, "fw2").fifoAt(safe.resolve("fw2.fifo")).withoutSyncGroup();
        Path conf1 = h1.conf("10.99.0.1", "10.99.0.2", key);
        // in fw1's namespace: config check also checks that the sync address is this host's
        assertThat(lab.fw1.call(() -> configCheck(conf1))).startsWith("0 ").contains("role: no role.keepalived.sync-group: the first"
                + " vrrp_sync_group whose GROUP line reaches " + h1.fifo() + " drives the role");
        h1.start(conf1);
        h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && h2.statusOrNull() != null
                && Files.exists(h1.fifo()) && Files.exists(h2.fifo()));
        k1 = new Keepalived(lab.fw1, dir, "fw1");
        k2 = new Keepalived(lab.fw2, dir, "fw2");
        k1.start(k1.confNotifyOnGroup(150, hookFor("fw1", h1.fifo()), h1.trackFile()));
        k2.start(k2.confNotifyOnGroup(100, hookFor("fw2", h2.fifo()), h2.trackFile()));
        await("fw1 MASTER with the address, fw2 BACKUP").atMost(Duration.ofSeconds(30))
                .until(() -> k1.holdsVip() + " " + role(h1) + " " + role(h2), is("true MASTER BACKUP"));
        assertThat(h1.status().lastTransition().source()).isEqualTo("keepalived group G1");

        flows = LiveFlows.open(lab.server, lab.client, FLOWS, 50);
        await().atMost(Duration.ofSeconds(20)).until(() -> flows.allEchoingWithin(1000));
        await().atMost(Duration.ofSeconds(20)).until(() -> h2.status().caches().external() >= FLOWS);

        k1.stop();
        await().atMost(Duration.ofSeconds(15)).until(() -> k2.holdsVip() && role(h2).equals("MASTER"));
        await().atMost(Duration.ofSeconds(15)).until(() -> flows.allEchoingWithin(1000));
        LiveFlows.Report r = flows.report(5000);
        System.out.println("failover driven by the sync group's notify: " + r);
        assertThat(r.survived()).as("%s", r).isEqualTo(FLOWS);
        assertThat(h2.status().lastTransition().source()).isEqualTo("keepalived group G1");
    }
}
