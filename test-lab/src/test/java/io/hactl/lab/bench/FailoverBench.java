package io.hactl.lab.bench;

import io.hactl.lab.pair.ConntrackdNode;
import io.hactl.lab.pair.FirewallPair;
import io.hactl.lab.pair.HactlNode;
import io.hactl.lab.pair.Keepalived;
import io.hactl.lab.pair.LiveFlows;
import io.hactl.sync.wire.KeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark report (not a test): conntrackd + keepalived +
 * primary-backup.sh against hactl + keepalived in the same lab, one after the other in one run:
 * flows surviving and worst stall for graceful and crash failover; the crash at 100 ms adverts
 * with hactl's own VRRP as a third system ({@link VrrpCrashBench}); then (through {@link Bench})
 * replication, resync, commit and memory; churn ({@link ChurnBench}: both systems with an external
 * cache and writing b's kernel); the MASTER transition at 1M and 2M flows ({@link ScaleBench}:
 * commit, resync, heap, RSS, the MASTER event to the kernel holding every flow). Writes
 * test-lab/target/bench/report.md and report.png; with {@code --only vrrp-crash} the crash at
 * 100 ms adverts alone, into vrrp-crash-report.md.
 * Usage: FailoverBench [--flows N,N] [--sync N,N] [--runs N] [--failover-runs N] [--crash-runs N]
 * [--background N,N] [--crash-systems S,S] [--crash-loose] [--churn RATE,RATE|none] [--churn-systems S,S]
 * [--churn-warmup S] [--scale N,N|none] [--scale-runs N] [--only vrrp-crash]
 */
public final class FailoverBench {
    /**
     * A failover scenario's result; over several runs: the fewest flows surviving, the median
     * worst stall and VIP move, and each run's worst stall in {@code stalls}; {@code longStalls}
     * counts the flows stalled 5 s or more (a crash's
     * worst stall is one flow's TCP backoff step: this says how many flows felt it).
     */
    record Failover(String system, int flows, String mode, LiveFlows.Report report, long vipMillis, List<Long> stalls,
                    long longStalls, List<Long> longStallsOfRuns) {}

    /** The churn's measured window, as the churn bench's default. */
    static final int CHURN_SECONDS = 30;
    /** How long the flows echo, replicated, before the failover. */
    static final long SETTLE_MILLIS = 5_000;

