package io.hactl.sync.engine;

import io.hactl.sync.cache.EncodingList;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.cache.PutResult;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.wire.CompactFlow;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MASTER transition's way to make the peer's flows its own without dumping the kernel: after
 * its commit, every flow of the external cache that the kernel holds as received (warm standby
 * or a commit wrote it, {@link KernelCopies}) becomes a flow of the internal cache as it is, and
 * the external cache is emptied. That is what flushing both caches and reloading the internal one
 * from a dump would give for those flows, for a walk of the cache instead of a dump of the
 * whole table.
 *
 * <p>What the walk cannot vouch for is left to a resync from the kernel, started at once behind
 * it, outside the transition: flows the kernel does not hold as received (a write failed, the
 * peer sent a newer version after the commit, the kernel's copy ended). Marked flows of the
 * kernel that the external cache lacks (the peer ended them; a purge would have deleted them)
 * are not adopted: a kernel event claims one that still carries traffic. A flow the internal
 * cache already holds is kept as it is: a kernel event put it there, and the kernel's version is
 * newer than the peer's. A flow this node's filter rejects is left out, as a dump would leave it.
 * A full internal cache refuses flows as it would a dump's, counted in
 * {@code internal_cache_refused}.
 *
 * <p>The table is not copied: the two caches exchange their flows ({@link FlowStore#swapFlows})
 * in one loop task, after which the left-out flows are removed and this node's own flows, copied
 * aside before, go back in slices of {@link #SLICE}, each after the loop's next pass over its
 * sockets ({@link EngineContext#loopAfterIo}), so kernel events, the peer's datagrams and the
 * tick go on between them; a flow a kernel event put again meanwhile is left as the event put it.
 */
public final class PeerAdoption {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAdoption.class);

    /** This node's own flows put back per loop task: a few milliseconds of loop work. */
    static final int SLICE = 65_536;

    /**
     * What an adoption did: {@code adopted} flows moved into the internal cache, {@code kept}
     * already there (from a kernel event), {@code notInKernel} left out as the kernel does not
     * hold them as received, {@code filtered} left out by this node's filter;
     * {@code resyncFollows}: a resync from the kernel was started for those not in the kernel.
     */
    public record Result(int adopted, int kept, int notInKernel, int filtered, boolean resyncFollows) {
        @Override
        public String toString() {
            return adopted + " flows of the peer adopted as the kernel holds them" + (kept > 0 ? ", " + kept
                    + " already in the internal cache" : "") + (filtered > 0 ? ", " + filtered
                    + " left out by the filter" : "") + (notInKernel > 0 ? ", " + notInKernel
                    + " not in the kernel as received (a resync from the kernel follows)" : "");
        }
    }

    private final EngineContext ctx;
    private final KernelCopies copies;
    private final KernelResync resync;
    /** Empties the external cache as a flush does (on the loop). */
    private final Runnable clearExternal;

    PeerAdoption(EngineContext ctx, KernelCopies copies, KernelResync resync, Runnable clearExternal) {
        this.ctx = ctx;
        this.copies = copies;
        this.resync = resync;
        this.clearExternal = clearExternal;
    }

    /**
     * This node's filter on flow {@code h}: read off its encoding, decoded only when its TCP state
     * counts, its addresses copied out only when the filter ignores prefixes.
     */
    private boolean accepts(FlowStore cache, int h, byte[] enc) {
        FlowFilter filter = ctx.cfg.filter();
        int protocol = CompactFlow.protocol(enc);
        if (filter.checksTcpState(protocol)) {
            return filter.accepts(cache.flowAt(h));
        }
        return filter.ignore().isEmpty() ? filter.acceptsProtocol(protocol)
                : filter.acceptsEndpoints(protocol, CompactFlow.source(enc), CompactFlow.destination(enc));
    }

    /**
     * Makes the peer's flows this node's (on the loop): in one loop task, the flows to leave out
     * are picked, this node's own flows copied aside, the two caches' flows exchanged (no copy
     * of the table), the left-out ones removed and the external cache emptied; this node's own
     * flows then go back in slices. Completes once the last slice ran.
     */
    CompletableFuture<Result> adopt() {
        CompletableFuture<Result> done = new CompletableFuture<>();
        ctx.loop.execute(() -> {
            try {
                swapIn(done);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void swapIn(CompletableFuture<Result> done) {
        FlowStore external = ctx.external;
        FlowStore internal = ctx.internal;
        long now = ctx.now();
        long margin = BatchWriter.EXPIRY_MARGIN.toNanos();
        boolean filtered = !ctx.cfg.filter().equals(FlowFilter.ACCEPT_ALL);
        int[] n = new int[4]; // adopted, kept, not in the kernel, filtered out
        int[] leftOut = new int[16];
        int left = 0;
        for (int h = external.nextHandle(0); h != FlowStore.NO_HANDLE; h = external.nextHandle(h + 1)) {
            boolean notInKernel = !copies.current(h, external.updatedAt(h), now, margin);
            // in the kernel, but not this node's to replicate: a dump would leave it out too
            boolean rejected = !notInKernel && filtered && !accepts(external, h, external.encodingAt(h));
            if (notInKernel || rejected) {
                n[notInKernel ? 2 : 3]++;
                if (left == leftOut.length) {
                    leftOut = Arrays.copyOf(leftOut, left * 2);
                }
                leftOut[left++] = h;
            }
        }
        EncodingList own = new EncodingList();
        long[] ownAt = new long[internal.size()];
        for (int h = internal.nextHandle(0), i = 0; h != FlowStore.NO_HANDLE; h = internal.nextHandle(h + 1)) {
            internal.copyEncoding(h, own);
            ownAt[i++] = internal.updatedAt(h);
        }
        internal.swapFlows(external);
        for (int i = 0; i < left; i++) {
            internal.removeAt(leftOut[i]);
        }
        internal.stampAll(now); // put now, as a dump would have
        n[0] = internal.size();
        clearExternal.run(); // this node's own flows, swapped into it, wait in own
        putBack(own, ownAt, 0, now, n, done);
    }

    /**
     * This node's own flows back into the internal cache from {@code from} on, at most
     * {@link #SLICE} per loop task: each one replaces the peer's version, as a kernel event's
     * version is newer, unless a kernel event put it again since the exchange at {@code swappedAt}.
     */
    private void putBack(EncodingList own, long[] ownAt, int from, long swappedAt, int[] n,
                         CompletableFuture<Result> done) {
        try {
            FlowStore internal = ctx.internal;
            int end = Math.min(own.size(), from + SLICE);
            for (int i = from; i < end; i++) {
                byte[] enc = own.get(i);
                int h = internal.handleOfEncoded(enc);
                if (h != FlowStore.NO_HANDLE) {
                    if (internal.updatedAt(h) != swappedAt) {
                        continue; // a kernel event since: newer still
                    }
                    n[0]--; // the peer's version of a flow this node held: kept as it was here
                    n[1]++;
                }
                if (internal.putEncoded(enc, ownAt[i]) == PutResult.REFUSED_FULL) {
                    ctx.count("internal_cache_refused"); // a resync would meet the same limit
                }
            }
            if (end < own.size()) {
                ctx.loopAfterIo.execute(() -> putBack(own, ownAt, end, swappedAt, n, done));
                return;
            }
            boolean resyncFollows = n[2] > 0;
            if (resyncFollows) {
                resync.scheduleNow();
            }
            Result r = new Result(n[0], n[1], n[2], n[3], resyncFollows);
            ctx.count("peer_flows_adopted", r.adopted());
            LOG.info("{}: {}", ctx.node(), r);
            ctx.afterLoopTask();
            done.complete(r);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
