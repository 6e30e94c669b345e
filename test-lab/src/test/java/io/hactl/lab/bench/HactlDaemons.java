package io.hactl.lab.bench;

import io.hactl.lab.pair.ChildProcesses;
import io.hactl.lab.pair.HactlNode;
import com.fasterxml.jackson.databind.JsonNode;
import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlClient;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.StatusReport;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Two hactl daemons (separate JVMs, as installed), driven through their control sockets. */
final class HactlDaemons implements SyncDaemons {
    /** The daemon's JVM as the package's launcher starts it, with the engine's debug log for a look afterwards. */
    static final String[] JVM = java.util.stream.Stream.concat(HactlNode.LAUNCHER_JVM.stream(),
            java.util.stream.Stream.of("-Dorg.slf4j.simpleLogger.log.io.hactl.sync.engine=debug",
                    "-Dorg.slf4j.simpleLogger.log.io.hactl.sync.mode=debug", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS")).toArray(String[]::new);

    private final SyncPair pair;
    private final Path dir;
    private final String syncExtra;
    private Process a;
    private Process b;

    /**
     * Runs a pair of daemons through a small load and a requested resync, unmeasured, then waits
     * for the class-data archive dumped from the classes the first of them loaded: every measured
     * run's daemons then start as the package's do once it has run before, mapping the archive
     * (its launcher has one from a daemon's third start on). Says so when there is none.
     */
    static void primeClassData() throws Exception {
        int n = 20_000;
        System.out.printf("== priming: one unmeasured run of two hactl daemons (%,d flows) lists their classes,"
                + " then their class-data archive is dumped%n", n);
        Path dir = Files.createTempDirectory("hactl-bench-prime");
        try (SyncPair pair = SyncPair.create(); HactlDaemons d = new HactlDaemons(pair, dir, "direct-inject: false")) {
            Path load = dir.resolve("load.ct");
            Bench.writeLoad(load, n);
            d.start();
            pair.a.execRaw("conntrack", "-R", load.toString());
            Bench.await("priming: live replication", 60_000, () -> Bench.external(d) >= n);
            d.flushExternalOfB();
            Bench.await("priming: flush", 10_000, () -> Bench.external(d) == 0);
            d.requestResyncOnB();
            Bench.await("priming: resync", 60_000, () -> Bench.external(d) >= n);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (!io.hactl.lab.pair.DaemonClassData.awaitArchive(List.of(JVM))) {
            System.out.println("BENCH: no class-data archive for the daemons: they load their classes from the jars"
                    + " (more RSS than the package's daemon once it has one)");
        }
    }

    /** {@code syncExtra}: more keys of the {@code sync} section, one per line (e.g. {@code direct-inject: false}). */
    HactlDaemons(SyncPair pair, Path dir, String syncExtra) {
        this.pair = pair;
        this.dir = dir;
        this.syncExtra = syncExtra.lines().map(l -> "  " + l.strip() + "\n").reduce("", String::concat);
    }

    @Override
    public String name() {
        return "hactl";
    }

    private Path conf(String n, String me, String peer, Path key) throws Exception {
        Path f = dir.resolve("hactl-" + n + ".yaml");
        Files.writeString(f, """
                node: { name: %s }
                sync:
                  local: %s
                  peer: %s
                  interface: sync
                  key-file: %s
                  encryption: %s
                  socket-buffer: 24MiB
                  filter: { ignore-addresses: [127.0.0.0/8, 10.99.0.0/24] }
                %srole: { source: none }
                control: { socket: %s }
                """.formatted(n, me, peer, key, System.getProperty("bench.encryption", "none"), syncExtra, sock(n)));
        return f;
    }

    private Path sock(String n) {
        return dir.resolve("ctl-" + n).resolve("hactl.sock");
    }

    private Process daemon(String ns, Path conf, String n) throws Exception {
        // Bench --jvm "OPTIONS" adds JVM options to the daemons', for tuning experiments
        List<String> more = new ArrayList<>(System.getProperty("bench.jvm", "").isBlank() ? List.of()
                : List.of(System.getProperty("bench.jvm").trim().split("\\s+")));
        // -Dbench.jfr=DIR records a flight recording of each daemon, for profiling (-Dbench.jfc=FILE: other settings)
        String jfr = System.getProperty("bench.jfr");
        more.add(jfr == null ? "-Dbench=1" : "-XX:StartFlightRecording=filename=" + jfr + "/" + n + ".jfr,settings="
                + System.getProperty("bench.jfc", "profile"));
        return HactlNode.launch(ns, List.of(JVM), more, conf, dir.resolve("hactl-" + n + ".out"));
    }

    @Override
    public void start() throws Exception {
        Path key = dir.resolve("sync.key");
        if (!Files.exists(key)) {
            KeyFile.generate(key);
        }
        a = daemon(pair.a.name(), conf("a", "10.99.0.1", "10.99.0.2", key), "a");
        b = daemon(pair.b.name(), conf("b", "10.99.0.2", "10.99.0.1", key), "b");
        Bench.await("hactl daemons and their peer", 30_000, () -> {
            try {
                return status("a").peer().alive() && status("b").peer().alive();
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** CPU time (user + system, ms) of each daemon so far. */
    long[] cpuMillis() throws Exception {
        return new long[] {cpuOf(a.pid()), cpuOf(b.pid())};
    }

    @Override
    public long[] pids() {
        return new long[] {a.pid(), b.pid()};
    }

    private static long cpuOf(long pid) throws Exception {
        return SyncDaemons.cpuMillisOf(pid);
    }

    /** Tells node n's daemon its new role, as {@code hactl notify STATE} does; returns once queued. */
    io.hactl.controller.control.NotifyReply notify(String n, String state) throws Exception {
        var r = ControlProtocol.JSON.createObjectNode();
        r.put("cmd", "notify");
        r.put("state", state);
        return ControlProtocol.JSON.treeToValue(new ControlClient(sock(n)).call(r, Duration.ofSeconds(5)),
                io.hactl.controller.control.NotifyReply.class);
    }

    /**
     * Makes a the MASTER and b the BACKUP, as keepalived's notify would on a gateway pair: b is
     * then a warm standby when {@code sync.direct-inject} is on. Returns once both report it.
     */
    void masterAndBackup() throws Exception {
        notify("a", "MASTER");
        notify("b", "BACKUP");
        Bench.await("roles", 30_000, () -> role("a").equals("MASTER") && role("b").equals("BACKUP"));
    }

    /** Node n's role as its status tells it ("?" while it does not answer). */
    String role(String n) {
        try {
            return status(n).role();
        } catch (Exception e) {
            return "?";
        }
    }

    /** Whether node n's daemon still runs. */
    boolean alive(String n) {
        Process p = n.equals("a") ? a : b;
        return p != null && p.isAlive();
    }

    /** The daemon's output of node n (its log). */
    Path log(String n) {
        return dir.resolve("hactl-" + n + ".out");
    }

    StatusReport status(String n, Duration timeout) throws Exception {
        return new ControlClient(sock(n)).status(timeout);
    }

    StatusReport status(String n) throws Exception {
        return new ControlClient(sock(n)).status(Duration.ofSeconds(5));
    }

    private JsonNode call(String n, String cmd, String cache) throws Exception {
        var r = ControlProtocol.JSON.createObjectNode();
        r.put("cmd", cmd);
        if (cache != null) {
            r.put("cache", cache);
        }
        return new ControlClient(sock(n)).call(r, Duration.ofMinutes(3));
    }

    /**
     * a's own figure of the replication lag: the worst acknowledged lag (kernel event to the
     * peer's ack) of the last 10 s, in ms; -1 when it has none.
     */
    long ownLagMaxMillisOfA() throws Exception {
        return status("a").sync().lagMaxMillis();
    }

    /** Every counter of node n's daemon (the CLI's {@code stats --json}). */
    JsonNode stats(String n) throws Exception {
        return new ControlClient(sock(n)).call("stats", Duration.ofSeconds(5));
    }

    /** Through the CLI, as an operator lists it: {@code hactl cache external}. */
    @Override
    public java.util.List<String> externalFlowsOfB() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.hactl.controller.cli.Main", "cache", "external",
                "--socket", sock("b").toString(), "--timeout", "120")
                .redirectError(dir.resolve("cache-external.err").toFile()).start();
        p.getOutputStream().close();
        java.util.List<String> lines;
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            lines = in.lines().toList();
        }
        if (!p.waitFor(150, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("hactl cache external did not finish in 150 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("hactl cache external exited " + p.exitValue() + ": "
                    + Files.readString(dir.resolve("cache-external.err")));
        }
        return lines;
    }

    /** Its counters: kernel_event_overruns and messages_lost of both daemons, summed. */
    @Override
    public java.util.Map<String, Long> losses() throws Exception {
        JsonNode sa = stats("a");
        JsonNode sb = stats("b");
        Files.writeString(dir.resolve("stats.log"), sa.toPrettyString() + "\n" + sb.toPrettyString());
        return java.util.Map.of("overruns", counter(sa, "kernel_event_overruns") + counter(sb, "kernel_event_overruns"),
                "lost", counter(sa, "messages_lost") + counter(sb, "messages_lost"));
    }

    /** Counter {@code name} of node n's daemon ({@code stats}); fails when it is not there. */
    long counter(String n, String name) throws Exception {
        return counter(stats(n), name);
    }

    /** A counter of {@code stats}; fails when it is not there rather than read it as 0. */
    private static long counter(JsonNode stats, String name) {
        if (!stats.path(name).isNumber()) {
            throw new IllegalStateException("hactl stats has no counter " + name + ": " + stats);
        }
        return stats.path(name).asLong();
    }

    @Override
    public long externalOfB() throws Exception {
        return status("b").caches().external();
    }

    @Override
    public void flushExternalOfB() throws Exception {
        call("b", "flush", "external");
    }

    @Override
    public void requestResyncOnB() throws Exception {
        call("b", "request-resync", null);
    }

    @Override
    public void stopA() {
        ChildProcesses.stop(a, 10);
    }

    @Override
    public void commitOnB() throws Exception {
        CommitReport r = ControlProtocol.JSON.treeToValue(call("b", "commit", null), CommitReport.class);
        if (!r.ok()) {
            throw new IllegalStateException("hactl commit failed: " + r);
        }
    }

    @Override
    public long[] rss() throws Exception {
        // the JVM's pid is the launched process's: ip netns exec execs java
        return new long[] {SyncDaemons.rssOf(a.pid()), SyncDaemons.rssOf(b.pid())};
    }

    @Override
    public long cacheBytesOfB() throws Exception {
        return status("b").caches().externalBytes();
    }

    @Override
    public void close() {
        ChildProcesses.stop(a, 10);
        ChildProcesses.stop(b, 10);
    }
}
