package io.hactl.lab.bench;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.TransitionReport;
import io.hactl.sync.lab.SyncPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MASTER transition at scale, as a user meets it (not a test; it prints Markdown tables): two
 * daemons in namespaces with the packaged JVM options, the initial namespace's
 * {@code nf_conntrack_max} raised, N ESTABLISHED flows loaded on node a with {@code conntrack -R},
 * node b caught up, then b told MASTER. For each N and each system: hactl in warm standby
 * ({@code sync.direct-inject: true}), hactl with the external cache only ({@code false}), and
 * conntrackd with primary-backup.sh's commands ({@code -c}, {@code -f}, {@code -R}, {@code -B}).
 * <p>Measured: the load, when b's cache (and, in warm standby, b's kernel) holds every flow, two
 * requested bulk resyncs, the daemons' first and one more once both are idle (external-cache
 * systems only: in warm standby a flushed external cache would also be purged from the kernel),
 * the transition with each step's millis, the time from
 * the MASTER event to b's kernel holding every flow, the longest status answer while the
 * transition runs (polled every {@value #STATUS_POLL_MS} ms; conntrackd's {@code -s} includes
 * starting the process), b's CPU seconds during the transition, RSS (now and peak) and heap
 * (live after a full collection, and the largest live heap any full collection of the run found).
 * <p>Node a's daemon keeps running through b's transition, as with the issue's reporter: the lab's
 * nodes share one kernel whose netlink listener set is one for all namespaces, so b's writes
 * also build events for a's listener; both systems pay it alike.
 * <p>Usage: ScaleBench [--runs N] [--only warm|external|conntrackd] [--out FILE] [SIZE...]
 * (default 1 run of 100000 1000000 2000000; with --runs 3 the figures are medians, runs listed);
 * {@code -Dbench.profile=LIB} profiles both daemons' CPU during the requested resyncs ({@link #profile}).
 */
public final class ScaleBench {
    static final int STATUS_POLL_MS = 30;
    static final int KERNEL_POLL_MS = 20;
    /** The issue's global table limit, in the initial namespace (nf_conntrack_max is one for all). */
    static final long CONNTRACK_MAX = 4_200_000;
    /** The global hash for runs above 1M flows: 4M flows of two namespaces in chains of 4 on average. */
    static final long CONNTRACK_BUCKETS = 1L << 20;
    static final long TRANSITION_LIMIT_MS = 300_000;
    /** How long after the transition the kernel poller goes on: a commit may fail a few flows, and they never come. */
    static final long KERNEL_AFTER_MS = 10_000;

    enum Setup {
        WARM("hactl warm standby"), EXTERNAL("hactl external cache"), CONNTRACKD("conntrackd");

        final String label;

        Setup(String label) {
            this.label = label;
        }
    }

    /**
     * One run's figures; times in seconds, -1 when not measured. {@code failure} is null when the
     * transition completed every step.
     */
    record Figures(double loadS, double cacheS, double kernelS, double resyncS, double resyncAgainS, double transitionS,
                   double kernelAllS,
                   long statusMaxMs, double statusMaxAtS, int statusPolls, double cpuBS, long rssA, long rssB, long hwmB, long heapB,
                   long heapPeakB, String steps, String failure) {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        List<Setup> systems = List.of(Setup.values());
        Path out = Path.of("test-lab/target/bench/scale-report.md");
        int runs = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--only" -> systems = List.of(Setup.valueOf(args[++i].toUpperCase(Locale.ROOT)));
                case "--out" -> out = Path.of(args[++i]);
                default -> sizes.add(Integer.parseInt(args[i].replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100_000, 1_000_000, 2_000_000);
        }
        if (systems.stream().anyMatch(s -> s != Setup.CONNTRACKD)) {
            HactlDaemons.primeClassData();
        }
        String report = runAll(sizes, systems, runs);
        System.out.println();
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println("written to " + out);
    }

    /** Every size, {@code runs} times each, the systems in turn; returns the report. */
    static String runAll(List<Integer> sizes, List<Setup> systems, int runs) throws Exception {
        raiseConntrackMax();
        if (sizes.stream().anyMatch(n -> n > 1_000_000)) {
            raiseBuckets(CONNTRACK_BUCKETS);
        }
        Map<String, List<Figures>> all = new LinkedHashMap<>();
        for (int n : sizes) {
            for (int r = 0; r < runs; r++) {
                for (Setup s : systems) {
                    Figures f;
                    try {
                        f = run(s, n);
                    } catch (Exception e) {
                        // a run that could not complete is a row too (the load refused, a daemon gone)
                        f = new Figures(-1, -1, -1, -1, -1, -1, -1, 0, 0, 0, -1, -1, -1, -1, -1, -1, "-",
                                e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                    System.out.printf(Locale.ROOT, "%s %,d, run %d of %d: %s%n", s.label, n, r + 1, runs, f);
                    all.computeIfAbsent(s.label + " " + n, k -> new ArrayList<>()).add(f);
                }
            }
        }
        return report(sizes, systems, all);
    }

    /** Raises the global limit to the issue's, never lowers it (other work on the machine may need more). */
    /**
     * The lab's two nodes share the kernel's one conntrack hash (nf_conntrack_buckets is global):
     * with 2M flows in each namespace its chains pass the length at which the kernel refuses an
     * insert (ENOSPC, nf_conntrack_hash_check_insert), which two gateways with a table each would
     * not reach. Raised for runs above 1M flows, never lowered.
     */
    static void raiseBuckets(long buckets) throws Exception {
        Path p = Path.of("/proc/sys/net/netfilter/nf_conntrack_buckets");
        long now = Long.parseLong(Files.readAllLines(p).get(0).strip());
        if (now < buckets) {
            Files.writeString(p, Long.toString(buckets));
            System.out.printf("nf_conntrack_buckets raised from %d to %d (left so)%n", now, buckets);
        }
    }

    public static void raiseConntrackMax() throws Exception {
        Path max = Path.of("/proc/sys/net/netfilter/nf_conntrack_max");
        // read as a stream: procfs reports no size, and Files.readString then reads short
        long now = Long.parseLong(Files.readAllLines(max).get(0).strip());
        if (now < CONNTRACK_MAX) {
            Files.writeString(max, Long.toString(CONNTRACK_MAX));
            System.out.printf("nf_conntrack_max raised from %d to %d (left so)%n", now, CONNTRACK_MAX);
        }
    }

    static Figures run(Setup system, int n) throws Exception {
        Path dir = Files.createTempDirectory("f1m-scale-");
        String jvm0 = System.getProperty("bench.jvm", "");
        // the collections of each daemon, for the largest heap any of them left (a log, no tuning)
        System.setProperty("bench.jvm", (jvm0 + " -Xlog:gc:file=" + dir + "/gc-%p.log").strip());
        SyncDaemons d = null;
        try (SyncPair pair = SyncPair.create("f1m");
             io.hactl.sync.ctnetlink.Conntrack ctB = pair.b.call(
                     () -> io.hactl.sync.ctnetlink.Conntrack.open(new io.hactl.sync.ctnetlink.DecodeStats()))) {
            Path load = dir.resolve("load.ct");
            Bench.writeLoad(load, n);
            SyncDaemons sd = switch (system) {
                case WARM -> new HactlDaemons(pair, dir, "direct-inject: true");
                case EXTERNAL -> new HactlDaemons(pair, dir, "direct-inject: false");
                case CONNTRACKD -> new Conntrackd(pair, dir, Math.max(524_288, Integer.highestOneBit(n) * 4), true);
            };
            d = sd;
            d.start();
            HactlDaemons h = d instanceof HactlDaemons hd ? hd : null;
            Conntrackd c = d instanceof Conntrackd cd ? cd : null;
            if (h != null) {
                h.masterAndBackup();
            }

            long t0 = System.nanoTime();
            var r = pair.a.execRaw("conntrack", "-R", load.toString());
            long t1 = System.nanoTime();
            if (r.exitCode() != 0) {
                throw new IllegalStateException("conntrack -R failed: " + r.errors());
            }
            awaitAlive(d, system.label + " b's cache holding " + n, 300_000, () -> Bench.external(sd) >= n);
            double cacheS = Bench.s(System.nanoTime() - t0);
            double kernelS = -1;
            if (system == Setup.WARM) {
                awaitAlive(d, "warm standby: b's kernel holding " + n, 300_000, () -> kernelCount(ctB) >= n);
                kernelS = Bench.s(System.nanoTime() - t0);
            }
            Bench.awaitIdle(d);
            long[] rss = d.rss();
            long heapB = h == null ? -1 : liveHeap(d.pids()[1]);

            // a requested bulk resync, the first of the daemons (hactl's JIT compiles the bulk's
            // paths during it), then one more once both are idle again
            double[] resync = {-1, -1};
            for (int k = 0; k < resync.length && system != Setup.WARM; k++) {
                d.flushExternalOfB();
                awaitAlive(d, "flush", 30_000, () -> Bench.external(sd) == 0);
                Bench.profile(d, "start,event=cpu,interval=500us");
                long r0 = System.nanoTime();
                d.requestResyncOnB();
                awaitAlive(d, system.label + " resync of " + n, 300_000, () -> Bench.external(sd) >= n);
                resync[k] = Bench.s(System.nanoTime() - r0);
                Bench.profile(d, "stop,collapsed,file=" + System.getProperty("java.io.tmpdir") + "/scale-bench-profile-"
                        + system.name().toLowerCase(Locale.ROOT) + "-" + n + "-resync" + (k + 1) + "-%p.txt");
                Bench.awaitIdle(d);
            }

            // the transition, with a status poller and a kernel poller running along
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong statusMax = new AtomicLong();
            AtomicLong statusPolls = new AtomicLong();
            AtomicLong statusMaxAt = new AtomicLong();
            AtomicLong kernelAllAt = new AtomicLong();
            long cpu0 = SyncDaemons.cpuMillisOf(d.pids()[1]);
            long tm = System.nanoTime();
            Thread statusPoller = new Thread(() -> {
                while (!done.get() && System.nanoTime() - tm < TRANSITION_LIMIT_MS * 1_000_000) {
                    long s0 = System.nanoTime();
                    try {
                        if (h != null) {
                            h.status("b", Duration.ofSeconds(10));
                        } else {
                            c.ctlB("-s");
                        }
                    } catch (Exception e) {
                        // a timed-out or refused answer counts with its wait below
                    }
                    long took = (System.nanoTime() - s0) / 1_000_000;
                    if (took > statusMax.get()) {
                        statusMax.set(took);
                        statusMaxAt.set(s0 - tm);
                    }
                    statusPolls.incrementAndGet();
                    sleepQuietly(STATUS_POLL_MS);
                }
            }, "f1m-status");
            statusPoller.start();
            AtomicLong doneAt = new AtomicLong();
            Thread kernelPoller = new Thread(() -> {
                // until the kernel holds every flow, or KERNEL_AFTER_MS after the transition (a commit may fail a few)
                while (System.nanoTime() - tm < TRANSITION_LIMIT_MS * 1_000_000
                        && (doneAt.get() == 0 || System.nanoTime() - doneAt.get() < KERNEL_AFTER_MS * 1_000_000)) {
                    if (kernelCount(ctB) >= n) {
                        kernelAllAt.set(System.nanoTime());
                        return;
                    }
                    sleepQuietly(KERNEL_POLL_MS);
                }
            }, "f1m-kernel");
            kernelPoller.start();
            String steps;
            String failure = null;
            double transitionS;
            try {
                if (h != null) {
                    h.notify("b", "MASTER");
                    awaitAlive(d, "b MASTER", TRANSITION_LIMIT_MS, () -> h.role("b").equals("MASTER"));
                    transitionS = Bench.s(System.nanoTime() - tm);
                    TransitionReport t = h.status("b").lastTransition();
                    steps = steps(t);
                    if (!t.ok()) {
                        failure = "steps failed: " + t.steps().stream().filter(s -> !s.ok())
                                .map(s -> s.name() + ": " + s.detail()).toList();
                    }
                } else {
                    StringBuilder sb = new StringBuilder();
                    for (String[] step : new String[][] {{"-c", "commit"}, {"-f", "flush"}, {"-R", "resync"},
                                                          {"-B", "bulk"}}) {
                        long s0 = System.nanoTime();
                        c.ctlB(step[0]);
                        sb.append(sb.isEmpty() ? "" : ", ").append(step[1]).append(' ')
                                .append((System.nanoTime() - s0) / 1_000_000);
                    }
                    transitionS = Bench.s(System.nanoTime() - tm);
                    steps = sb.toString();
                }
            } catch (IllegalStateException e) {
                transitionS = Bench.s(System.nanoTime() - tm);
                steps = "-";
                failure = e.getMessage();
            }
            done.set(true);
            doneAt.set(System.nanoTime());
            kernelPoller.join(TRANSITION_LIMIT_MS);
            statusPoller.join(15_000);
            double cpuB = d.pids().length > 1 && alive(d) ? (SyncDaemons.cpuMillisOf(d.pids()[1]) - cpu0) / 1000.0 : -1;
            double kernelAllS = kernelAllAt.get() == 0 ? -1 : Math.max(0, Bench.s(kernelAllAt.get() - tm));
            if (kernelAllAt.get() == 0 && failure == null) {
                failure = "b's kernel holds " + kernelCount(ctB) + " of " + n + " flows";
            }
            long hwmB = alive(d) ? statusField(d.pids()[1], "VmHWM:") : -1;
            if (!alive(d)) {
                failure = (failure == null ? "" : failure + "; ") + "b's daemon ended";
            }
            return new Figures(Bench.s(t1 - t0), cacheS, kernelS, resync[0], resync[1], transitionS, kernelAllS, statusMax.get(),
                    Bench.s(statusMaxAt.get()), (int) statusPolls.get(), cpuB, rss[0], rss[1], hwmB, heapB, peakHeap(dir, d.pids()[1]), steps, failure);
        } finally {
            if (d != null) {
                d.close();
            }
            System.setProperty("bench.jvm", jvm0);
            Path logs = Path.of("test-lab/target/bench/scale-logs").toAbsolutePath();
            Files.createDirectories(logs);
            try (var files = Files.list(dir)) {
                for (Path p : files.filter(p -> !p.toString().endsWith(".ct")).toList()) {
                    Files.copy(p, logs.resolve(system.name().toLowerCase(Locale.ROOT) + "-" + n + "-" + p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (java.io.IOException e) {
                // the logs are a courtesy
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean alive(SyncDaemons d) {
        return d instanceof HactlDaemons h ? h.alive("b") && h.alive("a")
                : ((Conntrackd) d).alive("b") && ((Conntrackd) d).alive("a");
    }

    /** As {@link Bench#await}, but fails at once when a daemon has ended (an OOM halts it). */
    private static void awaitAlive(SyncDaemons d, String what, long millis, java.util.function.BooleanSupplier done)
            throws InterruptedException {
        Bench.await(what, millis, () -> {
            if (!alive(d)) {
                throw new IllegalStateException(what + ": a daemon ended");
            }
            return done.getAsBoolean();
        });
    }

    /** Flows in b's table, through a ctnetlink socket opened in b's namespace (no process to start per poll). */
    static long kernelCount(io.hactl.sync.ctnetlink.Conntrack ct) {
        synchronized (ct) {
            try {
                return ct.count();
            } catch (io.hactl.sync.netlink.NetlinkException e) {
                return -1;
            }
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms); // the poll interval, not a synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String steps(TransitionReport t) {
        StringBuilder sb = new StringBuilder();
        for (TransitionReport.StepReport s : t.steps()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(s.name()).append(' ').append(s.millis()).append(s.ok() ? "" : " FAILED");
        }
        return sb.toString();
    }

    private static final Pattern USED = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");
    /** A full collection's heap after it: what was live then (a young one may leave garbage behind). */
    private static final Pattern AFTER_FULL_GC = Pattern.compile("Pause Full .*->(\\d+)M\\(");

    /** Heap the daemon uses after a full collection (jcmd GC.run, then GC.heap_info), bytes; -1 when unknown. */
    static long liveHeap(long pid) {
        try {
            jcmd(pid, "GC.run");
            Matcher m = USED.matcher(jcmd(pid, "GC.heap_info"));
            long kb = 0;
            boolean any = false;
            while (m.find()) {
                kb += Long.parseLong(m.group(1));
                any = true;
            }
            return any ? kb * 1024 : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static String jcmd(long pid, String what) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), what).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + what + " did not finish");
        }
        return out;
    }

    /** The largest heap a full collection of daemon {@code pid} left (its -Xlog:gc file), bytes; -1 when none. */
    static long peakHeap(Path dir, long pid) {
        Path log = dir.resolve("gc-" + pid + ".log");
        try {
            Matcher m = AFTER_FULL_GC.matcher(Files.readString(log));
            long max = -1;
            while (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
            return max < 0 ? -1 : max << 20;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static long statusField(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }

    /** The median figure of the runs (by the given field), so that every field of a row is from one run. */
    static Figures median(List<Figures> fs) {
        List<Figures> sorted = fs.stream().sorted(java.util.Comparator.comparingDouble(Figures::transitionS)).toList();
        return sorted.get(sorted.size() / 2);
    }

    static String report(List<Integer> sizes, List<Setup> systems, Map<String, List<Figures>> all) {
        StringBuilder sb = new StringBuilder();
        sb.append("# The MASTER transition at scale: hactl (warm standby, external cache) and conntrackd\n\n")
                .append("Two namespaces joined by a veth sync link, hactl with the packaged JVM options (")
                .append(String.join(" ", io.hactl.lab.pair.HactlNode.LAUNCHER_JVM)).append("), nf_conntrack_max ")
                .append(CONNTRACK_MAX).append(", nf_conntrack_buckets ").append(bucketsNow()).append(" at the end, `conntrack -R` of N ESTABLISHED TCP flows on node a, node b caught up, ")
                .append("then b told MASTER (conntrackd: -c, -f, -R, -B as primary-backup.sh). Kernel ")
                .append(System.getProperty("os.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, load average at the end ")
                .append(loadAverage()).append(". A row is the run with the median transition time when there ")
                .append("are several (all runs listed below). Times in seconds; status max: the longest status ")
                .append("answer while the transition ran, polled every ").append(STATUS_POLL_MS)
                .append(" ms (conntrackd: `conntrackd -s`, its process start included). Heap: live after a full ")
                .append("collection with the flows held / the largest live heap any full collection of the run found. ")
                .append("Ratio columns: conntrackd / hactl (above 1: hactl faster or smaller).\n\n");
        sb.append("| system | flows | load | b's cache | b's kernel | resync | ... again | MASTER: all steps | MASTER event to kernel "
                  + "holding all | status max | b CPU in transition | RSS a | RSS b | RSS peak b | heap b | heap peak b | steps "
                  + "(ms) | outcome |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int n : sizes) {
            for (Setup s : systems) {
                List<Figures> fs = all.get(s.label + " " + n);
                if (fs == null) {
                    continue;
                }
                Figures f = median(fs);
                sb.append(String.format(Locale.ROOT,
                        "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %d ms (at +%.1f s) | %.2f s | %s | %s | %s | %s | %s | %s | %s |%n",
                        s.label, n, sec(f.loadS), sec(f.cacheS), sec(f.kernelS), sec(f.resyncS), sec(f.resyncAgainS),
                        sec(f.transitionS),
                        sec(f.kernelAllS), f.statusMaxMs, f.statusMaxAtS, f.cpuBS, mb(f.rssA), mb(f.rssB), mb(f.hwmB), mb(f.heapB),
                        mb(f.heapPeakB), f.steps, f.failure == null ? "ok" : f.failure.replace('|', '/')));
            }
        }
        if (systems.contains(Setup.CONNTRACKD) && systems.size() > 1) {
            sb.append("\n| ratio conntrackd / hactl | flows | resync (external cache) | ... again | MASTER event to kernel holding all, "
                      + "warm | ... external cache | MASTER: all steps, warm | ... external cache | RSS b, warm | "
                      + "RSS b, external |\n|---|---|---|---|---|---|---|---|---|---|\n");
            for (int n : sizes) {
                Figures c = pick(all, Setup.CONNTRACKD, n);
                Figures w = pick(all, Setup.WARM, n);
                Figures e = pick(all, Setup.EXTERNAL, n);
                if (c == null) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "| | %,d | %s | %s | %s | %s | %s | %s | %s | %s |%n", n,
                        ratio(c.resyncS, e == null ? -1 : e.resyncS), ratio(c.resyncAgainS, e == null ? -1 : e.resyncAgainS),
                        ratio(c.kernelAllS, w == null ? -1 : w.kernelAllS),
                        ratio(c.kernelAllS, e == null ? -1 : e.kernelAllS), ratio(c.transitionS, w == null ? -1 : w.transitionS),
                        ratio(c.transitionS, e == null ? -1 : e.transitionS), ratio(c.rssB, w == null ? -1 : w.rssB),
                        ratio(c.rssB, e == null ? -1 : e.rssB)));
            }
        }
        sb.append("\nEvery run:\n\n```\n");
        all.forEach((k, fs) -> fs.forEach(f -> sb.append(k).append(": ").append(f).append('\n')));
        sb.append("```\n");
        return sb.toString();
    }

    private static Figures pick(Map<String, List<Figures>> all, Setup s, int n) {
        List<Figures> fs = all.get(s.label + " " + n);
        return fs == null ? null : median(fs);
    }

    private static String ratio(double c, double h) {
        if (c < 0 || h < 0) {
            return "-";
        }
        return h < 0.0005 ? "(hactl 0)" : String.format(Locale.ROOT, "%.2fx", c / h);
    }

    private static String sec(double s) {
        return s < 0 ? "-" : String.format(Locale.ROOT, "%.3f", s);
    }

    private static String mb(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    private static String bucketsNow() {
        try {
            return Files.readAllLines(Path.of("/proc/sys/net/netfilter/nf_conntrack_buckets")).get(0).strip();
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    private static String loadAverage() {
        try {
            return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
