package io.hactl.sync.bench;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.engine.CommitResult;
import io.hactl.sync.engine.EngineConfig;
import io.hactl.sync.engine.EngineListener;
import io.hactl.sync.engine.Standing;
import io.hactl.sync.engine.SyncEngine;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.sys.Sockets;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What warm standby (direct-inject) costs the backup and saves the MASTER transition (not a test):
 * two engines in one JVM, in two namespaces joined by a veth sync link; b is the backup
 * (STANDBY). Per round and mode: the CPU of b's threads (user + system, ThreadMXBean) while
 * {@code FLOWS} flows created on a, then deleted, replicate to b (2 x FLOWS changes); then the
 * flows are created again and b takes MASTER as the daemon does (commit of the changes, adoption
 * of the peer's flows, bulk), each step timed.
 * Usage (as root): WarmStandbyBenchmark [FLOWS] [ROUNDS]
 */
public final class WarmStandbyBenchmark {
    private static final ThreadMXBean TMX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<Flow> load = InsertBenchmark.flows(n);
        List<double[]> rows = new ArrayList<>();
        try (SyncPair pair = SyncPair.create();
             Conntrack ka = pair.a.call(Conntrack::open);
             Conntrack kb = pair.b.call(Conntrack::open)) {
            // the loader's encoder thread exists from here on: any later one is b's
            ka.batch(load.subList(0, 1), BatchMode.CREATE);
            ka.flush(Sockets.AF_UNSPEC);
            Set<Long> loader = encoderThreads();
            for (int r = 0; r < rounds; r++) {
                for (boolean warm : new boolean[] {false, true}) {
                    rows.add(round(pair, ka, kb, load, key, warm, loader, r));
                }
            }
        }
        for (boolean warm : new boolean[] {false, true}) {
            List<double[]> m = rows.stream().filter(x -> (x[0] == 1) == warm).toList();
            System.out.printf(Locale.ROOT, "median %-13s: backup CPU %.3f s per 100k changes; MASTER transition %.0f ms "
                            + "(commit %.0f ms writing %.0f, %.0f unchanged; adoption %.0f ms)%n",
                    warm ? "warm standby" : "external only", median(m, 1), median(m, 2), median(m, 3), median(m, 4),
                    median(m, 5), median(m, 6));
        }
    }

    private static double[] round(SyncPair pair, Conntrack ka, Conntrack kb, List<Flow> load, byte[] key, boolean warm,
                                  Set<Long> loader, int r) throws Exception {
        int n = load.size();
        ka.flush(Sockets.AF_UNSPEC);
        kb.flush(Sockets.AF_UNSPEC);
        EngineConfig ca = EngineBenchmark.config("a", "b", "10.99.0.1", "10.99.0.2", key);
        EngineConfig cb = EngineBenchmark.config("b", "a", "10.99.0.2", "10.99.0.1", key).withDirectInject(warm);
        try (SyncEngine a = pair.a.call(() -> SyncEngine.start(ca, EngineListener.NONE));
             SyncEngine b = pair.b.call(() -> SyncEngine.start(cb, EngineListener.NONE, io.hactl.sync.engine.KernelAccess.NETLINK,
                     Standing.STANDBY))) {
            EngineBenchmark.await(() -> a.status().peerAlive() && b.status().peerAlive(), 10_000);
            Thread.sleep(500); // the start's resyncs settle
            long cpu0 = cpuOfB(loader);
            ka.batch(load, BatchMode.CREATE);
            EngineBenchmark.await(() -> b.status().externalFlows() == n && (!warm || count(kb) == n), 60_000);
            ka.batchDelete(load);
            EngineBenchmark.await(() -> b.status().externalFlows() == 0 && (!warm || count(kb) == 0), 60_000);
            Thread.sleep(200); // the last writes' bookkeeping
            double cpu = (cpuOfB(loader) - cpu0) / 1e9 * 100_000 / (2.0 * n);

            ka.batch(load, BatchMode.CREATE);
            EngineBenchmark.await(() -> b.status().externalFlows() == n && (!warm || count(kb) == n), 60_000);
            Thread.sleep(200);
            long t0 = System.nanoTime();
            b.setStanding(Standing.ACTIVE).join();
            CommitResult c = b.commitChanges().join();
            long t1 = System.nanoTime();
            io.hactl.sync.engine.PeerAdoption.Result adopted = b.adoptPeerFlows().join();
            long t2 = System.nanoTime();
            b.bulkSend().join();
            long t3 = System.nanoTime();
            if (count(kb) != n || adopted.adopted() != n) {
                throw new IllegalStateException("b's kernel holds " + count(kb) + ", " + adopted + "; " + c);
            }
            System.out.printf(Locale.ROOT, "round %d %-13s: backup CPU %.3f s per 100k changes; MASTER transition %.0f ms: %s; "
                            + "adoption %.0f ms; bulk %.0f ms%n", r, warm ? "warm standby" : "external only", cpu,
                    (t3 - t0) / 1e6, c, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
            return new double[] {warm ? 1 : 0, cpu, (t3 - t0) / 1e6, (t1 - t0) / 1e6, c.flows(), c.unchanged(),
                    (t2 - t1) / 1e6};
        }
    }

    private static long count(Conntrack k) {
        try {
            return k.count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<Long> encoderThreads() {
        Set<Long> ids = new HashSet<>();
        for (ThreadInfo t : TMX.getThreadInfo(TMX.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals("hactl-ctnl-encoder")) {
                ids.add(t.getThreadId());
            }
        }
        return ids;
    }

    /** CPU nanoseconds of b's threads: named for node b, and the encoders that are not the loader's. */
    private static long cpuOfB(Set<Long> loader) {
        long sum = 0;
        for (ThreadInfo t : TMX.getThreadInfo(TMX.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            String name = t.getThreadName();
            boolean ofB = name.startsWith("hactl-") && (name.endsWith("-b") || name.contains("-b-"))
                    || name.equals("hactl-ctnl-encoder") && !loader.contains(t.getThreadId());
            if (ofB) {
                long c = TMX.getThreadCpuTime(t.getThreadId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    static double median(List<double[]> rows, int column) {
        return EngineBenchmark.median(rows, column);
    }
}
