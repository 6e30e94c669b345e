package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.filter.FlowFilter;

import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.netlink.NetlinkException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the kernel's replicated flows (those the filter accepts) now and then and compares them
 * with the caches: kernel events tell hactl what changes, but not every change makes one (entries
 * created while nobody listened carry no event cache, so their end is never reported; our own
 * socket's deletes are filtered out). Only a dump sees those.
 *
 * <p>The dump runs on a thread and socket of its own, so it never holds up the engine's loop, a
 * commit on the kernel worker, or a status answer. It is paced by its cost: the next count waits
 * {@link #COST_FACTOR} times as long as this one took, at least the minimum interval, so
 * it takes at most a quarter of a percent of a core whatever the table's size (a dump of 100k
 * flows takes about 0.14 s here: a count a minute; of 1M, one every ten minutes). A quiet daemon
 * replicating a few thousand changes a second spends a few percent of a core: 1% would be a
 * seventh of its work for a check of something that events report too, in all but rare cases.
 *
 * <p>The caches are read on the loop {@link #SETTLE_MILLIS} after the dump ended, so that the
 * events of changes made while it ran have been applied; each event applied between the reads
 * before and after it may or may not be in the dump, so their number is the tolerance. Internal
 * flows beyond the kernel's count plus it are missing from the kernel for certain (the kernel
 * may hold the peer's flows as well, so the count is a lower bound); kernel flows beyond both
 * caches are shown, not judged (a preload leaves the peer's ended flows there until the purge).
 */
final class KernelCountCheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelCountCheck.class);
    static final long MIN_INTERVAL_MILLIS = 5000;
    static final long COST_FACTOR = 400;
    static final long SETTLE_MILLIS = 200;

    /** What the check reads on the engine's loop. */
    interface Loop {
        /** Runs {@code read} on the loop after {@code delayMillis}. */
        void readLater(long delayMillis, Runnable read);

        int internal();

        int external();

        /** Kernel events applied to the caches so far. */
        long eventsApplied();

        /** The engine's loop and caches, with its count of the kernel events applied. */
        static Loop of(ScheduledExecutorService loop, FlowStore internal, FlowStore external, LongSupplier eventsApplied) {
            return new Loop() {
                @Override
                public void readLater(long delayMillis, Runnable read) {
                    loop.schedule(read, delayMillis, TimeUnit.MILLISECONDS);
                }

                @Override
                public int internal() {
                    return internal.size();
                }

                @Override
                public int external() {
                    return external.size();
                }

                @Override
                public long eventsApplied() {
                    return eventsApplied.getAsLong();
                }
            };
        }
    }

    private final String node;
    private final Conntrack kernel;
    private final FlowFilter filter;
    private final Loop loop;
    private final LongSupplier clock;
    private final long minIntervalMillis;
    private final ScheduledExecutorService thread;
    private volatile Counted latest;
    private int checksOff;

    /** A count as it ended, with the moment it was taken (the age is reported against it). */
    private record Counted(KernelCount count, long at) {}

    /** Counts at most every {@code minIntervalMillis} ({@link #MIN_INTERVAL_MILLIS} in the engine). */
    KernelCountCheck(String node, Conntrack kernel, FlowFilter filter, Loop loop, LongSupplier clock,
                     long minIntervalMillis) {
        this.node = node;
        this.minIntervalMillis = minIntervalMillis;
        this.kernel = kernel;
        this.filter = filter;
        this.loop = loop;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hactl-kcount-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        thread.schedule(this::begin, minIntervalMillis, TimeUnit.MILLISECONDS);
    }

    /** The last count, its age brought up to now; null before the first. */
    KernelCount latest() {
        Counted c = latest;
        if (c == null) {
            return null;
        }
        KernelCount k = c.count();
        return new KernelCount(k.kernelFlows(), k.internal(), k.external(), k.tolerance(),
                (clock.getAsLong() - c.at()) / 1_000_000, k.millis(), k.missing(), k.unknown(), k.checksOff());
    }

    /** Reads the events applied so far on the loop, then dumps. */
    private void begin() {
        loop.readLater(0, () -> {
            long before = loop.eventsApplied();
            thread.execute(() -> dump(before));
        });
    }

    private void dump(long eventsBefore) {
        long t0 = clock.getAsLong();
        long n;
        try {
            n = kernel.count(Sockets.AF_UNSPEC, filter);
        } catch (NetlinkException | RuntimeException e) {
            LOG.warn("{}: counting the kernel's flows failed: {}", node, e.getMessage());
            thread.schedule(this::begin, minIntervalMillis, TimeUnit.MILLISECONDS);
            return;
        }
        long millis = (clock.getAsLong() - t0) / 1_000_000;
        loop.readLater(SETTLE_MILLIS, () -> compare(n, eventsBefore, millis));
        long next = Math.max(minIntervalMillis, millis * COST_FACTOR);
        thread.schedule(this::begin, next, TimeUnit.MILLISECONDS);
    }

    /** On the loop: the caches against the count. */
    private void compare(long kernelFlows, long eventsBefore, long millis) {
        long internal = loop.internal();
        long external = loop.external();
        long tolerance = loop.eventsApplied() - eventsBefore;
        long missing = Math.max(0, internal - kernelFlows);
        long unknown = Math.max(0, kernelFlows - internal - external);
        checksOff = missing > tolerance ? checksOff + 1 : 0;
        if (checksOff == 1) {
            LOG.warn("{}: the kernel holds {} replicated flows, the internal cache {}: at least {} cached flows are not in "
                    + "the kernel ({} events applied meanwhile)", node, kernelFlows, internal, missing, tolerance);
        }
        latest = new Counted(new KernelCount(kernelFlows, internal, external, tolerance, 0, millis, missing, unknown,
                checksOff), clock.getAsLong());
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kernel.close();
    }
}
