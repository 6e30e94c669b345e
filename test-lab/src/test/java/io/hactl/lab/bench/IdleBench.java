package io.hactl.lab.bench;

import io.hactl.sync.lab.SyncPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an idle pair costs, hactl against conntrackd in the same lab (not a test; it prints).
 * For each system: a fresh pair of namespaces joined by a veth sync link, the two daemons (hactl's
 * told MASTER on a and BACKUP on b, in warm standby, its default), nothing in the kernel tables;
 * after {@code --settle} seconds, the CPU of each daemon over {@code --seconds} (/proc/PID/stat),
 * for hactl also by thread kind and the datagrams each side sent meanwhile. The JIT's share falls
 * the longer the daemons ran before: rarely run paths reach the compiler's thresholds late.
 * <p>Usage: IdleBench [--runs N] [--settle S] [--seconds S]
 */
public final class IdleBench {
    public static void main(String[] args) throws Exception {
        int runs = 1;
        int settle = 60;
        int seconds = 30;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--settle" -> settle = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: IdleBench [--runs N] [--settle S] [--seconds S]");
                    System.exit(2);
                }
            }
        }
        HactlDaemons.primeClassData();
        List<String> lines = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (String system : List.of("conntrackd", "hactl")) {
                String line = String.format(Locale.ROOT, "%s, run %d of %d: %s", system, r, runs,
                        run(system, settle, seconds));
                System.out.println(line);
                lines.add(line);
            }
        }
        System.out.printf(Locale.ROOT, "%nidle pair, CPU over %d s after %d s of settling:%n", seconds, settle);
        lines.forEach(System.out::println);
    }

    static String run(String system, int settle, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("hactl-idle-" + system);
        try (SyncPair pair = SyncPair.create();
                SyncDaemons d = system.equals("conntrackd") ? new Conntrackd(pair, dir, 0, true)
                        : new HactlDaemons(pair, dir, "direct-inject: true")) {
            d.start();
            HactlDaemons h = d instanceof HactlDaemons hd ? hd : null;
            if (h != null) {
                h.masterAndBackup();
            }
            long[] pids = d.pids();
            Thread.sleep(settle * 1000L); // the settling time is what is measured after, not a synchronisation
            long[] cpu0 = {SyncDaemons.cpuMillisOf(pids[0]), SyncDaemons.cpuMillisOf(pids[1])};
            Map<String, Long> kindsA0 = h == null ? null : SyncDaemons.cpuMillisByKind(pids[0]);
            Map<String, Long> kindsB0 = h == null ? null : SyncDaemons.cpuMillisByKind(pids[1]);
            long[] sent0 = h == null ? null : new long[] {datagramsSent(h, "a"), datagramsSent(h, "b")};
            Thread.sleep(seconds * 1000L); // the window itself
            long[] cpu1 = {SyncDaemons.cpuMillisOf(pids[0]), SyncDaemons.cpuMillisOf(pids[1])};
            String out = String.format(Locale.ROOT, "cpu ms of a %d, of b %d", cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]);
            if (h != null) {
                out += String.format(Locale.ROOT, "; by thread kind, a: %s, b: %s; datagrams sent by a %d, by b %d",
                        Bench.kindsSince(kindsA0, SyncDaemons.cpuMillisByKind(pids[0])),
                        Bench.kindsSince(kindsB0, SyncDaemons.cpuMillisByKind(pids[1])),
                        datagramsSent(h, "a") - sent0[0], datagramsSent(h, "b") - sent0[1]);
            }
            return out;
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long datagramsSent(HactlDaemons h, String node) throws Exception {
        return h.stats(node).path("datagrams_sent").asLong(-1);
    }
}
