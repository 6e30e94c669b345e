package io.hactl.controller.daemon;

import static io.hactl.controller.daemon.DaemonLabTest.hactl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import io.hactl.controller.cli.ExitCodes;
import io.hactl.controller.config.ConfigLoader;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.control.StatusReport;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.lab.LabTest;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status verdict on two real daemons in two namespaces: it turns on the evidence of a
 * one-way block and of an emptied external cache, names it with its numbers, and exits 1.
 */
@LabTest(tools = "nft")
class VerdictLabTest {
    @TempDir
    Path dir;
    SyncPair pair;
    Daemon a;
    Daemon b;
    Conntrack kernelA;
    Path key;

    @BeforeEach
    void setUp() throws Exception {
        pair = SyncPair.create();
        key = dir.resolve("sync.key");
        KeyFile.generate(key);
        kernelA = pair.a.call(Conntrack::open);
    }

    void startBoth() throws Exception {
        a = start(pair.a, config("fw1", "10.99.0.1", "10.99.0.2"));
        b = start(pair.b, config("fw2", "10.99.0.2", "10.99.0.1"));
    }

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, kernelA}) {
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

    Path config(String node, String local, String peer) throws Exception {
        Path f = dir.resolve(node + ".yaml");
        Files.writeString(f, """
                node: { name: %s }
                sync:
                  local: %s
                  peer: %s
                  interface: sync
                  key-file: %s
                  filter: { ignore-addresses: [10.99.0.0/24, 127.0.0.0/8] }
                role: { source: none }
                control: { socket: %s }
                """.formatted(node, local, peer, key, sock(node)));
        return f;
    }

    Daemon start(Netns ns, Path cfgFile) throws Exception {
        HactlConfig cfg = ConfigLoader.load(cfgFile);
        return ns.call(() -> Daemon.start(cfg, true));
    }

    String sock(String node) {
        return dir.resolve(node + "-ctl").resolve("hactl.sock").toString();
    }

    /** {@code hactl status --json}: its exit code and the JSON, read into the schema. */
    record Status(int exit, StatusReport json) {
        List<String> reasons() {
            return json.verdict().reasons();
        }
    }

    static Status status(String sock) throws Exception {
        DaemonLabTest.Run r = hactl("status", "--json", "--socket", sock);
        return new Status(r.exit(), DaemonLabTest.statusJson(r.out()));
    }

    /**
     * Waits until {@code hactl status} on {@code node} exits 1 with a VERDICT line first that
     * holds {@code fragment}; a timeout shows the whole screen the daemon last gave.
     */
    void awaitNotOk(String node, String fragment, int seconds) {
        await().atMost(Duration.ofSeconds(seconds)).untilAsserted(() -> {
            DaemonLabTest.Run human = hactl("status", "--socket", sock(node));
            assertThat(human.out()).as("%s's status (exit %d)", node, human.exit()).startsWith("VERDICT   NOT OK: ")
                    .contains(fragment);
            assertThat(human.exit()).isEqualTo(ExitCodes.FAILED);
        });
    }

    void bothOk() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String node : new String[] {"fw1", "fw2"}) {
                Status s = status(sock(node));
                assertThat(s.exit()).as("%s: %s", node, s.json().verdict()).isEqualTo(ExitCodes.OK);
            }
        });
    }

    @Test
    void aOneWayBlockTurnsTheSendersVerdictNamingTheUnacknowledgedMessages() throws Exception {
        startBoth();
        bothOk();
        // fw2 drops everything fw1 sends it; fw1 still hears fw2's heartbeats
        pair.b.nft("table inet hactl_block {\n"
                + "  chain input {\n"
                + "    type filter hook input priority -300; policy accept;\n"
                + "    ip saddr 10.99.0.1 udp dport 3780 counter drop\n"
                + "  }\n"
                + "}\n");
        kernelA.batch(DaemonLabTest.flows(100), BatchMode.CREATE);

        awaitNotOk("fw1", "unacknowledged: 100 messages", 15);
        Status s = status(sock("fw1"));
        assertThat(s.json().peer().alive()).as("fw1 hears fw2").isTrue();
        assertThat(s.json().caches().internal()).isEqualTo(100);
        assertThat(s.reasons())
                .anySatisfy(r -> assertThat(r).matches("unacknowledged: 100 messages, oldest \\d+\\.\\d s \\(bound 1\\.2 s\\)"));
        assertThat(s.json().verdict().ok()).isFalse();
        DaemonLabTest.Run human = hactl("status", "--socket", sock("fw1"));
        assertThat(human.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(human.out()).startsWith("VERDICT   NOT OK: unacknowledged: 100 messages");
        // and it stays so while the block lasts (the old verdict said OK at 3, 10 and 30 s)
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                .until(() -> status(sock("fw1")).exit() == ExitCodes.FAILED);
        assertThat(status(sock("fw2")).reasons())
                .anySatisfy(r -> assertThat(r).startsWith("peer-dead: "));

        // the block lifted: the messages arrive, are acknowledged, and the verdict is OK again
        pair.b.exec("nft", "delete", "table", "inet", "hactl_block");
        bothOk();
        assertThat(status(sock("fw2")).json().caches().external()).isEqualTo(100);
    }

    @Test
    void aFlushedExternalCacheTurnsTheVerdictUntilAResyncRefillsIt() throws Exception {
        startBoth();
        kernelA.batch(DaemonLabTest.flows(2000), BatchMode.CREATE);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(sock("fw2")).json().caches().external()
                == 2000);
        bothOk();

        assertThat(hactl("flush", "external", "--socket", sock("fw2")).exit()).isZero();
        awaitNotOk("fw2", "external-count: external cache 0 flows, peer advertises 2,000", 15);
        DaemonLabTest.Run human = hactl("status", "--socket", sock("fw2"));
        assertThat(human.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(human.out()).startsWith("VERDICT   NOT OK: external-count: external cache 0 flows, peer advertises 2,000");

        assertThat(hactl("request-resync", "--socket", sock("fw2")).exit()).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> status(sock("fw2")).exit() == ExitCodes.OK);
        assertThat(status(sock("fw2")).json().caches().external()).isEqualTo(2000);
        assertThat(hactl("status", "--socket", sock("fw2")).out()).startsWith("VERDICT   OK: peer alive (heard ")
                .contains("ago), external cache 2,000 flows, peer advertises 2,000");
    }

    @Test
    void flowsGoneFromTheKernelWithoutEventsTurnTheVerdictUntilAResync() throws Exception {
        // entries created while the kernel made no events (nf_conntrack_events=0, as some tuning
        // guides advise) get no event cache: their end is never reported, even once events are
        // back on, and only a count of the table sees it
        pair.a.exec("sysctl", "-qw", "net.netfilter.nf_conntrack_events=0");
        kernelA.batch(DaemonLabTest.flows(300), BatchMode.CREATE);
        pair.a.exec("sysctl", "-qw", "net.netfilter.nf_conntrack_events=2");
        startBoth();
        bothOk();
        assertThat(status(sock("fw1")).json().caches().internal()).isEqualTo(300);

        kernelA.batchDelete(kernelA.dump(0));
        assertThat(kernelA.count()).isZero();
        awaitNotOk("fw1", "kernel-count: kernel 0 flows, internal cache 300: at least 300 cached flows not in the kernel",
                40);
        Status s = status(sock("fw1"));
        assertThat(s.exit()).isEqualTo(ExitCodes.FAILED);
        assertThat(s.json().caches().internal()).as("no event told fw1").isEqualTo(300);
        assertThat(hactl("status", "--socket", sock("fw1")).out()).startsWith("VERDICT   NOT OK: kernel-count: kernel 0 flows");

        assertThat(hactl("resync", "--socket", sock("fw1")).exit()).isZero();
        bothOk();
        assertThat(status(sock("fw1")).json().caches().internal()).isZero();
    }

    static io.hactl.sync.conntrack.Flow churnFlow(int i) throws Exception {
        return io.hactl.sync.conntrack.Flow.builder(io.hactl.sync.conntrack.Tuple.tcp(
                        java.net.InetAddress.getByAddress(new byte[] {(byte) 172, 16, (byte) (i >> 8), (byte) i}),
                        java.net.InetAddress.getByName("203.0.113.81"), 20000 + (i >> 16), 443)).timeout(900)
                .status(io.hactl.sync.ctnetlink.Ctnl.IPS_SEEN_REPLY | io.hactl.sync.ctnetlink.Ctnl.IPS_ASSURED)
                .protoInfo(io.hactl.sync.conntrack.TcpInfo.ofState(io.hactl.sync.conntrack.TcpInfo.ESTABLISHED)).build();
    }

    @Test
    void churnAndLossInFlightNeverTurnTheCountReasons() throws Exception {
        startBoth();
        kernelA.batch(DaemonLabTest.flows(2000), BatchMode.CREATE);
        bothOk();
        // rounds of 100 new flows for 2 s, then of 100 ended ones for 2 s, as fast as the kernel
        // takes them, for 14 s: the counts climb and fall all along (messages always in flight),
        // across two kernel counts at least
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
        Thread churn = new Thread(() -> {
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(14).toNanos();
            java.util.ArrayDeque<io.hactl.sync.conntrack.Flow> live = new java.util.ArrayDeque<>();
            int next = 0;
            try {
                while (!stop.get() && System.nanoTime() < end) {
                    boolean growing = (System.nanoTime() - start) / 2_000_000_000L % 2 == 0;
                    java.util.List<io.hactl.sync.conntrack.Flow> batch = new java.util.ArrayList<>();
                    if (growing) {
                        for (int i = 0; i < 100; i++) {
                            batch.add(churnFlow(next++ % 60_000));
                        }
                        kernelA.batch(batch, BatchMode.CREATE);
                        live.addAll(batch);
                    } else {
                        while (batch.size() < 100 && !live.isEmpty()) {
                            batch.add(live.poll());
                        }
                        kernelA.batchDelete(batch);
                    }
                    changes.addAndGet(batch.size());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "churn");
        // and 20% of what fw1 sends lost: messages wait for their resend, and counts differ
        SyncPair.injectLoss(pair.b, 3780, 20);
        churn.start();
        try {
            await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(14)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        for (String node : new String[] {"fw1", "fw2"}) {
                            assertThat(status(sock(node)).reasons().toString()).as(node)
                                    .doesNotContain("external-count").doesNotContain("kernel-count");
                        }
                    });
        } finally {
            stop.set(true);
            churn.join(10_000);
            SyncPair.removeLoss(pair.b);
        }
        assertThat(changes.get()).as("flows changed under the checks").isGreaterThan(5000);
        assertThat(status(sock("fw1")).json().verdict().evidence()).contains("kernel ");
        bothOk();
    }
}