    public static void main(String[] args) throws Exception {
        // the echo server is a process of its own: 10,000 flows take 10,000 descriptors here
        List<Integer> flows = List.of(1000, 10_000);
        List<Integer> sync = List.of(100_000, 250_000);
        int runs = 3; // the sync figures are medians: single runs vary by a third
        // a stall moves by whole TCP retransmission steps with the moment packets meet the switch
        int failoverRuns = 3;
        int crashRuns = 3;
        List<Integer> backgrounds = List.of(0, 100_000);
        boolean onlyVrrpCrash = false;
        List<String> crashSystems = VrrpCrashBench.SYSTEMS;
        boolean crashLoose = false;
        List<Integer> churnRates = List.of(5_000, 20_000, 50_000);
        List<ChurnBench.Setup> churnSystems = List.of(ChurnBench.Setup.values());
        int churnWarmup = 30; // the daemons' JIT past its first minute, as on a gateway that has run a while
        List<Integer> scaleSizes = List.of(1_000_000, 2_000_000);
        int scaleRuns = -1; // as --runs
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--flows")) {
                flows = parse(args[++i]);
            } else if (args[i].equals("--runs")) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--failover-runs")) {
                failoverRuns = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--sync")) {
                sync = parse(args[++i]);
            } else if (args[i].equals("--crash-runs")) {
                crashRuns = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--background")) {
                backgrounds = parse(args[++i]);
            } else if (args[i].equals("--crash-systems")) {
                crashSystems = List.of(args[++i].split(","));
            } else if (args[i].equals("--crash-loose")) {
                crashLoose = true;
            } else if (args[i].equals("--churn")) {
                churnRates = parse(args[++i]);
            } else if (args[i].equals("--churn-systems")) {
                churnSystems = ChurnBench.systems(args[++i]);
            } else if (args[i].equals("--churn-warmup")) {
                churnWarmup = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--scale")) {
                scaleSizes = parse(args[++i]);
            } else if (args[i].equals("--scale-runs")) {
                scaleRuns = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--only") && args[i + 1].equals("vrrp-crash")) {
                onlyVrrpCrash = true;
                i++;
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: [--flows N,N] [--sync N,N] [--runs N]"
                        + " [--failover-runs N] [--crash-runs N] [--background N,N] [--crash-systems S,S] [--crash-loose] [--churn RATE,RATE|none]"
                        + " [--churn-systems S,S] [--churn-warmup S] [--scale N,N|none] [--scale-runs N] [--only vrrp-crash]");
            }
        }
        Path dir = Path.of("test-lab/target/bench");
        Files.createDirectories(dir);
        if (onlyVrrpCrash) {
            String md = "# hactl benchmark report: crash failover at 100 ms adverts\n\nKernel " + System.getProperty("os.version")
                    + ".\n\n" + VrrpCrashBench.report(VrrpCrashBench.runAll(backgrounds, crashRuns, crashSystems, crashLoose), crashLoose);
            Files.writeString(dir.resolve("vrrp-crash-report.md"), md);
            System.out.println(md);
            System.out.println("written to " + dir.resolve("vrrp-crash-report.md"));
            return;
        }
        List<Failover> failovers = new ArrayList<>();
        for (int n : flows) {
            for (String mode : List.of("graceful", "crash")) {
                Map<String, List<Failover>> bySystem = new LinkedHashMap<>();
                for (int run = 1; run <= failoverRuns; run++) {
                    // the systems alternate, so that a slow spell of the machine hits both
                    for (String system : List.of("conntrackd", "hactl")) {
                        Failover f = failover(system, n, mode);
                        bySystem.computeIfAbsent(system, k -> new ArrayList<>()).add(f);
                        System.out.printf(Locale.ROOT, "%s %s failover, %,d flows, run %d of %d: %s (VIP moved after %d ms)%n",
                                system, mode, n, run, failoverRuns, f.report(), f.vipMillis());
                    }
                }
                bySystem.values().forEach(runs1 -> failovers.add(combine(runs1)));
            }
        }
        List<VrrpCrashBench.Run> crashes = crashRuns > 0 ? VrrpCrashBench.runAll(backgrounds, crashRuns, crashSystems, crashLoose) : List.of();
        Map<String, Bench.Figures> figures = new LinkedHashMap<>();
        for (int n : sync) {
            figures.putAll(Bench.medians(List.of("conntrackd", "hactl"), n, runs));
        }
        String churn = churnRates.isEmpty() ? ""
                : ChurnBench.runAll(churnRates, churnSystems, churnWarmup, CHURN_SECONDS, runs);
        String scale = scaleSizes.isEmpty() ? ""
                : ScaleBench.runAll(scaleSizes, List.of(ScaleBench.Setup.values()), scaleRuns < 0 ? runs : scaleRuns);
        String md = report(failovers, crashes.isEmpty() ? "" : VrrpCrashBench.report(crashes, crashLoose), sync, figures)
                + section(churn) + section(scale);
        Files.writeString(dir.resolve("report.md"), md);
        ReportChart.write(dir.resolve("report.png"), failovers, sync, figures);
        System.out.println(md);
        System.out.println("written to " + dir.resolve("report.md") + " and " + dir.resolve("report.png"));
    }

    /** Several runs of one scenario: the fewest survivors, the median stall and VIP move. */
    static Failover combine(List<Failover> runs) {
        List<Long> stalls = runs.stream().map(f -> f.report().worstStallMillis()).toList();
        List<Long> sorted = stalls.stream().sorted().toList();
        List<Long> vips = runs.stream().map(Failover::vipMillis).sorted().toList();
        Failover worst = runs.stream().min(java.util.Comparator.comparingInt(f -> f.report().survived())).orElseThrow();
        LiveFlows.Report r = new LiveFlows.Report(worst.report().opened(), worst.report().survived(), worst.report().died(),
                sorted.get(sorted.size() / 2));
        List<Long> longs = runs.stream().map(Failover::longStalls).toList();
        return new Failover(worst.system(), worst.flows(), worst.mode(), r, vips.get(vips.size() / 2), stalls,
                longs.stream().sorted().toList().get(longs.size() / 2), longs);
    }

    /** A comma-separated list of numbers; "none": empty (that part of the report skipped). */
    static List<Integer> parse(String csv) {
        List<Integer> out = new ArrayList<>();
        if (csv.equals("none")) {
            return out;
        }
        for (String s : csv.split(",")) {
            out.add(Integer.parseInt(s.strip()));
        }
        return out;
    }

    static Failover failover(String system, int n, String mode) throws Exception {
        Path dir = Files.createTempDirectory("hactl-fobench");
        Path scripts = Path.of("/run/hactl-bench-" + ProcessHandle.current().pid());
        Files.createDirectories(scripts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        long period = n <= 1000 ? 50 : 500;
        // closed in reverse order: keepalived first, or its notify script (primary-backup.sh) would
        // start a daemonized conntrackd again when it sees conntrackd gone
        try (FirewallPair lab = FirewallPair.create();
             HactlNode h1 = new HactlNode(lab.fw1, dir, "fw1");
             HactlNode h2 = new HactlNode(lab.fw2, dir, "fw2");
             ConntrackdNode c1 = new ConntrackdNode(lab.fw1, dir, scripts, "fw1");
             ConntrackdNode c2 = new ConntrackdNode(lab.fw2, dir, scripts, "fw2");
             Keepalived k1 = new Keepalived(lab.fw1, dir, "fw1");
             Keepalived k2 = new Keepalived(lab.fw2, dir, "fw2")) {
            Path c2conf = null;
            if (system.equals("hactl")) {
                Path key = dir.resolve("sync.key");
                KeyFile.generate(key);
                h1.start(h1.conf("10.99.0.1", "10.99.0.2", key));
                h2.start(h2.conf("10.99.0.2", "10.99.0.1", key));
                Bench.await("hactl daemons", 30_000, () -> h1.statusOrNull() != null && h2.statusOrNull() != null);
                k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
                k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
            } else {
                Path c1conf = c1.conf("10.99.0.1", "10.99.0.2");
                c2conf = c2.conf("10.99.0.2", "10.99.0.1");
                c1.start(c1conf);
                c2.start(c2conf);
                Path c2c = c2conf;
                Bench.await("conntrackd", 15_000, () -> c2.external(c2c) >= 0);
                k1.start(k1.confWithScript(150, c1.script(c1conf)));
                k2.start(k2.confWithScript(100, c2.script(c2conf)));
            }
            Bench.await("fw1 to be MASTER", 30_000, k1::holdsVip);
            try (LiveFlows live = LiveFlows.open(lab.server, lab.client, n, period)) {
                Bench.await("flows echoing", 60_000, () -> live.allEchoingWithin(period * 10));
                Path c2c = c2conf;
                Bench.await("fw2 to hold the flows", 60_000, () -> system.equals("hactl")
                        ? h2.statusOrNull() != null && h2.statusOrNull().caches().external() >= n
                        : c2.external(c2c) >= n);
                // a gateway in service: the flows keep echoing for a while before the failover, so
                // that neither system is still busy with their opening (not a synchronisation)
                Thread.sleep(SETTLE_MILLIS);
                long before = live.currentWorstStallMillis();
                live.forgetStalls(); // the worst stall reported is the failover's
                long t0 = System.nanoTime();
                if (mode.equals("graceful")) {
                    k1.stop();
                } else {
                    // the network dies first, at the same instant for both systems; then the processes
                    lab.unplug(lab.fw1);
                    k1.kill();
                    h1.close();
                    c1.close();
                }
                Bench.await("fw2 to take over", 30_000, k2::holdsVip);
                long vip = (System.nanoTime() - t0) / 1_000_000;
                // give the flows the time a crash needs, then judge: silent for 10 s counts as dead
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline && !live.allEchoingWithin(period * 4)) {
                    Thread.sleep(100);
                }
                Thread.sleep(Math.max(1000, period * 4)); // a few more echo rounds before judging
                System.out.printf(Locale.ROOT, "  worst stall began %+d ms from the failover (worst before it: %d ms);"
                        + " flows stalled 1 s or more: %d, 5 s or more: %d, 10 s or more: %d%n",
                        (live.worstStallBeganAt() - t0) / 1_000_000, before, live.stalledAtLeast(1000),
                        live.stalledAtLeast(5000), live.stalledAtLeast(10_000));
                if (system.equals("hactl") && h2.statusOrNull() != null) {
                    System.out.println("  fw2 transition: " + h2.statusOrNull().lastTransition());
                }
                return new Failover(system, n, mode, live.report(10_000), vip, List.of(), live.stalledAtLeast(5000), List.of());
            }
        } finally {
            // keep the daemons' logs for a look afterwards (the last run of each scenario)
            Path logs = Path.of("test-lab/target/bench/logs").toAbsolutePath();
            Files.createDirectories(logs);
            try (var outs = Files.list(dir)) {
                for (Path p : outs.filter(p -> p.toString().endsWith(".log")).toList()) {
                    Files.copy(p, logs.resolve("failover-" + system + "-" + n + "-" + mode + "-" + p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            try (var files = Files.walk(scripts)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void failoverTable(StringBuilder sb, List<Failover> failovers) {
        sb.append("## Failover\n\nEach scenario ran ").append(failovers.get(0).stalls().size())
                .append(" times, the systems alternating: survivors are the fewest of the runs, the worst stall is the median ")
                .append("of the runs' worst stalls (each run's in brackets), and the flows stalled 5 s or more are the median ")
                .append("of the runs' counts: a crash's worst stall is one flow's backoff step, the count says how many felt it.\n\n")
                .append("| scenario | flows | conntrackd survived | hactl survived | conntrackd worst stall | hactl worst stall | ratio ")
                .append("| conntrackd flows stalled 5 s+ | hactl flows stalled 5 s+ |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (int i = 0; i + 1 < failovers.size(); i += 2) {
            Failover c = failovers.get(i);
            Failover h = failovers.get(i + 1);
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %d/%d | %d/%d | %d ms %s | %d ms %s | %.2fx | %d %s | %d %s |%n",
                    c.mode(), c.flows(),
                    c.report().survived(), c.report().opened(), h.report().survived(), h.report().opened(),
                    c.report().worstStallMillis(), c.stalls(), h.report().worstStallMillis(), h.stalls(),
                    h.report().worstStallMillis() > 0 ? (double) c.report().worstStallMillis() / h.report().worstStallMillis()
                            : Double.NaN, c.longStalls(), c.longStallsOfRuns(), h.longStalls(), h.longStallsOfRuns()));
        }
    }

    /** A bench's own report as a section of this one: its headings one level down. */
    static String section(String md) {
        if (md.isEmpty()) {
            return "";
        }
        return "\n" + md.lines().map(l -> l.startsWith("#") ? "#" + l : l).collect(java.util.stream.Collectors.joining("\n")) + "\n";
    }

    static String report(List<Failover> failovers, String crashSection, List<Integer> sync,
                         Map<String, Bench.Figures> figures) {
        StringBuilder sb = new StringBuilder("# hactl benchmark report\n\n");
        sb.append("One lab (client -- fw1/fw2 -- server in network namespaces, stateful nftables, ")
                .append("nf_conntrack_tcp_loose=0, keepalived VRRPv3 with a LAN + WAN sync group, kernel ")
                .append(System.getProperty("os.version")).append("; sections: failover, crash at 100 ms adverts, ")
                .append("replication, churn, scale). conntrackd runs FTFW over UDP with keepalived calling ")
                .append("its primary-backup.sh; hactl runs with keepalived's notify_fifo (a master that leaves hands over, and a backup ")
                .append("preloads the flows when the master hands over or falls silent). Live flows echo every 50 ms ")
                .append("(up to 1,000 flows) or 500 ms (more), for 5 s once the backup holds them all, before the failover. ")
                .append("A flow's stall is its longest wait for an echo of a ping in flight at the failover or sent after it ")
                .append("(the stalls of opening the flows and of the initial replication are not counted). ")
                .append("The worst stall of a crash is dominated by VRRP's ")
                .append("master-down interval and TCP's retransmission backoff (1.4, 3.0, 6.2 s ...), so it varies by whole ")
                .append("backoff steps between runs. Ratio = conntrackd / hactl (stall, time, memory): above 1, hactl is better.\n\n");
        if (!failovers.isEmpty()) {
            failoverTable(sb, failovers);
        }
        if (!crashSection.isEmpty()) {
            sb.append('\n').append(crashSection);
        }
        if (!sync.isEmpty()) {
            sb.append("\n## Replication, resync, commit, memory\n\n");
            String sync2 = Bench.report(sync, figures);
            sb.append(sync2.substring(sync2.indexOf("| what")));
        }
        return sb.toString();
    }
}
