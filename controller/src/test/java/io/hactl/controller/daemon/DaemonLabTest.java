package io.hactl.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hactl.controller.cli.ExitCodes;
import io.hactl.controller.cli.Main;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.TransitionReport;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.wire.KeyFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
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

/** Two daemons in two namespaces, driven through the hactl CLI, on the real kernel. */
@LabTest(tools = "conntrack")
class DaemonLabTest {
    @TempDir
    Path dir;
    SyncPair pair;
    Daemon a;
    Daemon b;
    Conntrack kernelA;
    Conntrack kernelB;
    Path key;

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
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
        kernelA = pair.a.call(Conntrack::open);
        kernelB = pair.b.call(Conntrack::open);
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, kernelA, kernelB}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
        pair.close();
    }

    int metricsPort;
    int metricsPortB;

    Path config(String node, String local, String peer) throws Exception {
        Path f = dir.resolve(node + ".yaml");
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            metricsPort = probe.getLocalPort();
        }
        Files.writeString(f, """
                node: { name: %s }
                sync:
                  local: %s
                  peer: %s
                  interface: sync
                  key-file: %s
                  direct-inject: false   # what each command and the hand-over write is seen one by one
                  filter: { ignore-addresses: [10.99.0.0/24, 127.0.0.0/8] }
                role: { source: none }
                control: { socket: %s }
                metrics: { listen: 127.0.0.1:%d }
                """.formatted(node, local, peer, key, dir.resolve(node + "-ctl").resolve("hactl.sock"), metricsPort));
        return f;
    }

    Daemon start(io.hactl.sync.lab.Netns ns, Path cfgFile) throws Exception {
        HactlConfig cfg = ConfigLoader.load(cfgFile);
        return ns.call(() -> Daemon.start(cfg, true));
    }

    String sock(String node) {
        return dir.resolve(node + "-ctl").resolve("hactl.sock").toString();
    }

    static List<Flow> flows(int n) throws Exception {
        List<Flow> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Flow.builder(Tuple.tcp(InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, (byte) (i >> 8), (byte) i}),
                    InetAddress.getByName("203.0.113.80"), 30000 + i % 1000, 443)).timeout(900)
                    .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
        }
        return out;
    }

    /** {@code hactl status --json} as printed, read into the schema. */
    static StatusReport statusJson(String out) throws Exception {
        return StatusReport.of(ControlProtocol.JSON.readTree(out), ControlProtocol.JSON);
    }

    @Test
    void twoDaemonsReplicateAndTheCliDrivesThem() throws Exception {
        a = start(pair.a, config("fw1", "10.99.0.1", "10.99.0.2"));
        b = start(pair.b, config("fw2", "10.99.0.2", "10.99.0.1"));
        metricsPortB = metricsPort;
        kernelA.batch(flows(5000), BatchMode.CREATE);

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Run r = hactl("status", "--json", "--socket", sock("fw2"));
            return r.exit() == 0 && statusJson(r.out()).caches().external() == 5000;
        });
        StatusReport st = statusJson(hactl("status", "--json", "--socket", sock("fw2")).out());
        assertThat(st.role()).isNotEmpty();
        assertThat(st.peer().alive()).isTrue();
        assertThat(st.caches().internal()).isZero();
        assertThat(st.sync().keyFingerprint()).isEqualTo(KeyFile.fingerprint(KeyFile.load(key)));
        // the conntrack sizes as the daemon's network namespace reads them
        Path netfilter = Path.of("/proc/sys/net/netfilter");
        // (a line at a time: a sysctl file answers a second read at an offset with end of file)
        long buckets = pair.b.call(() -> Long.parseLong(
                Files.readAllLines(netfilter.resolve("nf_conntrack_buckets")).get(0)));
        long max = pair.b.call(() -> Long.parseLong(Files.readAllLines(netfilter.resolve("nf_conntrack_max")).get(0)));
        assertThat(st.conntrack()).isEqualTo(new StatusReport.Conntrack(buckets, max));
        assertThat(buckets).isGreaterThan(9);

        // the burst's acknowledged lag may stay above the lagging bound for its 10 s window
        await().atMost(Duration.ofSeconds(20)).until(() -> hactl("status", "--socket", sock("fw1")).exit() == 0);
        Run human = hactl("status", "--socket", sock("fw1"));
        assertThat(human.exit()).as(human.out()).isZero();
        assertThat(human.out()).contains("hactl on fw1").contains("ALIVE").contains("internal 5000 flows")
                .contains("VERDICT   OK");

        Run commit = hactl("commit", "--socket", sock("fw2"));
        assertThat(commit.exit()).as(commit.err()).isZero();
        assertThat(commit.out()).startsWith("committed 5000 of 5000 flows");
        assertThat(kernelB.count()).isEqualTo(5000);

        Run cache = hactl("cache", "external", "--socket", sock("fw2"));
        assertThat(cache.out()).contains("5000 flows in the external cache").contains("dst=203.0.113.80");
        Run stats = hactl("stats", "--json", "--socket", sock("fw2"));
        assertThat(ControlProtocol.JSON.readTree(stats.out()).path("drops_bad_mac").asLong()).isZero();

        assertThat(hactl("flush", "external", "--socket", sock("fw2")).out()).contains("5000 flows");
        assertThat(hactl("request-resync", "--socket", sock("fw2")).exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> statusJson(
                hactl("status", "--json", "--socket", sock("fw2")).out()).caches().external() == 5000);
        assertThat(hactl("purge", "--socket", sock("fw2")).out()).contains("scheduled in 60 s");
        assertThat(statusJson(hactl("status", "--json", "--socket", sock("fw2")).out())
                .purgeInMillis()).isPositive();
        hactl("commit", "--socket", sock("fw2"));
        assertThat(statusJson(hactl("status", "--json", "--socket", sock("fw2")).out())
                .purgeInMillis()).as("a commit cancels the purge").isEqualTo(-1);

        // keepalived says fw2 is MASTER now: commit, adoption of the peer's flows, bulk-send, each timed
        Run notify = hactl("notify", "INSTANCE", "VI_1", "MASTER", "100", "--socket", sock("fw2"));
        assertThat(notify.exit()).as(notify.err()).isZero();
        assertThat(notify.out()).contains("MASTER queued");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            TransitionReport last = statusJson(hactl("status", "--json", "--socket", sock("fw2")).out()).lastTransition();
            return last != null && last.to().equals("MASTER"); // null until the queued notify has run
        });
        StatusReport tr = statusJson(hactl("status", "--json", "--socket", sock("fw2")).out());
        assertThat(tr.role()).isEqualTo("MASTER");
        assertThat(tr.lastTransition().steps()).extracting(x -> x.name())
                .containsExactly("commit", "adopt-peer-flows", "bulk-send");
        assertThat(tr.lastTransition().steps()).allSatisfy(x -> {
            assertThat(x.ok()).isTrue();
            assertThat(x.millis()).isNotNegative();
        });
        // after the resync from its own kernel, fw2's internal cache holds what it committed
        assertThat(tr.caches().internal()).isEqualTo(5000);
        assertThat(hactl("status", "--socket", sock("fw2")).out()).contains("role MASTER").contains("commit ")
                .contains("transition INIT -> MASTER");
        Run again = hactl("notify", "master", "--socket", sock("fw2"));
        assertThat(again.out()).contains("already reached");
        Run bogus = hactl("notify", "INSTANCE", "VI_1", "SLEEPING", "100", "--socket", sock("fw2"));
        assertThat(bogus.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(bogus.err()).contains("unknown state 'SLEEPING'");

        // Prometheus metrics on fw2's loopback (inside its namespace)
        int port = metricsPortB;
        String metrics = pair.b.call(() -> {
            try (java.net.Socket sock = new java.net.Socket("127.0.0.1", port)) {
                sock.getOutputStream().write("GET /metrics HTTP/1.0\r\n\r\n".getBytes());
                return new String(sock.getInputStream().readAllBytes());
            }
        });
        assertThat(metrics).contains("200 OK").contains("hactl_role{node=\"fw2\",role=\"MASTER\"} 1.0")
                .contains("hactl_peer_alive{node=\"fw2\"} 1.0").contains("hactl_cache_flows{cache=\"internal\",node=\"fw2\"} 5000.0")
                .contains("hactl_drops_total{node=\"fw2\",reason=\"bad_mac\"} 0.0")
                .contains("hactl_transition_step_seconds{node=\"fw2\",ok=\"true\",step=\"commit\",to=\"MASTER\"}");

        // fw2 leaves MASTER: it tells fw1 first, which loads fw2's flows into its kernel at once
        await().atMost(Duration.ofSeconds(30)).until(() -> statusJson(
                hactl("status", "--json", "--socket", sock("fw1")).out()).caches().external() == 5000);
        assertThat(hactl("notify", "BACKUP", "--socket", sock("fw1")).exit()).isZero();
        kernelA.flush(0);
        assertThat(kernelA.count()).isZero();
        assertThat(hactl("notify", "BACKUP", "--socket", sock("fw2")).exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> statusJson(
                hactl("status", "--json", "--socket", sock("fw1")).out()).lastPreload() != null);
        StatusReport s1 = statusJson(hactl("status", "--json", "--socket", sock("fw1")).out());
        assertThat(s1.lastPreload().ok()).as("%s", s1.lastPreload()).isTrue();
        assertThat(s1.role()).isEqualTo("BACKUP");
        assertThat(kernelA.count()).isEqualTo(5000);
        TransitionReport left = statusJson(hactl("status", "--json", "--socket", sock("fw2")).out())
                .lastTransition();
        assertThat(left.steps()).extracting(x -> x.name())
                .containsExactly("hand-over", "schedule-purge", "request-resync");
        assertThat(hactl("status", "--socket", sock("fw1")).out())
                .contains("transition BACKUP -> BACKUP").contains("by peer hand-over");
        // then keepalived makes fw1 MASTER: status still tells of the load on the hand-over before
        assertThat(hactl("notify", "MASTER", "--socket", sock("fw1")).exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> statusJson(
                hactl("status", "--json", "--socket", sock("fw1")).out()).role().equals("MASTER"));
        assertThat(hactl("status", "--socket", sock("fw1")).out()).contains("transition BACKUP -> MASTER")
                .contains("preload   at ").contains("(peer hand-over): the peer's flows loaded in").contains("(committed 5000/5000 flows");

        // the peer goes away: the survivor says so and the verdict turns
        b.close();
        b = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> hactl("status", "--socket", sock("fw1")).out()
                .contains("VERDICT   NOT OK: peer-dead: "));
        Run gone = hactl("status", "--socket", sock("fw2"));
        assertThat(gone.exit()).isEqualTo(ExitCodes.UNREACHABLE);
    }

    @Test
    void aSecondDaemonOnTheSameSocketIsRefusedAndAMissingKeyStopsTheStart() throws Exception {
        Path cfg = config("fw1", "10.99.0.1", "10.99.0.2");
        a = start(pair.a, cfg);
        // in a's namespace, which has the sync address: the socket is what stops it
        Run again = pair.a.call(() -> hactl("daemon", "--config", cfg.toString()));
        assertThat(again.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(again.err()).contains("refusing to start").contains("another hactl daemon is running");

        Files.delete(key);
        Run nokey = pair.b.call(() -> hactl("daemon", "--config", config("fw2", "10.99.0.2", "10.99.0.1").toString()));
        assertThat(nokey.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(nokey.err()).contains("refusing to start").contains("does not exist").contains("hactl keygen");
    }
}
