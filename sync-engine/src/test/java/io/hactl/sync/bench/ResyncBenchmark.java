package io.hactl.sync.bench;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.engine.EngineConfig;
import io.hactl.sync.engine.EngineListener;
import io.hactl.sync.engine.SyncEngine;
import io.hactl.sync.lab.SyncPair;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A resync from the kernel at scale (not a test): N flows loaded into a namespace's kernel in
 * batches of 50,000 (never a list of the whole table), then a resync of the internal cache,
 * timed, with the slowest answer of {@code status()} polled meanwhile and the heap after it.
 * Run with the packaged options, as root, after {@code sysctl -w net.netfilter.nf_conntrack_max=4200000}:
 * <pre>java -Xmx512m -XX:+UseSerialGC -cp &lt;test classpath&gt; io.hactl.sync.bench.ResyncBenchmark [FLOWS]</pre>
 */
public final class ResyncBenchmark {
    private static final int SLICE = 50_000;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try (SyncPair pair = SyncPair.create()) {
            EngineConfig ca = EngineBenchmark.config("a", "b", "10.99.0.1", "10.99.0.2", key);
            try (Conntrack ka = pair.a.call(Conntrack::open)) {
                long l0 = System.nanoTime();
                InetAddress dst = InetAddress.getByName("198.51.100.10");
                for (int from = 0; from < n; from += SLICE) {
                    List<Flow> slice = new ArrayList<>(SLICE);
                    for (int i = from; i < Math.min(n, from + SLICE); i++) {
                        int host = i / 50_000;
                        InetAddress src = InetAddress.getByAddress(new byte[] {10, (byte) (host >> 8), (byte) host, 1});
                        slice.add(Flow.builder(Tuple.tcp(src, dst, 10_000 + i % 50_000, 443))
                                .status(Ctnl.IPS_SEEN_REPLY | Ctnl.IPS_ASSURED).timeout(3600)
                                .protoInfo(TcpInfo.ofState(TcpInfo.ESTABLISHED)).build());
                    }
                    ka.batch(slice, BatchMode.CREATE);
                }
                System.out.printf("loaded %,d flows in %.2f s (kernel count %,d)%n", n, (System.nanoTime() - l0) / 1e9,
                        ka.count());
                long s0 = System.nanoTime();
                try (SyncEngine a = pair.a.call(() -> SyncEngine.start(ca, EngineListener.NONE))) {
                    long s1 = System.nanoTime();
                    while (a.status().internalFlows() < n && System.nanoTime() - s1 < 120_000_000_000L) {
                        Thread.onSpinWait();
                    }
                    System.out.printf("start dump: %,d flows in the internal cache %.2f s after the start began%n",
                            a.status().internalFlows(), (System.nanoTime() - s0) / 1e9);
                    a.flush(SyncEngine.Cache.INTERNAL).join();
                    long r0 = System.nanoTime();
                    CompletableFuture<Integer> r = a.resyncInternal();
                    long worst = 0;
                    while (!r.isDone()) {
                        long q = System.nanoTime();
                        a.flows(SyncEngine.Cache.EXTERNAL).join(); // a request the loop itself answers
                        worst = Math.max(worst, System.nanoTime() - q);
                    }
                    int size = r.join();
                    long r1 = System.nanoTime();
                    for (int i = 0; i < 4; i++) {
                        System.gc();
                    }
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    System.out.printf("resync: %,d flows in %.2f s; slowest loop answer meanwhile %.1f ms;"
                                    + " heap after %,d MB of %,d MB%n", size, (r1 - r0) / 1e9, worst / 1e6, heap >> 20,
                            Runtime.getRuntime().maxMemory() >> 20);
                }
            }
        }
    }
}
