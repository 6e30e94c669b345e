package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.wire.CompactFlow;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MASTER transition's way to make the peer's flows its own without dumping the kernel: after
 * its commit, every flow of the external cache that the kernel holds as received (warm standby
 * or a commit wrote it, {@link KernelCopies}) goes into the internal cache as it is, and the
 * external cache is emptied. That is what flushing both caches and reloading the internal one
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
 * {@code internal_cache_refused}. The walk runs on the loop in slices of {@link #SLICE} handles,
 * each after the loop's next pass over its sockets ({@link EngineContext#loopAfterIo}), so kernel
 * events, the peer's datagrams and the tick go on between them; a flow changed meanwhile is no
 * longer current when the walk reaches it, or, reached before, holds what the kernel holds.
 */
public final class PeerAdoption {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAdoption.class);

    /** External-cache handles visited per loop task: a few milliseconds of loop work. */
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

    /** Walks the external cache into the internal one; completes once the last slice ran (on the loop). */
    CompletableFuture<Result> adopt() {
        CompletableFuture<Result> done = new CompletableFuture<>();
        ctx.loop.execute(() -> {
            ctx.internal.reserve(ctx.internal.size() + ctx.external.size()); // one resize, not one per doubling
            slice(new int[4], 0, done);
        });
        return done;
    }

    /** From handle {@code from} on, at most {@link #SLICE} handles; {@code n}: adopted, kept, not in the kernel, filtered out. */
    private void slice(int[] n, int from, CompletableFuture<Result> done) {
        try {
            FlowStore external = ctx.external;
            FlowStore internal = ctx.internal;
            long now = ctx.now();
            long margin = BatchWriter.EXPIRY_MARGIN.toNanos();
            boolean filtered = !ctx.cfg.filter().equals(FlowFilter.ACCEPT_ALL);
            int h = external.nextHandle(from);
            for (int visited = 0; h != FlowStore.NO_HANDLE && visited < SLICE; visited++) {
                byte[] enc = external.encodingAt(h);
                if (!copies.current(h, external.updatedAt(h), now, margin)) {
                    n[2]++;
                } else if (filtered && !accepts(external, h, enc)) {
                    n[3]++; // in the kernel, but not this node's to replicate: a dump would leave it out too
                } else {
                    switch (internal.putEncodedIfAbsent(enc, now)) {
                        case NEW -> n[0]++;
                        case UNCHANGED -> n[1]++; // held already: a kernel event's version is newer
                        case REFUSED_FULL -> ctx.count("internal_cache_refused"); // a resync would meet the same limit
                        case UPDATED -> throw new IllegalStateException("putEncodedIfAbsent replaced a flow");
                    }
                }
                h = external.nextHandle(h + 1);
            }
            if (h != FlowStore.NO_HANDLE) {
                int next = h;
                ctx.loopAfterIo.execute(() -> slice(n, next, done));
                return;
            }
            clearExternal.run();
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
