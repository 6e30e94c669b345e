package io.hactl.sync.bench;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.engine.EngineConfig;
import io.hactl.sync.engine.EngineListener;
import io.hactl.sync.engine.SyncEngine;
import io.hactl.sync.lab.SyncPair;
import io.hactl.sync.transport.LinkSpec;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * The engine's own hot paths, repeated until the JIT has settled (not a test; for profiling, e.g.
 * with a flight recording): two engines in one JVM, in two namespaces joined by a veth sync link.
 * Live replication of a batched load, requested resyncs and commits, each timed per round.
 * Usage (as root): EngineBenchmark [FLOWS] [ROUNDS]
 */
public final class EngineBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        List<Flow> load = InsertBenchmark.flows(n);
        try (SyncPair pair = SyncPair.create()) {
            EngineConfig ca = config("a", "b", "10.99.0.1", "10.99.0.2", key);
            EngineConfig cb = config("b", "a", "10.99.0.2", "10.99.0.1", key);
            try (Conntrack ka = pair.a.call(Conntrack::open);
                 Conntrack kb = pair.b.call(Conntrack::open);
                 SyncEngine a = pair.a.call(() -> SyncEngine.start(ca, EngineListener.NONE));
                 SyncEngine b = pair.b.call(() -> SyncEngine.start(cb, EngineListener.NONE))) {
                await(() -> a.status().peerAlive() && b.status().peerAlive(), 10_000);
                List<double[]> times = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    ka.flush(Sockets.AF_UNSPEC);
                    kb.flush(Sockets.AF_UNSPEC);
                    await(() -> b.status().externalFlows() == 0 && a.status().internalFlows() == 0, 30_000);
                    long t0 = System.nanoTime();
                    ka.batch(load, BatchMode.CREATE);
                    long t1 = System.nanoTime();
                    await(() -> b.status().externalFlows() == n, 60_000);
                    long t2 = System.nanoTime();
                    b.flush(SyncEngine.Cache.EXTERNAL).join();
                    await(() -> b.status().externalFlows() == 0, 10_000);
                    long t3 = System.nanoTime();
                    b.requestResync().join();
                    await(() -> b.status().externalFlows() == n, 60_000);
                    long t4 = System.nanoTime();
                    var committed = b.commit().join();
                    long t5 = System.nanoTime();
                    if (committed.written() + committed.replaced() != n) {
                        throw new IllegalStateException("commit wrote " + committed);
                    }
                    System.out.printf(Locale.ROOT, "round %d: load %.3f s, live complete %.3f s after it, resync %.3f s, commit %.3f s%n",
                            r, s(t1 - t0), s(t2 - t1), s(t4 - t3), s(t5 - t4));
                    if (r > 0) {
                        times.add(new double[] {s(t2 - t1), s(t4 - t3), s(t5 - t4)});
                    }
                }
                if (!times.isEmpty()) {
                    System.out.printf(Locale.ROOT, "median of rounds 1..%d: live complete %.3f s after the load, resync %.3f s, commit %.3f s%n",
                            rounds - 1, median(times, 0), median(times, 1), median(times, 2));
                }
            }
        }
    }

    static EngineConfig config(String node, String peer, String local, String remote, byte[] key) {
        return EngineConfig.defaults(node, peer, List.of(new LinkSpec("sync",
                new InetSocketAddress(local, 3780), new InetSocketAddress(remote, 3780), false)), key);
    }

    static double median(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v[v.length / 2];
    }

    static double s(long nanos) {
        return nanos / 1e9;
    }

    static void await(BooleanSupplier done, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not done within " + millis + " ms");
            }
            Thread.sleep(1);
        }
    }
}
