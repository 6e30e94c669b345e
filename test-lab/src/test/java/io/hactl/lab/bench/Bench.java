package io.hactl.lab.bench;

import io.hactl.sync.lab.Netns;
import io.hactl.sync.lab.SyncPair;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Sync benchmark, hactl against conntrackd, side by side in the same lab and the same run (not a
 * test; it prints a table). For each size: a fresh pair of namespaces joined by a veth sync link,
 * the system's two daemons, then the same workload for both:
 * live replication of a {@code conntrack -R} load on node a until b's external cache is complete
 * (then the daemons' resident memory), a requested resync (b flushes its external cache and asks
 * a), four more (the first is that of daemons started seconds before, whose code is still being
 * compiled), and a commit into b's kernel once a's daemon is stopped.
 * <p>Why stopped: two gateways are two kernels, but the lab's two nodes share one, and netlink keeps
 * one multicast listener set per protocol for all namespaces. So while a's daemon listens to
 * conntrack NEW events in its namespace, b's kernel builds a NEW event for every flow b writes
 * and throws it away (ctnetlink_conntrack_event, a large share of CT_NEW's kernel time), which no
 * gateway pair pays. hactl leaves the NEW and UPDATE groups while it commits; conntrackd's daemon
 * on b keeps listening, so its own events are built either way, as on a real gateway. The commit
 * is the last step of a run, as a failover is.
 * <p>Each figure is the median of several runs (3 unless --runs says otherwise): single runs on a
 * shared 2-core machine vary by a third.
 * Usage: Bench [--runs N] [--only SYSTEM] [--encryption NAME] [--out FILE] SIZE...
 * {@code -Dbench.profile=LIB} (async-profiler's libasyncProfiler.so) profiles hactl's daemons' CPU
 * during the live replication, by thread.
 */
public final class Bench {
    /**
     * One run's figures; {@code resyncSeconds} is the first requested resync of the daemons' life,
     * {@code resyncAgainSeconds} the median of {@link #RESYNCS_AGAIN} more once both daemons are idle.
     */
    public record Figures(double liveSeconds, double afterLoadSeconds, double loadSeconds, double resyncSeconds,
                   double resyncAgainSeconds, double commitSeconds, long rssIdleB, long rssB, long rssSettledB,
                   long rssAfterResyncsB,
                   long rssA, long cacheBytes) {}

    /**
     * How long both daemons idle, b holding the flows (once they arrived, and after the resyncs),
     * before b's RSS is read again: what stays, once a JVM has given back its compiler's work
     * areas (the JVM frees pooled arena chunks every 5 s) and the package's daemon has trimmed
     * its C heap (every 5 s, TrimNativeHeapInterval): up to two 5-second periods, and a second.
     */
    static final long SETTLE_MILLIS = 11_000;

    /** Requested resyncs after the first, in each run (the first is that of freshly started daemons). */
    static final int RESYNCS_AGAIN = 4;

    static boolean warmup;

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        Path out = Path.of("test-lab/target/bench/sync-report.md");
        List<String> systems = List.of("conntrackd", "hactl");
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--warmup")) {
                warmup = true;
            } else if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--only")) {
                systems = List.of(args[++i]); // for profiling one system; the report needs both
            } else if (args[i].equals("--trace")) {
                System.setProperty("bench.trace", "true"); // hactl's caches and queues while it catches up
            } else if (args[i].equals("--jvm")) {
                System.setProperty("bench.jvm", args[++i]); // more JVM options for the hactl daemons
            } else if (args[i].equals("--encryption")) {
                System.setProperty("bench.encryption", args[++i]); // the hactl daemons' sync.encryption
            } else if (args[i].equals("--out")) {
                out = Path.of(args[++i]);
            } else {
                sizes.add(Integer.parseInt(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100_000, 250_000);
        }
        if (systems.contains("hactl")) {
            HactlDaemons.primeClassData();
        }
        Map<String, Figures> results = new LinkedHashMap<>();
        for (int n : sizes) {
            results.putAll(medians(systems, n, runs));
        }
        if (systems.size() == 1) {
            return;
        }
        String report = report(sizes, results);
        System.out.println();
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println("written to " + out);
    }

    /**
     * Runs each system {@code runs} times on {@code n} flows, alternating between them so that a
     * slow spell of the machine hits both, and keeps the median of every figure.
     */
    public static Map<String, Figures> medians(List<String> systems, int n, int runs) throws Exception {
        Map<String, List<Figures>> all = new LinkedHashMap<>();
        for (int r = 0; r < runs; r++) {
            for (String system : systems) {
                Figures f = run(system, n);
                System.out.printf(Locale.ROOT, "%s %,d, run %d of %d: %s%n", system, n, r + 1, runs, f);
                all.computeIfAbsent(system, k -> new ArrayList<>()).add(f);
            }
        }
        Map<String, Figures> out = new LinkedHashMap<>();
        all.forEach((system, fs) -> out.put(system + " " + n, median(fs)));
        return out;
    }

    static Figures median(List<Figures> fs) {
        java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Figures>> m = field -> {
            double[] v = fs.stream().mapToDouble(field).sorted().toArray();
            return v[v.length / 2];
        };
        // the memory figures all from the run with the median growth, so that idle and loaded
        // RSS belong together (medians taken apart can pair one run's idle with another's load)
        Figures mem = fs.stream().sorted(java.util.Comparator.comparingLong(f -> f.rssB() - f.rssIdleB()))
                .toList().get(fs.size() / 2);
        return new Figures(m.applyAsDouble(Figures::liveSeconds), m.applyAsDouble(Figures::afterLoadSeconds),
                m.applyAsDouble(Figures::loadSeconds), m.applyAsDouble(Figures::resyncSeconds),
                m.applyAsDouble(Figures::resyncAgainSeconds),
                m.applyAsDouble(Figures::commitSeconds), mem.rssIdleB(), mem.rssB(), mem.rssSettledB(), mem.rssAfterResyncsB(),
                mem.rssA(),
                mem.cacheBytes());
    }

    public static Figures run(String system, int n) throws Exception {
        Path dir = Files.createTempDirectory("hactl-bench-" + system);
        try (SyncPair pair = SyncPair.create()) {
            Path load = dir.resolve("load.ct");
            writeLoad(load, n);
            // hactl keeps the peer's flows in its external cache only, as conntrackd does: the same
            // work on b; warm standby (the default) also writes them into b's kernel (scale-bench)
            try (SyncDaemons d = system.equals("hactl") ? new HactlDaemons(pair, dir, "direct-inject: false")
                    : new Conntrackd(pair, dir)) {
                d.start();
                if (warmup) {
                    Path w = dir.resolve("warm.ct");
                    writeLoad(w, 50_000);
                    pair.a.execRaw("conntrack", "-R", w.toString());
                    await("warmup", 60_000, () -> external(d) >= 50_000);
                    d.flushExternalOfB();
                    d.requestResyncOnB();
                    await("warmup resync", 60_000, () -> external(d) >= 50_000);
                    d.commitOnB();
                    pair.a.exec("conntrack", "-F");
                    pair.b.exec("conntrack", "-F");
                    await("warmup flush", 60_000, () -> external(d) == 0);
                }
                Thread.sleep(1000); // settle before the idle figure (not a synchronisation)
                long rssIdleB = d.rss()[1];

                if (system.equals("hactl")) {
                    profile(d, "start,event=cpu,interval=500us,threads");
                }
                long t0 = System.nanoTime();
                Netns.Result r = pair.a.execRaw("conntrack", "-R", load.toString());
                long t1 = System.nanoTime();
                if (r.exitCode() != 0) {
                    throw new IllegalStateException("conntrack -R failed: " + r.errors());
                }
                trace(d, n, "live");
                await(system + " live replication of " + n, 120_000, () -> external(d) >= n);
                long t2 = System.nanoTime();
                if (system.equals("hactl")) {
                    profile(d, "stop,collapsed,file=" + System.getProperty("java.io.tmpdir") + "/sync-bench-profile-live-"
                            + n + "-%p.txt");
                }
                long[] rss = d.rss();
                long cacheBytes = d.cacheBytesOfB();
                Thread.sleep(SETTLE_MILLIS); // a delay before a measurement, not a synchronisation
                long rssSettledB = d.rss()[1];

                d.flushExternalOfB();
                await("flush", 10_000, () -> external(d) == 0);
                long t3 = System.nanoTime();
                d.requestResyncOnB();
                trace(d, n, "resync");
                await(system + " resync of " + n, 120_000, () -> external(d) >= n);
                long t4 = System.nanoTime();

                // once both daemons are done with the first resync (hactl: the JIT's compiles)
                awaitIdle(d);
                double[] again = new double[RESYNCS_AGAIN];
                for (int i = 0; i < again.length; i++) {
                    d.flushExternalOfB();
                    await("flush", 10_000, () -> external(d) == 0);
                    long a0 = System.nanoTime();
                    d.requestResyncOnB();
                    if (i == 1) {
                        trace(d, n, "resync again");
                    }
                    await(system + " resync of " + n, 120_000, () -> external(d) >= n);
                    again[i] = s(System.nanoTime() - a0);
                }
                // b holds the n flows again: its RSS after the resyncs, both daemons idle
                Thread.sleep(SETTLE_MILLIS); // a delay before a measurement, not a synchronisation
                long rssAfterResyncsB = d.rss()[1];

                d.stopA(); // see the class comment
                long t5 = System.nanoTime();
                d.commitOnB();
                long t6 = System.nanoTime();
                String count = pair.b.exec("conntrack", "-C").strip();
                if (Long.parseLong(count) < n) {
                    throw new IllegalStateException(system + " commit left " + count + " of " + n + " flows in b's kernel");
                }
                java.util.Arrays.sort(again);
                return new Figures(s(t2 - t0), s(t2 - t1), s(t1 - t0), s(t4 - t3), again[again.length / 2], s(t6 - t5),
                        rssIdleB, rss[1], rssSettledB, rssAfterResyncsB, rss[0],
                        cacheBytes);
            }
        } finally {
            // keep the daemons' logs for a look afterwards
            Path logs = Path.of("test-lab/target/bench/logs").toAbsolutePath();
            Files.createDirectories(logs);
            try (var outs = Files.list(dir)) {
                for (Path p : outs.filter(p -> p.toString().endsWith(".out") || p.toString().endsWith(".log")).toList()) {
                    Files.copy(p, logs.resolve(system + "-" + n + "-" + p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Flows in b's external cache, or -1 while b does not answer (for polls). */
    static long external(SyncDaemons d) {
        try {
            return d.externalOfB();
        } catch (Exception e) {
            return -1;
        }
    }

    static double s(long nanos) {
        return nanos / 1e9;
    }

    /** With --trace: hactl's caches and queues every 10 ms until b's external cache holds n flows. */
    private static void trace(SyncDaemons d, int n, String phase) throws Exception {
        if (!(d instanceof HactlDaemons hd) || !Boolean.getBoolean("bench.trace")) {
            return;
        }
        long t0 = System.nanoTime();
        long[] cpu0 = hd.cpuMillis();
        long[] pids = hd.pids();
        var kindsA0 = SyncDaemons.cpuMillisByKind(pids[0]);
        var kindsB0 = SyncDaemons.cpuMillisByKind(pids[1]);
        while (external(d) < n && System.nanoTime() - t0 < 60_000_000_000L) {
            var sa = hd.status("a");
            var sb = hd.status("b");
            System.out.printf("TRACE %s +%d ms a.internal=%d a.tx=%d a.unacked=%d b.external=%d%n", phase,
                    (System.nanoTime() - t0) / 1_000_000, sa.caches().internal(),
                    sa.sync().transmitQueue(), sa.sync().resendQueue(),
                    sb.caches().external());
            Thread.sleep(10);
        }
        long[] cpu1 = hd.cpuMillis();
        System.out.printf("TRACE %s done after %d ms: cpu of a %d ms (%s), of b %d ms (%s)%n", phase,
                (System.nanoTime() - t0) / 1_000_000, cpu1[0] - cpu0[0],
                kindsSince(kindsA0, SyncDaemons.cpuMillisByKind(pids[0])), cpu1[1] - cpu0[1],
                kindsSince(kindsB0, SyncDaemons.cpuMillisByKind(pids[1])));
    }

    /** "jit 80, vm 10, hactl 60, other 0": each kind's CPU ms between two readings. */
    static String kindsSince(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder sb = new StringBuilder();
        for (var e : after.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
                    .append(e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return sb.toString();
    }

    static void writeLoad(Path file, int n) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < n; i++) {
                int host = i / 50_000;
                w.write("-I -p tcp -s 10." + (20 + (host >> 8)) + "." + (host & 0xff) + ".1 -d 198.51.100.10 --sport "
                        + (10_000 + i % 50_000) + " --dport 443 --state ESTABLISHED -t 3600 -u SEEN_REPLY,ASSURED\n");
            }
        }
    }

    /** Waits (at most 20 s) until neither daemon used more than 10 ms of CPU in 200 ms. */
    static void awaitIdle(SyncDaemons d) throws Exception {
        long[] pids = d.pids();
        long deadline = System.nanoTime() + 20_000_000_000L;
        long before = SyncDaemons.cpuMillisOf(pids[0]) + SyncDaemons.cpuMillisOf(pids[1]);
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = SyncDaemons.cpuMillisOf(pids[0]) + SyncDaemons.cpuMillisOf(pids[1]);
            if (now - before <= 10) {
                return;
            }
            before = now;
        }
    }

    /** Polls {@code done} every 10 ms for at most {@code millis}; fails loudly when it never holds. */
    static void await(String what, long millis, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not done within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }

    static String report(List<Integer> sizes, Map<String, Figures> r) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Sync benchmark: hactl and conntrackd side by side\n\n")
                .append("Same lab, same run: two namespaces joined by a veth sync link, the load is `conntrack -R` of N ")
                .append("ESTABLISHED TCP flows on node a (kernel ").append(System.getProperty("os.version")).append("). ")
                .append("hactl runs with `sync.direct-inject: false`, its external cache only, as conntrackd's ")
                .append("(warm standby, the default, is measured by scale-bench). ")
                .append("Each figure is the median of the runs, the systems alternating. ")
                .append("hactl's daemons map a class-data archive of their classes, as the package's do from their ")
                .append("third start on (an unmeasured run before the first lists the classes). ")
                .append("The daemons start seconds before the load: hactl's JIT still compiles during the first large ")
                .append("bulks, so the first resync and four more, once both daemons are idle, are shown apart. ")
                .append("The commit comes last, once a's daemon is stopped: the lab's two nodes share one kernel, whose ")
                .append("netlink listener set is one for all namespaces, so a's event socket would make b's kernel build ")
                .append("an event for each flow b writes, which two gateways never do (both systems alike; conntrackd's ")
                .append("daemon on b listens itself and builds them either way). ")
                .append("Ratio = conntrackd / hactl for times (above 1: hactl faster) and for memory (above 1: hactl smaller).\n\n")
                .append("| what | flows | conntrackd | hactl | ratio |\n|---|---|---|---|---|\n");
        for (int n : sizes) {
            Figures c = r.get("conntrackd " + n);
            Figures h = r.get("hactl " + n);
            row(sb, "live replication: b's external cache complete, from load start", n, c.liveSeconds, h.liveSeconds, "s");
            row(sb, "  ... after the load ended", n, c.afterLoadSeconds, h.afterLoadSeconds, "s");
            row(sb, "  (the load itself, conntrack -R)", n, c.loadSeconds, h.loadSeconds, "s");
            row(sb, "requested resync until b's external cache is complete (the daemons' first)", n, c.resyncSeconds,
                    h.resyncSeconds, "s");
            row(sb, "  ... " + RESYNCS_AGAIN + " more, once both daemons are idle (median)", n, c.resyncAgainSeconds,
                    h.resyncAgainSeconds, "s");
            row(sb, "commit of the external cache into b's kernel", n, c.commitSeconds, h.commitSeconds, "s");
            row(sb, "RSS of b, idle", n, c.rssIdleB / 1e6, h.rssIdleB / 1e6, "MB");
            row(sb, "RSS of b with the flows in its external cache, as the last one arrived", n, c.rssB / 1e6, h.rssB / 1e6,
                    "MB");
            row(sb, "  ... then idle for " + SETTLE_MILLIS / 1000 + " s", n, c.rssSettledB / 1e6, h.rssSettledB / 1e6, "MB");
            row(sb, "  ... after " + (RESYNCS_AGAIN + 1) + " resyncs, idle for " + SETTLE_MILLIS / 1000 + " s", n,
                    c.rssAfterResyncsB / 1e6, h.rssAfterResyncsB / 1e6, "MB");
            if (h.rssB > h.rssIdleB) {
                row(sb, "RSS growth per flow on b", n, (c.rssB - c.rssIdleB) / (double) n, (h.rssB - h.rssIdleB) / (double) n,
                        "B");
            } else {
                // a JVM's RSS also moves with its heap's size (a collection may give memory
                // back): it may fall while the cache fills, and no growth per flow can be read then
                sb.append(String.format(Locale.ROOT, "| RSS growth per flow on b | %,d | %.0f B | none: fell by %.1f MB | - |%n", n,
                        (c.rssB - c.rssIdleB) / (double) n, (h.rssIdleB - h.rssB) / 1e6));
            }
            sb.append(String.format(Locale.ROOT, "| hactl external cache heap per flow | %,d | - | %.0f B | - |%n", n,
                    h.cacheBytes / (double) n));
        }
        return sb.toString();
    }

    static void row(StringBuilder sb, String what, int n, double c, double h, String unit) {
        String fmt = unit.equals("s") ? "%.3f s" : unit.equals("MB") ? "%.1f MB" : "%.0f B";
        sb.append(String.format(Locale.ROOT, "| %s | %,d | " + fmt + " | " + fmt + " | %.2fx |%n", what, n, c, h,
                h > 0 ? c / h : Double.NaN));
    }

    /**
     * With {@code -Dbench.profile=LIB} (async-profiler's libasyncProfiler.so), sends each daemon
     * the profiler command {@code cmd} (async-profiler's syntax); without it, nothing. The
     * benches profile both daemons' CPU where their figures come from, as collapsed stacks per
     * process in the temporary directory.
     */
    static void profile(SyncDaemons d, String cmd) throws Exception {
        String lib = System.getProperty("bench.profile");
        if (lib == null) {
            return;
        }
        for (long pid : d.pids()) {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "JVMTI.agent_load", lib, '"' + cmd + '"')
                    .inheritIO().start();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("the profiler did not take '" + cmd + "' in process " + pid);
            }
        }
    }
}
