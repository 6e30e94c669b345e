package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.cli.ExitCodes;
import io.hactl.controller.cli.Main;
import io.hactl.controller.control.ControlClient;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.wire.KeyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The daemon as systemd runs it, a process of its own in a namespace: its exit code after
 * SIGTERM, and its refusal of a sync address this host does not have, at once and in the
 * configuration's words (as {@code config check} says it).
 */
@LabTest(tools = "conntrack")
class DaemonProcessLabTest {
    @TempDir
    Path dir;
    SyncPair pair;
    Process daemon;

    @BeforeEach
    void setUp() throws Exception {
        pair = SyncPair.create();
        KeyFile.generate(dir.resolve("sync.key"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        pair.close();
    }

    Path config(String local) throws Exception {
        Path f = dir.resolve("hactl.yaml");
        Files.writeString(f, """
                node: { name: a }
                sync:
                  local: %s
                  peer: 10.99.0.2
                  interface: sync
                  key-file: %s
                role: { source: none }
                control: { socket: %s }
                """.formatted(local, dir.resolve("sync.key"), socket()));
        return f;
    }

    Path socket() {
        return dir.resolve("ctl").resolve("hactl.sock");
    }

    Process startDaemon(Path cfg) throws Exception {
        List<String> argv = List.of("ip", "netns", "exec", pair.a.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.hactl.controller.cli.Main", "daemon", "--config", cfg.toString());
        // ip netns exec execs java: the process is the daemon itself, as under systemd
        return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
    }

    String log() throws Exception {
        return Files.readString(dir.resolve("daemon.log"));
    }

    @Test
    void sigtermStopsTheDaemonCleanlyWithExitZero() throws Exception {
        daemon = startDaemon(config("10.99.0.1"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            assertThat(daemon.isAlive()).as("daemon alive; log:%n%s", log()).isTrue();
            try {
                new ControlClient(socket()).call("ping", Duration.ofSeconds(2));
                return true;
            } catch (Exception notYet) {
                return false;
            }
        });
        daemon.destroy(); // SIGTERM, as systemctl stop sends it
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
        assertThat(daemon.exitValue()).as("exit code; log:%n%s", log()).isZero();
        assertThat(log()).contains("SIGTERM, stopping").contains("hactl daemon stopped");
    }

    @Test
    void daemonRefusesASyncAddressNotConfiguredHereBeforeAnythingElse() throws Exception {
        daemon = startDaemon(config("10.99.0.77"));
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("refused, not running").isTrue();
        assertThat(daemon.exitValue()).isEqualTo(ExitCodes.FAILED);
        assertThat(log()).contains("refusing to start")
                .contains("sync.local: 10.99.0.77 is not an address of this host");
        // before anything else: not even the control socket's directory was made
        assertThat(socket().getParent()).doesNotExist();
    }

    @Test
    void configCheckRefusesASyncAddressNotConfiguredHereAndAcceptsOneThatIs() throws Exception {
        Path wrong = config("10.99.0.77");
        String[] check = {"config", "check", "--config", wrong.toString()};
        StringWriter err = new StringWriter();
        int exit = pair.a.call(() -> run(err, check));
        assertThat(exit).isEqualTo(ExitCodes.FAILED);
        assertThat(err.toString()).contains("sync.local: 10.99.0.77 is not an address of this host");

        Path right = config("10.99.0.1");
        StringWriter err2 = new StringWriter();
        assertThat(pair.a.call(() -> run(err2, "config", "check", "--config", right.toString())))
                .as("config check; %s", err2).isEqualTo(ExitCodes.OK);
        // the same file in the other namespace, which has 10.99.0.2 but not 10.99.0.1
        StringWriter err3 = new StringWriter();
        assertThat(pair.b.call(() -> run(err3, "config", "check", "--config", right.toString())))
                .isEqualTo(ExitCodes.FAILED);
        assertThat(err3.toString()).contains("sync.local: 10.99.0.1 is not an address of this host");
    }

    static int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }
}
