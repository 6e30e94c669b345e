package io.hactl.lab.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.sync.lab.LabTest;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The keepalived hook against the real keepalived and a running daemon. */
@LabTest(tools = {"keepalived", "timeout"})
class KeepalivedHookLabTest {
    @TempDir
    Path dir;
    /** Root-owned 0755 directories all the way: /run, then ours (keepalived's script security). */
    Path safe;
    FirewallPair lab;
    HactlNode h1;

    @BeforeEach
    void setUp() throws Exception {
        safe = Path.of("/run/hactl-lab-" + ProcessHandle.current().pid());
        Files.createDirectories(safe, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path hook = safe.resolve("keepalived-notify");
        Files.copy(Path.of("../hooks/src/keepalived-notify").toAbsolutePath().normalize(), hook);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (h1 != null) {
            h1.close();
        }
        if (lab != null) {
            lab.close();
        }
        try (var files = Files.walk(safe)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static int run(Path out, String... argv) throws Exception {
        // bounded: every command here ends by itself within seconds
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " hung");
        }
        return p.exitValue();
    }

    Path conf(Path hook) throws Exception {
        Path f = dir.resolve("k.conf");
        Files.writeString(f, """
                global_defs {
                    vrrp_version 3
                    enable_script_security
                    script_user root
                }
                vrrp_sync_group G1 {
                    group {
                        VI_1
                        VI_2
                    }
                    notify %s
                }
                vrrp_instance VI_1 {
                    state BACKUP
                    interface lan
                    virtual_router_id 51
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.1/32
                    }
                    notify_master "%s master"
                }
                vrrp_instance VI_2 {
                    state BACKUP
                    interface lan
                    virtual_router_id 52
                    priority 100
                    advert_int 1
                    virtual_ipaddress {
                        192.0.2.2/32
                    }
                }
                """.formatted(hook, hook));
        return f;
    }

    @Test
    void keepalivedAcceptsTheInstalledHookUnderScriptSecurityAndRefusesAnUnsafeCopy() throws Exception {
        try (io.hactl.sync.lab.Netns ns = io.hactl.sync.lab.Netns.create("kt")) {
            ns.exec("ip", "link", "add", "lan", "type", "veth", "peer", "name", "lan-peer");
            ns.exec("ip", "link", "set", "lan", "up");
            checkConfigs(ns);
        }
    }

    private void checkConfigs(io.hactl.sync.lab.Netns ns) throws Exception {
        Path out = dir.resolve("t.out");
        Path safeConf = conf(safe.resolve("keepalived-notify"));
        assertThat(run(out, "ip", "netns", "exec", ns.name(), "keepalived", "-t", "-f", safeConf.toString()))
                .as(Files.readString(out)).isZero();
        // keepalived -t does not check script security; a short real run does (and logs it)
        assertThat(briefRun(ns, safeConf)).doesNotContain("Unsafe permissions");

        Path unsafe = dir.resolve("keepalived-notify"); // under /tmp, and writable by anyone
        Files.copy(safe.resolve("keepalived-notify"), unsafe);
        Files.setPosixFilePermissions(unsafe, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(briefRun(ns, conf(unsafe))).contains("Unsafe permissions found for script '" + unsafe + "'");
    }

    /** keepalived for three seconds (bounded by timeout(1)), its console log. */
    private String briefRun(io.hactl.sync.lab.Netns ns, Path conf) throws Exception {
        Path out = dir.resolve("run.out");
        run(out, "timeout", "3", "ip", "netns", "exec", ns.name(), "keepalived", "-n", "-l", "-P", "-f", conf.toString(),
                "-p", dir.resolve("k.pid").toString(), "-r", dir.resolve("v.pid").toString());
        return Files.readString(out);
    }

    @Test
    void theHookHandsTheEventToTheDaemonAndFailsFastWithoutOne() throws Exception {
        Path hook = safe.resolve("keepalived-notify");
        Path fifo = safe.resolve("keepalived.fifo");
        Path out = dir.resolve("h.out");

        long t0 = System.nanoTime();
        int code = new ProcessBuilder("env", "HACTL_NOTIFY_FIFO=" + fifo, hook.toString(), "GROUP", "G1", "MASTER", "0")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start().waitFor();
        assertThat(code).isEqualTo(1);
        assertThat(Files.readString(out)).contains("not running");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);

        lab = FirewallPair.create();
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        h1 = new HactlNode(lab.fw1, dir, "fw1").fifoAt(fifo);
        h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
        await().atMost(Duration.ofSeconds(30)).until(() -> h1.statusOrNull() != null && Files.exists(fifo));

        t0 = System.nanoTime();
        code = new ProcessBuilder("env", "HACTL_NOTIFY_FIFO=" + fifo, hook.toString(), "GROUP", "G1", "MASTER", "0")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start().waitFor();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(code).as(Files.readString(out)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> "MASTER".equals(h1.status().role()));
        System.out.println("hook returned in " + ms + " ms");

        code = new ProcessBuilder("env", "HACTL_NOTIFY_FIFO=" + fifo, hook.toString(), "backup")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start().waitFor();
        assertThat(code).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> "BACKUP".equals(h1.status().role()));
        assertThat(new ProcessBuilder(hook.toString(), "sleeping").start().waitFor()).isEqualTo(2);
    }
}
