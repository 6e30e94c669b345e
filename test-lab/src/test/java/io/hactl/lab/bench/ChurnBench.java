package io.hactl.lab.bench;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.lab.Netns;
import io.hactl.sync.lab.SyncPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Churn benchmark, hactl against conntrackd in the same lab (not a test; it writes a report).
 * For each rate and system: a fresh pair of namespaces joined by a veth sync link, the system's
 * two daemons (hactl's told MASTER on a and BACKUP on b, as keepalived's notify would), a
 * background of {@link #BACKGROUND} ESTABLISHED flows loaded on node a, then
 * {@link ChurnLoad} creating and deleting flows in a's kernel at the rate for the window. Each
 * system runs in two ways ({@link Setup}): b keeping the peer's flows in an external cache (both
 * daemons' way by default for conntrackd, {@code direct-inject: false} for hactl), and b writing
 * them into its own kernel as they come (hactl's warm standby, its default; conntrackd's
 * {@code DisableExternalCache}). Measured from outside, alike for all: replication lag of the probe
 * flows (creation on a to the first sync datagram carrying them at b, {@link ProbeCapture}); when
 * b holds as many flows as a's table after the window (in its kernel where it writes it, else in
 * its external cache); then a's table compared as sets of original tuples with b's external cache
 * (the system's own listing) and b's kernel; events and messages lost (the systems' own counters);
 * CPU time of each daemon over the window and the tail (/proc/PID/stat); the highest RSS of each.
 * <p>Usage: ChurnBench [--runs N] [--only SYSTEM,...] [--seconds S] [--warmup S] [--out FILE]
 * [--load-only] [RATE...]
 * (systems: {@code conntrackd hactl-external conntrackd-kernel hactl}, all by default; rates in
 * changes per second, creates + deletes; default 5000 20000 50000). {@code --warmup} runs the same
 * churn that long before the window, measured by nothing. {@code --load-only} runs the load
 * generator alone and prints the rate it held. {@code -Dbench.profile=LIB} (async-profiler's
 * libasyncProfiler.so) profiles the CPU of hactl's daemons over the window and the tail, by thread.
 */
public final class ChurnBench {
    static final int BACKGROUND = 100_000;
    /** hactl's own lag figure is the worst of the last 10 s. */
    static final long OWN_LAG_WINDOW_NANOS = 10_000_000_000L;
    /** How often the warm-up asks hactl for its status, as a gateway's monitoring would. */
    static final long WARMUP_STATUS_NANOS = 1_000_000_000L;

    /** A system and how its backup keeps the peer's flows. */
    enum Setup {
        CONNTRACKD("conntrackd", "conntrackd, external cache", false),
        HACTL_EXTERNAL("hactl-external", "hactl, external cache", false),
        CONNTRACKD_KERNEL("conntrackd-kernel", "conntrackd, DisableExternalCache", true),
        HACTL("hactl", "hactl, warm standby", true);

        final String id;
        final String label;
        /** Whether b writes the received flows into its kernel as they come. */
        final boolean writesKernel;

        Setup(String id, String label, boolean writesKernel) {
            this.id = id;
            this.label = label;
            this.writesKernel = writesKernel;
        }

        static Setup of(String id) {
            for (Setup s : values()) {
                if (s.id.equals(id)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no system " + id + "; systems: conntrackd, hactl-external, conntrackd-kernel, hactl");
        }

        /** Whether b has an external cache to list (conntrackd with DisableExternalCache has none). */
        boolean externalCache() {
            return this != CONNTRACKD_KERNEL;
        }

        SyncDaemons daemons(SyncPair pair, Path dir) {
            return switch (this) {
                case CONNTRACKD -> new Conntrackd(pair, dir, 0, true);
                case CONNTRACKD_KERNEL -> new Conntrackd(pair, dir, 0, false);
                case HACTL_EXTERNAL -> new HactlDaemons(pair, dir, "direct-inject: false");
                case HACTL -> new HactlDaemons(pair, dir, "direct-inject: true");
            };
        }
    }

    /**
     * One run's figures; times in ms, CPU in s, RSS in bytes; lag figures -1 when no probe was
     * seen; the comparison with b's external cache or kernel -1 where b has none or does not write it.
     */
    record Figures(double heldRate, long lateSlots, long loadFailed, long overruns, long lost, long masterFlows,
                   long peerFlows, long missing, long extra, long kernelFlows, long kernelMissing, long kernelExtra,
                   long probes, long probesUnseen, double lagP50, double lagP99, double lagMax,
                   double completeAfterMillis, double ownLagMax, double cpuA, double cpuB, long rssA, long rssB) {

        /** CPU of both daemons per 100k changes the load made in the window of {@code seconds}. */
        double cpuPer100k(int seconds) {
            return (cpuA + cpuB) / (heldRate * seconds / 1e5);
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> rates = new ArrayList<>();
        List<Setup> systems = List.of(Setup.values());
        Path out = Path.of("test-lab/target/bench/churn-report.md");
        int runs = 1;
        int seconds = 30;
        int warmup = 0;
        boolean loadOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--only" -> systems = systems(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                // the same churn for this long before the measured window: the daemons' one-time
                // costs (a JVM's JIT compiling the churn's paths) spent, as on a gateway running for days
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--load-only" -> loadOnly = true;
                default -> rates.add(Integer.parseInt(args[i]));
            }
        }
        if (rates.isEmpty()) {
            rates = List.of(5_000, 20_000, 50_000);
        }
        if (loadOnly) {
            for (int rate : rates) {
                loadOnly(rate, seconds);
            }
            return;
        }
        if (systems.contains(Setup.HACTL) || systems.contains(Setup.HACTL_EXTERNAL)) {
            HactlDaemons.primeClassData();
        }
        String report = runAll(rates, systems, warmup, seconds, runs);
        System.out.println();
        System.out.println(report);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println("written to " + out);
    }

    /** A comma-separated list of system ids. */
    static List<Setup> systems(String ids) {
        return java.util.Arrays.stream(ids.split(",")).map(String::strip).map(Setup::of).toList();
    }

    /** Every rate, {@code runs} times each, the systems alternating within a run; returns the report. */
    static String runAll(List<Integer> rates, List<Setup> systems, int warmup, int seconds, int runs) throws Exception {
        Map<String, List<Figures>> results = new LinkedHashMap<>();
        for (int rate : rates) {
            for (int r = 0; r < runs; r++) {
                for (Setup system : systems) { // alternating, so that a slow spell of the machine hits all
                    Figures f = run(system, rate, warmup, seconds, 1_000L * r + rate);
                    System.out.printf(Locale.ROOT, "%s, %,d changes/s, run %d of %d: %s%n", system.label, rate, r + 1, runs, f);
                    results.computeIfAbsent(system.id + " " + rate, k -> new ArrayList<>()).add(f);
                }
            }
        }
        return report(rates, systems, warmup, seconds, runs, results);
    }

    /**
     * The load generator alone, on the same table but with no daemon listening: what rate it
     * holds on this machine, to choose the rates of the report by.
     */
    static void loadOnly(int rate, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("hactl-churn-load");
        try (Netns ns = Netns.create("churn"); Conntrack ct = ns.call(Conntrack::open)) {
            Path load = dir.resolve("background.ct");
            Bench.writeLoad(load, BACKGROUND);
            var r = ns.execRaw("conntrack", "-R", load.toString());
            if (r.exitCode() != 0) {
                throw new IllegalStateException("conntrack -R failed: " + r.errors());
            }
            ChurnLoad churn = new ChurnLoad(ct, rate, seconds, rate);
            int population = churn.prepopulate();
            churn.run();
            System.out.printf(Locale.ROOT, "load alone at %,d changes/s for %d s: held %,.0f/s (%,d created, %,d deleted, "
                    + "%d refused), population %,d, %d slots over 10 ms late, worst %d ms behind%n", rate, seconds,
                    churn.heldRate(), churn.created(), churn.deleted(), churn.failed(), population, churn.lateSlots(),
                    churn.worstBehindMillis());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Figures run(Setup system, int rate, int warmup, int seconds, long seed) throws Exception {
        Path dir = Files.createTempDirectory("hactl-churn-" + system.id);
        try (SyncPair pair = SyncPair.create();
                SyncDaemons d = system.daemons(pair, dir);
                Conntrack ct = pair.a.call(Conntrack::open);
                Conntrack ctB = pair.b.call(Conntrack::open)) {
            d.start();
            if (d instanceof HactlDaemons h) {
                h.masterAndBackup(); // b a warm standby, as on a gateway pair (with sync.direct-inject on)
            }
            Path load = dir.resolve("background.ct");
            Bench.writeLoad(load, BACKGROUND);
            var r = pair.a.execRaw("conntrack", "-R", load.toString());
            if (r.exitCode() != 0) {
                throw new IllegalStateException("conntrack -R failed: " + r.errors());
            }
            ChurnLoad churn = new ChurnLoad(ct, rate, warmup, seconds, seed);
            int steady = BACKGROUND + churn.prepopulate();
            Bench.await(system.label + ": b holding the background and the churn's population", 180_000,
                    () -> (system.writesKernel ? ScaleBench.kernelCount(ctB) : Bench.external(d)) >= steady);
            // what b's kernel holds besides the replicated flows (the sync link's own), for its count in the tail
            long unreplicatedOfB = system.writesKernel ? ScaleBench.kernelCount(ctB) - masterKeys(ctB).size() : 0;

            long[] pids = d.pids();
            boolean jvm = d instanceof HactlDaemons;
            long ownLagMax = -1;
            long loadEnd;
            long[] arrivals;
            try (ProbeCapture capture = ProbeCapture.start(pair.b)) {
                Throwable[] failure = new Throwable[1];
                Thread loader = new Thread(() -> {
                    try {
                        churn.run();
                    } catch (Throwable t) {
                        failure[0] = t;
                    }
                }, "churn-load");
                loader.setDaemon(true);
                loader.start();
                long deadline = System.nanoTime() + (warmup + seconds + 60) * 1_000_000_000L;
                long nextStatus = System.nanoTime();
                while (churn.windowStart() == 0 && loader.isAlive() && System.nanoTime() < deadline) {
                    if (System.nanoTime() >= nextStatus) {
                        // a gateway's monitoring asks now and then: its status path is compiled before the window
                        ownLagMax(d);
                        nextStatus += WARMUP_STATUS_NANOS;
                    }
                    Thread.sleep(5); // polling for the warm-up's end, the window's start
                }
                // the window: CPU, RSS and lag count from here
                long windowStart = System.nanoTime();
                long[] cpu0 = {SyncDaemons.cpuMillisOf(pids[0]), SyncDaemons.cpuMillisOf(pids[1])};
                var kindsA0 = jvm ? SyncDaemons.cpuMillisByKind(pids[0]) : null;
                var kindsB0 = jvm ? SyncDaemons.cpuMillisByKind(pids[1]) : null;
                long[] rssMax = d.rss();
                if (jvm) {
                    Bench.profile(d, "start,event=cpu,interval=1ms,threads");
                }
                // its figure covers the last 10 s: read once per 10 s from the window's 10th second on
                // (before that it covers the background's replication too), so that the window's CPU
                // is the replication's, not answers to the bench
                long nextOwnLag = windowStart + OWN_LAG_WINDOW_NANOS;
                while (loader.isAlive() && System.nanoTime() < deadline) {
                    loader.join(500);
                    long[] rss = d.rss();
                    rssMax[0] = Math.max(rssMax[0], rss[0]);
                    rssMax[1] = Math.max(rssMax[1], rss[1]);
                    if (System.nanoTime() >= nextOwnLag) {
                        ownLagMax = Math.max(ownLagMax, ownLagMax(d));
                        nextOwnLag += OWN_LAG_WINDOW_NANOS;
                    }
                }
                if (jvm) { // the last seconds of the window
                    ownLagMax = Math.max(ownLagMax, ownLagMax(d));
                }
                if (loader.isAlive()) {
                    loader.interrupt();
                    throw new IllegalStateException("the churn load did not end within " + (warmup + seconds + 60) + " s");
                }
                if (failure[0] != null) {
                    throw new IllegalStateException("churn load failed", failure[0]);
                }
                loadEnd = System.nanoTime();
                // the tail: b holding as many flows as a's table, in its kernel where it writes it
                int expected = BACKGROUND + churn.live();
                long tail0 = System.nanoTime();
                double completeAfter = -1;
                long tailDeadline = tail0 + 60_000_000_000L;
                while (System.nanoTime() < tailDeadline) {
                    long held = system.writesKernel ? ScaleBench.kernelCount(ctB) - unreplicatedOfB : Bench.external(d);
                    if (held == expected) {
                        completeAfter = (System.nanoTime() - loadEnd) / 1e6;
                        break;
                    }
                    Thread.sleep(2); // polling interval of the tail's check
                }
                long[] rss = d.rss();
                rssMax[0] = Math.max(rssMax[0], rss[0]);
                rssMax[1] = Math.max(rssMax[1], rss[1]);
                long[] cpu1 = {SyncDaemons.cpuMillisOf(pids[0]), SyncDaemons.cpuMillisOf(pids[1])};
                if (jvm) {
                    Bench.profile(d, "stop,collapsed,file=" + System.getProperty("java.io.tmpdir") + "/churn-bench-profile-"
                            + system.id + "-" + rate + "-%p.txt");
                }
                capture.close();
                arrivals = capture.arrivals();
                System.out.printf(Locale.ROOT, "%s: %d datagrams captured on b, b complete %.0f ms after the load%n",
                        system.label, capture.datagrams(), completeAfter);
                if (jvm) { // where a JVM's CPU went: its own threads, the JIT's, the GC's
                    System.out.printf(Locale.ROOT, "%s: cpu ms of a by thread kind: %s; of b: %s%n",
                            system.label, Bench.kindsSince(kindsA0, SyncDaemons.cpuMillisByKind(pids[0])),
                            Bench.kindsSince(kindsB0, SyncDaemons.cpuMillisByKind(pids[1])));
                }

                Map<String, Long> losses = d.losses();
                Set<String> master = masterKeys(ct);
                FlowSets.Diff diff = new FlowSets.Diff(master.size(), -1, -1, -1);
                if (system.externalCache()) {
                    List<String> listing = d.externalFlowsOfB();
                    Files.write(dir.resolve("external-sample.log"), listing.subList(0, Math.min(5, listing.size())));
                    diff = FlowSets.diff(master, FlowSets.keys(listing));
                }
                FlowSets.Diff kernelDiff = system.writesKernel ? FlowSets.diff(master, masterKeys(ctB))
                        : new FlowSets.Diff(master.size(), -1, -1, -1);

                long[] created = churn.probeCreated();
                List<Long> lags = new ArrayList<>();
                int unseen = 0;
                for (int id = churn.firstWindowProbe(); id < churn.probes(); id++) {
                    if (arrivals[id] == 0) {
                        unseen++;
                    } else {
                        lags.add(arrivals[id] - created[id]);
                    }
                }
                Percentiles lag = new Percentiles(lags.stream().mapToLong(Long::longValue).toArray());
                return new Figures(churn.heldRate(), churn.lateSlots(), churn.failed(), losses.get("overruns"),
                        losses.get("lost"), diff.master(), diff.peer(), diff.missing(), diff.extra(), kernelDiff.peer(),
                        kernelDiff.missing(), kernelDiff.extra(), churn.probes() - churn.firstWindowProbe(), unseen,
                        ms(lag.at(50)), ms(lag.at(99)), ms(lag.max()), completeAfter, ownLagMax,
                        (cpu1[0] - cpu0[0]) / 1e3, (cpu1[1] - cpu0[1]) / 1e3, rssMax[0], rssMax[1]);
            }
        } finally {
            // keep the daemons' logs and statistics for a look afterwards
            Path logs = Path.of("test-lab/target/bench/logs").toAbsolutePath();
            Files.createDirectories(logs);
            try (var outs = Files.list(dir)) {
                for (Path p : outs.filter(p -> p.toString().endsWith(".out") || p.toString().endsWith(".log")).toList()) {
                    Files.copy(p, logs.resolve("churn-" + system.id + "-" + rate + "-" + p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double ms(long nanos) {
        return nanos < 0 ? -1 : nanos / 1e6;
    }

    /** hactl's own worst acknowledged lag of the last 10 s (a second source, hactl only); -1 otherwise. */
    private static long ownLagMax(SyncDaemons d) {
        try {
            return d instanceof HactlDaemons h ? h.ownLagMaxMillisOfA() : -1;
        } catch (Exception e) {
            System.err.println("hactl's status not read: " + e);
            return -1;
        }
    }

    /** a's table as original-tuple keys, without what both systems are told to ignore (the sync link, loopback). */
    private static Set<String> masterKeys(Conntrack ct) throws Exception {
        Set<String> keys = new HashSet<>();
        ct.dump(Sockets.AF_UNSPEC, (Flow f) -> {
            String src = f.orig().src().getHostAddress();
            String dst = f.orig().dst().getHostAddress();
            if (!src.startsWith("127.") && !dst.startsWith("127.") && !src.startsWith("10.99.0.") && !dst.startsWith("10.99.0.")) {
                keys.add(FlowSets.key(f.orig().toString()));
            }
        });
        return keys;
    }

    /** Several runs of one system at one rate: medians, but the worst of what must be zero. */
    static Figures combine(List<Figures> fs) {
        if (fs.size() == 1) {
            return fs.get(0);
        }
        java.util.function.ToDoubleFunction<java.util.function.ToDoubleFunction<Figures>> med = field -> {
            double[] v = fs.stream().mapToDouble(field).sorted().toArray();
            return v[v.length / 2];
        };
        java.util.function.ToLongFunction<java.util.function.ToLongFunction<Figures>> worst =
                field -> fs.stream().mapToLong(field).max().orElse(0);
        return new Figures(med.applyAsDouble(Figures::heldRate), worst.applyAsLong(Figures::lateSlots),
                worst.applyAsLong(Figures::loadFailed), worst.applyAsLong(Figures::overruns), worst.applyAsLong(Figures::lost),
                (long) med.applyAsDouble(Figures::masterFlows), (long) med.applyAsDouble(Figures::peerFlows),
                worst.applyAsLong(Figures::missing),
                worst.applyAsLong(Figures::extra), (long) med.applyAsDouble(Figures::kernelFlows),
                worst.applyAsLong(Figures::kernelMissing), worst.applyAsLong(Figures::kernelExtra),
                (long) med.applyAsDouble(Figures::probes),
                worst.applyAsLong(Figures::probesUnseen), med.applyAsDouble(Figures::lagP50), med.applyAsDouble(Figures::lagP99),
                med.applyAsDouble(Figures::lagMax), med.applyAsDouble(Figures::completeAfterMillis),
                med.applyAsDouble(Figures::ownLagMax),
                med.applyAsDouble(Figures::cpuA), med.applyAsDouble(Figures::cpuB),
                (long) med.applyAsDouble(Figures::rssA), (long) med.applyAsDouble(Figures::rssB));
    }

    static String report(List<Integer> rates, List<Setup> systems, int warmup, int seconds, int runs,
            Map<String, List<Figures>> all) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Churn: hactl and conntrackd side by side\n\n")
                .append("Same lab, one system after the other: two namespaces joined by a veth sync link (kernel ")
                .append(System.getProperty("os.version")).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores), ").append(String.format(Locale.ROOT, "%,d", BACKGROUND))
                .append(" ESTABLISHED TCP flows in node a's table, then for ").append(seconds)
                .append(" s a load generator creating and deleting flows there through batched ctnetlink CT_NEW / CT_DELETE, ")
                .append("paced per 10 ms slot (85% TCP ESTABLISHED, 15% UDP; each lives 0.5-4.5 s, the steady population ")
                .append("in place before the window). ")
                .append(warmup == 0 ? "" : "Before the window, " + warmup + " s of the same churn, measured by nothing: "
                        + "the daemons' one-time costs spent (a JVM's JIT compiling the churn's paths), as on a gateway "
                        + "that has run for a while. ")
                .append("Each system twice: b keeping the peer's flows in an external cache (conntrackd's default; hactl ")
                .append("`direct-inject: false`), and b writing them into its own kernel as they come (hactl's warm standby, ")
                .append("its default; conntrackd `DisableExternalCache on`). hactl's nodes are told MASTER (a) and BACKUP (b), ")
                .append("as keepalived's notify would. ")
                .append("Lag: from a probe flow's creation (one per slot) to the first sync datagram carrying it at b, read by a ")
                .append("packet socket in b's namespace, the same for all (hactl's own acknowledged lag, the worst of the last ")
                .append("10 s in its status, read every 10 s from the window's 10th second on, is a second source only; the ")
                .append("warm-up asks for it every second, as monitoring would). Complete: b holding as many flows as a's table after ")
                .append("the load (in b's kernel where it writes it, else in its external cache), polled every 2 ms. Exact: a's ")
                .append("table against b's external cache (`hactl cache external`, `conntrackd -e`) and b's kernel, as sets of ")
                .append("original tuples. Lost: kernel event overruns and sync messages lost, from the systems' own counters ")
                .append("(`hactl stats`, `conntrackd -s`). CPU: user + system time of each daemon over the window and its ")
                .append("tail, the kernel's work on its behalf (its netlink writes) included. RSS: the highest seen. ")
                .append(runs > 1 ? "Medians of " + runs + " runs (each run's in brackets where it matters), the worst for "
                        + "what must be zero. " : "One run each. ")
                .append("Ratios conntrackd / hactl, like with like (above 1: hactl lower).\n\n");
        for (int rate : rates) {
            Map<Setup, List<Figures>> runsOf = new LinkedHashMap<>();
            for (Setup s : systems) {
                List<Figures> fs = all.get(s.id + " " + rate);
                if (fs != null) {
                    runsOf.put(s, fs);
                }
            }
            Map<Setup, Figures> med = new LinkedHashMap<>();
            runsOf.forEach((s, fs) -> med.put(s, combine(fs)));
            sb.append(String.format(Locale.ROOT, "## %,d changes/s for %d s%n%n| what |", rate, seconds));
            med.keySet().forEach(s -> sb.append(' ').append(s.label).append(" |"));
            sb.append("\n|---|").append("---|".repeat(med.size())).append('\n');
            Table t = new Table(sb, med, runsOf);
            t.row("changes/s the load held", Figures::heldRate, "%,.0f", false);
            t.row("  slots that started over 10 ms late", f -> f.lateSlots, "%.0f", false);
            t.row("  writes the kernel refused", f -> f.loadFailed, "%.0f", false);
            t.row("kernel events lost (netlink overruns)", f -> f.overruns, "%.0f", false);
            t.row("sync messages lost", f -> f.lost, "%.0f", false);
            t.row("flows in a's table at the end", f -> f.masterFlows, "%,.0f", false);
            t.row("flows in b's external cache", f -> f.peerFlows, "%,.0f", false);
            t.row("  of a's missing there", f -> f.missing, "%.0f", false);
            t.row("  there but no longer in a's table", f -> f.extra, "%.0f", false);
            t.row("flows in b's kernel (written)", f -> f.kernelFlows, "%,.0f", false);
            t.row("  of a's missing there", f -> f.kernelMissing, "%.0f", false);
            t.row("  there but no longer in a's table", f -> f.kernelExtra, "%.0f", false);
            t.row("replication lag p50 (ms)", Figures::lagP50, "%.1f", false);
            t.row("replication lag p99 (ms)", Figures::lagP99, "%.1f", true);
            t.row("replication lag max (ms)", Figures::lagMax, "%.1f", false);
            t.row("  probes never seen at b", f -> f.probesUnseen, "%.0f", false);
            t.row("  hactl's own acked lag, worst, from the 10th second (ms)", Figures::ownLagMax, "%.0f", false);
            t.row("b complete after the load (ms)", Figures::completeAfterMillis, "%.0f", true);
            t.row("CPU of a's daemon (s)", Figures::cpuA, "%.2f", true);
            t.row("CPU of b's daemon (s)", Figures::cpuB, "%.2f", true);
            t.row("CPU of both per 100k changes (s)", f -> f.cpuPer100k(seconds), "%.3f", true);
            t.row("RSS of a's daemon, highest (MB)", f -> f.rssA / 1e6, "%.1f", false);
            t.row("RSS of b's daemon, highest (MB)", f -> f.rssB / 1e6, "%.1f", false);
            sb.append('\n');
            ratios(sb, med, seconds);
        }
        return sb.toString();
    }

    /** The ratios conntrackd / hactl of each mode that both ran, for the rows that decide. */
    private static void ratios(StringBuilder sb, Map<Setup, Figures> med, int seconds) {
        List<Setup[]> pairs = new ArrayList<>();
        for (Setup[] p : new Setup[][] {{Setup.CONNTRACKD, Setup.HACTL_EXTERNAL}, {Setup.CONNTRACKD_KERNEL, Setup.HACTL},
                {Setup.CONNTRACKD, Setup.HACTL}}) {
            if (med.containsKey(p[0]) && med.containsKey(p[1])) {
                pairs.add(p);
            }
        }
        if (pairs.isEmpty()) {
            return;
        }
        sb.append("| conntrackd / hactl | CPU per 100k changes | CPU of a | CPU of b | lag p99 | complete after the load | RSS of b |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (Setup[] p : pairs) {
            Figures c = med.get(p[0]);
            Figures h = med.get(p[1]);
            sb.append("| ").append(p[0].label).append(" / ").append(p[1].label).append(" | ")
                    .append(ratio(c.cpuPer100k(seconds), h.cpuPer100k(seconds))).append(" | ")
                    .append(ratio(c.cpuA, h.cpuA)).append(" | ").append(ratio(c.cpuB, h.cpuB)).append(" | ")
                    .append(ratio(c.lagP99, h.lagP99)).append(" | ").append(ratio(c.completeAfterMillis, h.completeAfterMillis))
                    .append(" | ").append(ratio(c.rssB, h.rssB)).append(" |\n");
        }
        sb.append('\n');
    }

    private static String ratio(double c, double h) {
        return c < 0 || h <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", c / h);
    }

    /** Rows of one rate's table: the median of each system, with each run's value where asked. */
    private record Table(StringBuilder sb, Map<Setup, Figures> med, Map<Setup, List<Figures>> runs) {
        void row(String what, java.util.function.ToDoubleFunction<Figures> field, String fmt, boolean perRun) {
            sb.append("| ").append(what).append(" |");
            med.forEach((s, f) -> {
                sb.append(' ').append(text(f, field, fmt));
                List<Figures> fs = runs.get(s);
                if (perRun && fs.size() > 1) {
                    sb.append(" [").append(String.join(" ", fs.stream().map(r -> text(r, field, fmt)).toList())).append(']');
                }
                sb.append(" |");
            });
            sb.append('\n');
        }
    }

    /** The figure, or "n/a" where the system has none (negative: no probe seen, no own lag figure). */
    private static String text(Figures f, java.util.function.ToDoubleFunction<Figures> field, String fmt) {
        if (f == null) {
            return "-";
        }
        double v = field.applyAsDouble(f);
        return v < 0 ? "n/a" : String.format(Locale.ROOT, fmt, v);
    }

}
