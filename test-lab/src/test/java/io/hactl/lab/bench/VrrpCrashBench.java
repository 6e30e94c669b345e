package io.hactl.lab.bench;

import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.VrrpReport;
import io.hactl.lab.pair.ConntrackdNode;
import io.hactl.lab.pair.FirewallPair;
import io.hactl.lab.pair.HactlNode;
import io.hactl.lab.pair.Keepalived;
import io.hactl.lab.pair.LiveFlows;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.lab.Netns;
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
 * Crash failover with VRRP adverts every 100 ms (not a test): 1,000 live connections and 0 or
 * 100,000 idle background flows in the master's table, then the master crashes (its links go
 * down, its processes are killed). Three systems in the same lab, alternating run by run:
 * hactl's own VRRP (no keepalived), keepalived + hactl (notify_fifo), keepalived + conntrackd +
 * primary-backup.sh. Per run: connections broken, the worst stall, the VRRP takeover
 * ({@link TakeoverCapture}: the old master's last advert on the switches to the addresses up on
 * the new master, and to its first ARP),
 * the new master's first ARP counted from the crash, and how busy the machine was.
 * Also, with {@code --crash-systems}: hactl with the external cache only (no warm standby) under
 * either VRRP ({@link #EXTERNAL_CACHE}), where the MASTER step commits the peer's flows; and with
 * {@code --crash-loose} the gateways as Debian sets them up ({@code nf_conntrack_tcp_loose=1}) and
 * the LAN source-translated to the WAN virtual address: a packet that reaches the new master
 * before its flow's state then starts a new flow without the translation, and its connection
 * breaks. That is the race of a VRRP that moves the addresses before the state is loaded.
 * Usage: {@code test-lab/bench/report --only vrrp-crash [--crash-runs N] [--background N,N]
 * [--crash-systems S,S] [--crash-loose]}.
 */
final class VrrpCrashBench {
    static final List<String> SYSTEMS = List.of("hactl-vrrp", "keepalived+hactl", "keepalived+conntrackd");
    /** hactl with {@code sync.direct-inject: false}: the backup's kernel gets the flows at the MASTER step. */
    static final List<String> EXTERNAL_CACHE = List.of("hactl-vrrp-external", "keepalived+hactl-external");
    static final int CONNECTIONS = 1000;
    /** The connections echo every 50 ms. */
    static final long PERIOD = 50;

    /**
     * One run. {@code broken} -1 when the run could not be carried out ({@code error} says why);
     * {@code addressesMillis} (the old master's last advert to the addresses up on the new master),
     * {@code takeoverMillis} (to its first ARP) and {@code announcedMillis} (the crash to that ARP)
     * -1 when the capture missed an end; {@code steps} the new master's
     * transition as its status shows it (hactl only); {@code daemonCpuMillis} the new master's
     * hactl daemon's CPU from the crash to the judgement (-1 for conntrackd); {@code busyPercent}
     * the whole machine's CPU use over the same window (two cores: 100 = both busy), {@code load1}
     * the one-minute load average at the crash; {@code flaps} how often the backup took over before
     * the crash, from the pair settled to the crash (its VRRP log: adverts late on a busy machine).
     */
    record Run(String system, int background, int opened, int broken, long worstStallMillis, long addressesMillis,
               long takeoverMillis, long announcedMillis, String steps, long daemonCpuMillis, int busyPercent, double load1, long flaps,
               long advertGapMillis, String error) {}

    private VrrpCrashBench() {}

    /**
     * {@code runs} rounds over {@code backgrounds}, the {@code systems} (of {@link #SYSTEMS} and
     * {@link #EXTERNAL_CACHE}) alternating within each; {@code loose}: the gateways with
     * {@code nf_conntrack_tcp_loose=1} and the LAN source-translated to the WAN virtual address.
     */
    static List<Run> runAll(List<Integer> backgrounds, int runs, List<String> systems, boolean loose) throws Exception {
        for (String s : systems) {
            if (!SYSTEMS.contains(s) && !EXTERNAL_CACHE.contains(s)) {
                throw new IllegalArgumentException("unknown system " + s + ": one of " + SYSTEMS + " or " + EXTERNAL_CACHE);
            }
        }
        List<Run> out = new ArrayList<>();
        for (int background : backgrounds) {
            for (int run = 1; run <= runs; run++) {
                for (String system : systems) {
                    Run r = runOnce(system, background, run, loose);
                    out.add(r);
                    System.out.printf(Locale.ROOT, "crash at 100 ms adverts, %s, %,d background flows, run %d of %d: %s%n",
                            system, background, run, runs, r);
                }
            }
        }
        return out;
    }

    static Run runOnce(String system, int background, int run, boolean loose) {
        try {
            return crash(system, background, run, loose);
        } catch (Exception e) {
            e.printStackTrace(System.out);
            return new Run(system, background, CONNECTIONS, -1, -1, -1, -1, -1, "", -1, -1, -1, -1, -1, e.toString());
        }
    }

    /** One crash; the daemons' logs are kept as test-lab/target/bench/logs/vrrp-crash-SYSTEM-BACKGROUND-runRUN-*.log. */
    private static Run crash(String system, int background, int run, boolean loose) throws Exception {
        // hactl's sync keys: warm standby (the default), or the external cache only
        String sync = system.endsWith("-external") ? "direct-inject: false" : "";
        String vrrp = system.replace("-external", ""); // which VRRP: hactl's or keepalived
        Path dir = Files.createTempDirectory("hactl-vrrpbench");
        Path scripts = Path.of("/run/hactl-bench-" + ProcessHandle.current().pid());
        Files.createDirectories(scripts, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        // closed in reverse order: keepalived first, or primary-backup.sh would start conntrackd again
        try (FirewallPair lab = FirewallPair.create();
             HactlNode h1 = new HactlNode(lab.fw1, dir, "fw1");
             HactlNode h2 = new HactlNode(lab.fw2, dir, "fw2");
             ConntrackdNode c1 = new ConntrackdNode(lab.fw1, dir, scripts, "fw1");
             ConntrackdNode c2 = new ConntrackdNode(lab.fw2, dir, scripts, "fw2");
             Keepalived k1 = new Keepalived(lab.fw1, dir, "fw1").advertInterval("0.1");
             Keepalived k2 = new Keepalived(lab.fw2, dir, "fw2").advertInterval("0.1")) {
            if (loose) {
                for (Netns fw : List.of(lab.fw1, lab.fw2)) {
                    FirewallPair.tcpLoose(fw, true);
                }
                lab.snatLanToWanVip();
            }
            Path c2conf = c2.conf("10.99.0.2", "10.99.0.1");
            Path key = dir.resolve("sync.key");
            KeyFile.generate(key);
            switch (vrrp) {
                case "hactl-vrrp" -> {
                    h1.start(h1.confVrrp("10.99.0.1", "10.99.0.2", key, 150, "100ms", sync));
                    Bench.await("fw1's VRRP MASTER", 30_000, () -> vrrpState(h1).equals("MASTER") && h1.holdsLanVip());
                    h2.start(h2.confVrrp("10.99.0.2", "10.99.0.1", key, 100, "100ms", sync));
                    Bench.await("fw2's VRRP BACKUP", 30_000, () -> vrrpState(h2).equals("BACKUP")
                            && h2.statusOrNull() != null && h2.statusOrNull().peer().alive());
                }
                case "keepalived+hactl" -> {
                    h1.start(h1.conf("10.99.0.1", "10.99.0.2", key, sync));
                    h2.start(h2.conf("10.99.0.2", "10.99.0.1", key, sync));
                    Bench.await("hactl daemons", 30_000, () -> h1.statusOrNull() != null && h2.statusOrNull() != null);
                    k1.start(k1.conf(150, h1.fifo(), h1.trackFile()));
                    k2.start(k2.conf(100, h2.fifo(), h2.trackFile()));
                }
                case "keepalived+conntrackd" -> {
                    Path c1conf = c1.conf("10.99.0.1", "10.99.0.2");
                    c1.start(c1conf);
                    c2.start(c2conf);
                    Bench.await("conntrackd", 15_000, () -> c2.external(c2conf) >= 0);
                    k1.start(k1.confWithScript(150, c1.script(c1conf)));
                    k2.start(k2.confWithScript(100, c2.script(c2conf)));
                }
                default -> throw new IllegalArgumentException(system);
            }
            boolean hactl = !system.endsWith("conntrackd");
            Bench.await("fw1 to be MASTER", 30_000, () -> h1.holdsLanVip() && !h2.holdsLanVip()
                    && (!hactl || role(h1).equals("MASTER") && role(h2).equals("BACKUP")));
            // the backup's VRRP taking over from here to the crash is a flap: counted in its log
            Path vrrpLog = dir.resolve(vrrp.equals("hactl-vrrp") ? "fw2-hactl.log" : "fw2-keepalived.log");
            String masterLine = vrrp.equals("hactl-vrrp") ? "VI_LAN: BACKUP -> MASTER" : "(VI_LAN) Entering MASTER STATE";
            long settled = lines(vrrpLog, masterLine);
            // from before the background load: the gaps in fw1's adverts until the crash are seen on the wire
            TakeoverCapture capture = TakeoverCapture.start(lab.sw, List.of("10.50.0.2", "10.60.0.2"),
                    List.of(FirewallPair.LAN_VIP, FirewallPair.WAN_VIP), lab.fw2);
            if (background > 0) {
                try (Conntrack k = lab.fw1.call(Conntrack::open)) {
                    long ok = k.batch(FirewallPair.idleFlows(background), BatchMode.CREATE).succeeded();
                    if (ok != background) {
                        throw new IllegalStateException("fw1's kernel took " + ok + " of " + background + " background flows");
                    }
                } catch (Exception | Error e) {
                    capture.close();
                    throw e;
                }
            }
            try (capture; LiveFlows live = LiveFlows.open(lab.server, lab.client, CONNECTIONS, PERIOD)) {
                Bench.await("flows echoing", 60_000, () -> live.allEchoingWithin(PERIOD * 10));
                long all = CONNECTIONS + background;
                Bench.await("fw2 to hold the flows", 120_000, () -> hactl ? external(h2) >= all : c2.external(c2conf) >= all);
                if (hactl && sync.isEmpty()) {
                    // warm standby (the default): fw2's kernel holds the peer's flows before any failover
                    Bench.await("fw2's kernel to hold the flows", 120_000, () -> kernelCount(lab, false) >= all);
                }
                // a gateway in service: the flows echo for a while before the crash, so that no
                // system is still busy with their opening (not a synchronisation)
                Thread.sleep(FailoverBench.SETTLE_MILLIS);
                // after a flap, fw1 takes the addresses back (it has the higher priority): crash it then
                Bench.await("fw1 to hold the addresses before the crash", 60_000, () -> h1.holdsLanVip() && !h2.holdsLanVip()
                        && (!hactl || role(h2).equals("BACKUP")));
                long flaps = lines(vrrpLog, masterLine) - settled;
                double load1 = load1();
                long[] cpu0 = machineCpu();
                long daemon0 = hactl ? SyncDaemons.cpuMillisOf(h2.pid()) : -1;
                live.forgetStalls();
                capture.arm();
                long t0 = System.nanoTime();
                // as a power loss: the sync link first, so that what fw1 does on seeing its LAN go
                // down (keepalived's FAULT, hactl's hand-over) does not reach fw2 ahead of the crash
                lab.cutOffSyncFirst(lab.fw1);
                k1.kill();
                h1.kill();
                c1.close();
                Bench.await("fw2 to take over", 30_000, h2::holdsLanVip);
                // give the flows the time a crash needs, then judge: silent for 10 s counts as broken
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (System.nanoTime() < deadline && !live.allEchoingWithin(PERIOD * 4)) {
                    Thread.sleep(100);
                }
                Thread.sleep(1000); // a few more echo rounds before judging
                LiveFlows.Report r = live.report(10_000);
                long[] cpu1 = machineCpu();
                long daemon = hactl ? SyncDaemons.cpuMillisOf(h2.pid()) - daemon0 : -1;
                int busy = (int) Math.round(100.0 * (cpu1[0] - cpu0[0]) / Math.max(1, cpu1[1] - cpu0[1]));
                String steps = hactl ? steps(vrrp, h2.statusOrNull()) : "";
                System.out.printf(Locale.ROOT, "  fw1's first link silent %+d ms from the crash; worst stall began %+d ms from it;"
                        + " connections stalled 1 s or more: %d; fw2 took over %d times before the crash"
                        + " (fw1's longest advert gap on the wire before it: %s); %s%n",
                        capture.lastAdvertFromArmMillis(),
                        (live.worstStallBeganAt() - t0) / 1_000_000, live.stalledAtLeast(1000), flaps,
                        capture.longestGapsBeforeArmMillis(), steps);
                return new Run(system, background, r.opened(), r.died(), r.worstStallMillis(), capture.addressesMillis(),
                        capture.takeoverMillis(),
                        capture.firstArpFromArmMillis(),
                        steps, daemon, busy, load1, flaps, capture.longestGapBeforeArmMillis(), null);
            }
        } finally {
            Path logs = Path.of("test-lab/target/bench/logs").toAbsolutePath();
            Files.createDirectories(logs);
            try (var outs = Files.list(dir)) {
                for (Path p : outs.filter(p -> p.toString().endsWith(".log")).toList()) {
                    Files.copy(p, logs.resolve("vrrp-crash-" + system + "-" + background + "-run" + run + "-" + p.getFileName()),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (Path p : List.of(dir, scripts)) {
                try (var files = Files.walk(p)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    /** Lines of {@code log} containing {@code what}; 0 without the file. */
    static long lines(Path log, String what) {
        try (var ls = Files.lines(log, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return ls.filter(l -> l.contains(what)).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** The new master's takeover as its status tells it. */
    static String steps(String system, StatusReport s) {
        if (s == null) {
            return "fw2's status: no answer";
        }
        StringBuilder sb = new StringBuilder();
        VrrpReport v = s.vrrp();
        if (system.equals("hactl-vrrp") && v != null && v.lastTransition() != null) {
            sb.append("vrrp ").append(v.lastTransition().to()).append(" (").append(v.lastTransition().why()).append("):");
            for (VrrpReport.Step st : v.lastTransition().steps()) {
                sb.append(' ').append(st.step()).append(" +").append(st.atMillis()).append(' ').append(st.millis()).append(" ms");
            }
            sb.append("; ");
        }
        var t = s.lastTransition();
        if (t != null) {
            sb.append("role ").append(t.from()).append(" -> ").append(t.to()).append(" in ").append(t.millis()).append(" ms");
        }
        var p = s.lastPreload();
        if (p != null && system.equals("keepalived+hactl")) {
            sb.append("; preload before it: ").append(p);
        }
        return sb.toString();
    }

    private static String vrrpState(HactlNode h) {
        StatusReport s = h.statusOrNull();
        return s == null || s.vrrp() == null ? "?" : s.vrrp().state();
    }

    private static String role(HactlNode h) {
        StatusReport s = h.statusOrNull();
        return s == null ? "?" : s.role();
    }

    private static long external(HactlNode h) {
        StatusReport s = h.statusOrNull();
        return s == null ? -1 : s.caches().external();
    }

    private static long kernelCount(FirewallPair lab, boolean fw1) {
        try (Conntrack k = (fw1 ? lab.fw1 : lab.fw2).call(Conntrack::open)) {
            return k.count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The machine's busy and total CPU time so far, in clock ticks (/proc/stat). */
    static long[] machineCpu() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
        return new long[] {total - idle, total};
    }

    static double load1() throws Exception {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    /**
     * The report's section: per background, a row per system with medians and each run's values;
     * {@code loose} as given to {@link #runAll}.
     */
    static String report(List<Run> runs, boolean loose) {
        StringBuilder sb = new StringBuilder("## Crash failover at 100 ms adverts"
                + (loose ? ", tcp_loose=1 and source translation" : "") + "\n\n");
        if (loose) {
            sb.append("The gateways as Debian sets them up: `nf_conntrack_tcp_loose=1` (the kernel's default), and the "
                    + "LAN's connections source-translated to the WAN virtual address. A packet that reaches the new master "
                    + "before its flow's state starts a new flow there, without the translation: the server sees an unknown "
                    + "connection and resets it. Systems ending in `-external`: hactl with the external cache only "
                    + "(`sync.direct-inject: false`), whose MASTER step commits the peer's flows to the kernel; with "
                    + "keepalived the addresses move at the master-down interval whatever the commit's progress, with "
                    + "hactl's VRRP after the commit (or at its budget, 2 s).\n\n");
        }
        sb.append(String.format(Locale.ROOT, "%,d live connections echoing every %d ms; the master crashes: its links go down (the sync link first: "
                + "no hand-over reaches the backup), "
                + "then its processes are killed (SIGKILL). VRRP adverts every 100 ms on both systems (keepalived "
                + "`advert_int 0.1`, hactl `advert-interval: 100ms`), backup priority 100: master down after "
                + "3 x 100 ms + skew 61 ms. Background flows: idle ESTABLISHED flows in the master's kernel, replicated "
                + "(hactl: warm standby, in the backup's kernel before the crash; conntrackd: its external cache, "
                + "committed by primary-backup.sh). **Last advert to addresses up**: the old master's last advert, by the "
                + "kernel's receive timestamp in the switches' namespace, counted from the link whose adverts stopped first "
                + "(the crash takes the links down one after the other, and that instance's master-down timer fires first), to "
                + "the new master's kernel announcing the virtual address (its first RTM_NEWADDR, read by a thread waiting in "
                + "its namespace: a scheduling delay late at most). **Takeover**: the same last advert to the new master's "
                + "first gratuitous ARP, same capture (the same measure for every system). **Announced after crash**: "
                + "from the crash (the sync link going down) to the new master's first gratuitous ARP, same capture. **Broken**: connections reset or silent 10 s. "
                + "Medians over the runs, each run's value in brackets. The machine was shared with other builds: "
                + "CPU busy is the whole machine's use from the crash to the judgement (2 cores, 100%% = both), "
                + "load is the 1-minute load average at the crash. **Flaps**: the backup's takeovers between the pair "
                + "settling and the crash (adverts arriving late on the busy machine; the master takes the addresses back "
                + "with its higher priority, and the crash waits for that). **Master's longest advert gap**: the longest time "
                + "between two of the master's adverts on one link, from before the background load to the crash, same capture: "
                + "100 ms when every advert leaves on time; beyond the backup's master-down interval (361 ms) it takes over.%n%n",
                CONNECTIONS, PERIOD));
        Map<Integer, Map<String, List<Run>>> by = new LinkedHashMap<>();
        for (Run r : runs) {
            by.computeIfAbsent(r.background(), k -> new LinkedHashMap<>()).computeIfAbsent(r.system(), k -> new ArrayList<>())
                    .add(r);
        }
        sb.append("| background flows | system | broken | worst stall | last advert to addresses up | takeover | announced after crash "
                + "| hactl CPU on the new master | machine CPU busy | load | flaps | master's longest advert gap |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        by.forEach((background, systems) -> systems.forEach((system, rs) -> {
            List<Run> ok = rs.stream().filter(r -> r.broken() >= 0).toList();
            sb.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", background,
                    system,
                    ok.stream().map(r -> r.broken() + "/" + r.opened()).toList()
                            + (ok.size() < rs.size() ? " (" + (rs.size() - ok.size()) + " failed)" : ""),
                    cell(ok.stream().map(Run::worstStallMillis).toList(), " ms"),
                    cell(ok.stream().map(Run::addressesMillis).filter(x -> x >= 0).toList(), " ms"),
                    cell(ok.stream().map(Run::takeoverMillis).filter(x -> x >= 0).toList(), " ms"),
                    cell(ok.stream().map(Run::announcedMillis).filter(x -> x >= 0).toList(), " ms"),
                    system.endsWith("conntrackd") ? "-" : cell(ok.stream().map(Run::daemonCpuMillis).toList(), " ms"),
                    cell(ok.stream().map(r -> (long) r.busyPercent()).toList(), "%"),
                    ok.stream().map(r -> String.format(Locale.ROOT, "%.1f", r.load1())).toList(),
                    ok.stream().map(Run::flaps).toList(),
                    cell(ok.stream().map(Run::advertGapMillis).toList(), " ms")));
        }));
        sb.append("\nThe new master's takeover steps in its status (hactl), last run of each row:\n\n");
        by.forEach((background, systems) -> systems.forEach((system, rs) -> {
            if (!system.endsWith("conntrackd") && !rs.isEmpty()) {
                sb.append(String.format(Locale.ROOT, "- %s, %,d background flows: %s%n", system, background,
                        rs.get(rs.size() - 1).steps()));
            }
        }));
        runs.stream().filter(r -> r.error() != null).forEach(r -> sb.append("- failed run: ").append(r.system())
                .append(", ").append(r.background()).append(": ").append(r.error()).append('\n'));
        return sb.toString();
    }

    /** "median unit [each run]", or "-" without values. */
    static String cell(List<Long> values, String unit) {
        if (values.isEmpty()) {
            return "-";
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2) + unit + " " + values;
    }
}
