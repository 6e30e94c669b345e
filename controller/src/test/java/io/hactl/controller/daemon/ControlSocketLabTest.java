package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.controller.cli.ExitCodes;
import io.hactl.controller.cli.Main;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.control.ControlClient;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.wire.KeyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A running daemon's control socket under idle clients, as root, through the CLI. */
@LabTest(tools = "conntrack")
class ControlSocketLabTest {
    @TempDir
    Path dir;
    SyncPair pair;
    Daemon daemon;
    final List<SocketChannel> idle = new ArrayList<>();

    record Run(int exit, String out, String err) {}

    static Run hactl(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeEach
    void setUp() throws Exception {
        pair = SyncPair.create();
        Path key = dir.resolve("sync.key");
        KeyFile.generate(key);
        Path f = dir.resolve("fw1.yaml");
        Files.writeString(f, """
                node: { name: fw1 }
                sync:
                  local: 10.99.0.1
                  peer: 10.99.0.2
                  interface: sync
                  key-file: %s
                role: { source: keepalived }
                control: { socket: %s }
                """.formatted(key, socket()));
        HactlConfig cfg = ConfigLoader.load(f);
        daemon = pair.a.call(() -> Daemon.start(cfg, true));
    }

    @AfterEach
    void tearDown() {
        for (SocketChannel c : idle) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (daemon != null) {
            daemon.close();
        }
        pair.close();
    }

    Path socket() {
        return dir.resolve("ctl").resolve("hactl.sock");
    }

    void openIdle(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.connect(UnixDomainSocketAddress.of(socket()));
            idle.add(c); // connected, never sends a request
        }
    }

    @Test
    void idleClientsNeverKeepStatusPingOrNotifyFromAnswering() throws Exception {
        String sock = socket().toString();
        for (int n : new int[] {4, 8, 103}) {
            openIdle(n);
            Run status = hactl("status", "--json", "--socket", sock);
            // answered: 0 or 1 by the verdict (a lone daemon's peer is dead), never 3 (unreachable)
            assertThat(status.exit()).as("status with %d more idle clients: %s", n, status.err())
                    .isIn(ExitCodes.OK, ExitCodes.FAILED);
            assertThat(DaemonLabTest.statusJson(status.out()).node()).isEqualTo("fw1");
            assertThat(new ControlClient(socket()).call("ping", Duration.ofSeconds(5)).asText()).isEqualTo("pong");
            Run notify = hactl("notify", "GROUP", "G1", "BACKUP", "100", "--socket", sock);
            assertThat(notify.exit()).as("notify with %d more idle clients: %s", n, notify.err()).isZero();
        }
        // the idle ones are cut off at the read deadline, or made room for, and counted
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode stats = ControlProtocol.JSON.readTree(hactl("stats", "--json", "--socket", sock).out());
            assertThat(stats.path("control_timed_out").asLong() + stats.path("control_evicted").asLong())
                    .isEqualTo(4 + 8 + 103);
        });
        assertThat(DaemonLabTest.statusJson(hactl("status", "--json", "--socket", sock).out()).role())
                .isEqualTo("BACKUP");
    }

    @Test
    void aFlushWithAnUnknownKeyIsRefusedNamingTheKeyAndFlushesNothing() throws Exception {
        try (var kernel = pair.a.call(io.hactl.sync.ctnetlink.Conntrack::open)) {
            kernel.batch(DaemonLabTest.flows(10), io.hactl.sync.ctnetlink.BatchMode.CREATE);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> new ControlClient(socket()).status(Duration.ofSeconds(5))
                .caches().internal() == 10);
        var request = ControlProtocol.JSON.createObjectNode();
        request.put("cmd", "flush");
        request.put("which", "everything");
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.hactl.controller.control.ControlException.class,
                () -> new ControlClient(socket()).call(request, Duration.ofSeconds(5)));
        assertThat(e.getMessage()).isEqualTo("key 'which' is not known for command 'flush' (known: cache)");
        assertThat(new ControlClient(socket()).status(Duration.ofSeconds(5)).caches().internal())
                .isEqualTo(10);
        assertThat(ControlProtocol.JSON.readTree(hactl("stats", "--json", "--socket", socket().toString()).out())
                .path("control_bad_requests").asLong()).isEqualTo(1);
    }

    @Test
    void statsListsEveryCounterZeroIncluded() throws Exception {
        Run json = hactl("stats", "--json", "--socket", socket().toString());
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode stats = ControlProtocol.JSON.readTree(json.out());
        for (String name : io.hactl.sync.engine.EngineCounters.NAMES) {
            assertThat(stats.has(name)).as("stats has %s: %s", name, stats).isTrue();
        }
        assertThat(stats.path("kernel_event_overruns").isIntegralNumber()).isTrue();
        assertThat(stats.path("kernel_event_overruns").asLong()).isZero();
        assertThat(stats.path("handovers_received").asLong()).isZero();
        assertThat(stats.has("control_timed_out")).isTrue();
        assertThat(stats.has("drops_bad_mac")).isTrue();
        Run text = hactl("stats", "--socket", socket().toString());
        assertThat(text.out()).containsPattern("(?m)^kernel_event_overruns +0$").containsPattern("(?m)^purged +0$");
    }
}
