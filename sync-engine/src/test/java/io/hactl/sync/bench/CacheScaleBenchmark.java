package io.hactl.sync.bench;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.cache.TestFlows;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.wire.CompactFlow;
import java.lang.management.ManagementFactory;

/**
 * Heap per cached IPv4 TCP flow at 100k, 1M and 2M flows, and both caches at 2M, in the JVM it
 * runs in (run it with the packaged options: -Xmx512m -XX:+UseSerialGC). Flows are put as
 * encodings, as a resync and a bulk do. Prints the retained heap after full collections.
 *
 * <pre>java -Xmx512m -XX:+UseSerialGC -cp &lt;test classpath&gt; io.hactl.sync.bench.CacheScaleBenchmark</pre>
 */
public final class CacheScaleBenchmark {
    public static void main(String[] args) {
        long base = used();
        for (int n : new int[] {100_000, 1_000_000, 2_000_000}) {
            FlowStore s = fill("internal", n);
            long heap = used() - base;
            System.out.printf("one cache, %,d flows: %,d bytes retained, %.1f bytes/flow (estimate %.1f)%n", n, heap,
                    (double) heap / n, (double) s.estimatedHeapBytes() / n);
            s = null;
        }
        FlowStore internal = fill("internal", 2_000_000);
        FlowStore external = fill("external", 2_000_000);
        long heap = used() - base;
        System.out.printf("both caches, 2,000,000 flows each: %,d MB retained, %.1f bytes/flow; max heap %,d MB%n",
                heap >> 20, (double) heap / 4_000_000, Runtime.getRuntime().maxMemory() >> 20);
        System.out.println(internal.size() + external.size());
    }

    private static FlowStore fill(String name, int n) {
        FlowStore s = new FlowStore(name, 1 << 22);
        for (int i = 0; i < n; i++) {
            Flow f = TestFlows.tcp4(i);
            s.putEncoded(CompactFlow.encode(f), i);
        }
        return s;
    }

    private static long used() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
