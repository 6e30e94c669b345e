package io.hactl.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.StatusReportTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command lines run without picocli answer exactly as the picocli tree does; all others go to it. */
class LeanCliTest {
    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private Thread serving;
    private final AtomicReference<String> lastRequest = new AtomicReference<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            serving.join(5000);
            java.nio.file.Files.deleteIfExists(dir.resolve("hactl.sock"));
            server = null;
        }
    }

    /** A daemon that answers every request with {@code answer}, on dir/hactl.sock. */
    private Path daemon(String answer) throws Exception {
        Path socket = dir.resolve("hactl.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        serving = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
                    while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
                        if (c.read(in) < 0) {
                            break;
                        }
                    }
                    lastRequest.set(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
                    c.write(ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8)));
                } catch (Exception e) {
                    return; // closed by stop()
                }
            }
        });
        serving.start();
        return socket;
    }

    private static HactlCommandTest.Run lean(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = LeanCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new HactlCommandTest.Run(exit, out.toString(), err.toString());
    }

    private static String ok(Object result) throws Exception {
        return "{\"v\":1,\"ok\":true,\"result\":" + ControlProtocol.JSON.writeValueAsString(result) + "}";
    }

    private void sameAsPicocli(String... args) {
        HactlCommandTest.Run lean = lean(args);
        assertThat(lean.exit()).as("%s run here", String.join(" ", args)).isNotEqualTo(LeanCli.NOT_MINE);
        assertThat(lean).as(String.join(" ", args)).isEqualTo(HactlCommandTest.run(args));
    }

    @Test
    void versionPrintsWhatThePicocliCommandPrints() {
        sameAsPicocli("version");
    }

    @Test
    void statusPrintsTheSameScreenJsonAndExitCodeAsThePicocliCommand() throws Exception {
        StatusReport full = StatusReportTest.full();
        StatusReport failedCommit = new StatusReport(new StatusReport.VerdictReport(true, List.of(), "all fine"), "fw1", 12,
                "BACKUP", "keepalived", "", 3000, false, 0, null, null, null, null, 0, 0, -1, null,
                new CommitReport(10, 7, 1, 2, 30, 0, 5000, Map.of("EEXIST", 1, "ENOMEM \"x\"", 1), false), null, null, 0,
                new StatusReport.Conntrack(1024, 65536));
        for (StatusReport s : List.of(full, failedCommit)) {
            Path socket = daemon(ok(ControlProtocol.JSON.valueToTree(s)));
            sameAsPicocli("status", "--socket", socket.toString());
            sameAsPicocli("status", "--json", "--socket=" + socket, "--timeout", "7");
            assertThat(lastRequest.get()).isEqualTo("{\"cmd\":\"status\",\"v\":1}\n");
            stop();
        }
        Path socket = daemon(ok(ControlProtocol.JSON.valueToTree(failedCommit)));
        assertThat(lean("status", "--socket", socket.toString()).out()).startsWith("VERDICT   OK: all fine")
                .contains("FAILURES {\"EEXIST\":1,\"ENOMEM \\\"x\\\"\":1}").contains("WARNING   conntrack hash");
    }

    @Test
    void statsPrintsTheSameCountersAndJsonAsThePicocliCommand() throws Exception {
        Path socket = daemon("{\"v\":1,\"ok\":true,\"result\":{\"messages_sent\":12,\"drops_bad_mac\":0,"
                + "\"a_very_long_counter_name_beyond_32_columns\":9007199254740993,\"text\":\"7\",\"odd\":{\"x\":1}}}");
        sameAsPicocli("stats", "--socket", socket.toString());
        sameAsPicocli("stats", "--json", "--socket", socket.toString());
        assertThat(lean("stats", "--socket", socket.toString()).out()).startsWith(
                "messages_sent                    12\ndrops_bad_mac                    0\n");
        sameAsPicocli("stats", "--socket", dir.resolve("none.sock").toString());
    }

    @Test
    void keysANewerDaemonAddsAreKeptByJsonAndSkippedByTheScreen() throws Exception {
        String answer = ok(ControlProtocol.JSON.valueToTree(StatusReportTest.full())).replace("\"node\":",
                "\"fromANewerDaemon\":{\"list\":[1,2.5,null,{\"x\":[]}],\"empty\":{}},\"node\":");
        Path socket = daemon(answer);
        sameAsPicocli("status", "--socket", socket.toString());
        sameAsPicocli("status", "--socket", socket.toString(), "--json");
        assertThat(lean("status", "--socket", socket.toString(), "--json").out()).contains("\"empty\" : { }");
    }

    @Test
    void aRefusalOrAnUnreachableDaemonSaysSoInOneLineWithTheSameExitCode() throws Exception {
        sameAsPicocli("status", "--socket", dir.resolve("none.sock").toString());
        sameAsPicocli("status", "--config", dir.resolve("none.yaml").toString(), "--socket", dir.resolve("none.sock").toString());
        Path socket = daemon("{\"v\":1,\"ok\":false,\"error\":\"unknown command\"}");
        sameAsPicocli("status", "--socket", socket.toString());
        assertThat(lean("status", "--socket", socket.toString()).err()).isEqualTo("hactl: unknown command\n");
        stop();
        daemon("not json");
        assertThat(lean("status", "--socket", socket.toString()).exit()).isEqualTo(ExitCodes.FAILED);
    }

    @Test
    void theConfigurationsSocketIsTheOneAsked() throws Exception {
        Path socket = daemon(ok(ControlProtocol.JSON.valueToTree(StatusReportTest.full())));
        Path config = dir.resolve("hactl.yaml");
        java.nio.file.Files.writeString(config, "node: { name: fw1 }\ncontrol:\n  socket: " + socket + "\n");
        sameAsPicocli("status", "--config", config.toString());
        assertThat(lean("status", "--config", config.toString()).out()).startsWith("VERDICT   NOT OK: peer-dead");
    }

    @Test
    void anythingButPlainKnownOptionsIsLeftToPicocli() {
        for (String[] args : new String[][] {{}, {"--help"}, {"-h"}, {"version", "--help"}, {"version", "x"}, {"stats", "--bogus"}, {"stats", "internal"},
                {"status", "--help"}, {"status", "-h"}, {"status", "--bogus"}, {"status", "extra"}, {"status", "--socket"},
                {"status", "--socket", "--json"}, {"status", "--socket="}, {"status", "--json", "--json"},
                {"status", "--json=false"}, {"status", "--socket", "/a", "--socket", "/b"}, {"status", "--timeout", "-1"},
                {"status", "--timeout", "ten"}, {"status", "--timeout", "99999999999"}, {"status", "--", "--json"},
                {"status", "--config", "a\0b"}, {"statu"}}) {
            assertThat(lean(args).exit()).as(String.join(" ", args)).isEqualTo(LeanCli.NOT_MINE);
        }
    }
}
