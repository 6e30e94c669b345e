package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.engine.BatchWriter.Batch;
import io.hactl.sync.engine.BatchWriter.Outcome;
import io.hactl.sync.engine.BatchWriter.Pending;
import io.hactl.sync.netlink.NetlinkException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit of the external cache into the kernel (snapshot on the loop, transcoding and writing
 * on the worker through the shared {@link BatchWriter}), and what tells which flows the kernel
 * still holds as written: kernel events of marked entries that ended not by our socket, lost
 * events, flows the peer sent again unchanged. Warm standby's writes are {@link WarmStandby}'s;
 * both record into the same {@link KernelCopies}, so that the commit of the changes writes only the
 * flows the kernel does not hold as last received.
 */
final class KernelWriter {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWriter.class);

    /**
     * A commit's batch; {@code unchanged} flows were left out as the kernel holds them as last
     * written, {@code sinceMillis} after the last write (-1: a full commit).
     */
    private record Snapshot(Batch batch, int unchanged, long sinceMillis) {}

    private final EngineContext ctx;
    private final Conntrack kernel;
    /** The event subscription, paused during a commit (its own events would be dropped anyway). */
    private final ConntrackEvents events;
    private final KernelPurge purge;
    private final KernelResync resync;
    private final BatchWriter batches;
    private final WarmStandby standby;
    /** Loop-owned, {@link #batches}'. */
    private final KernelCopies copies;

    private volatile CommitResult lastCommit;

    KernelWriter(EngineContext ctx, Conntrack kernel, ConntrackEvents events, KernelPurge purge, KernelResync resync,
                 BatchWriter batches, WarmStandby standby) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.events = events;
        this.purge = purge;
        this.resync = resync;
        this.batches = batches;
        this.standby = standby;
        this.copies = batches.copies();
    }

    /** The last commit's result, null before the first. */
    CommitResult lastCommit() {
        return lastCommit;
    }

    /**
     * A purge is deleting from the kernel (on the loop). It deletes only marked flows whose key
     * the external cache lacks when it picks them, on the worker, before any write queued after
     * that pick: the copies of the flows the cache holds stay as recorded.
     */
    void kernelTouched() {
        // nothing to forget: see above
    }

    /**
     * Kernel events (on the loop): an entry carrying the owner mark that ended not by our own
     * socket (its timeout ran out, someone flushed or deleted it) is no longer in the kernel as
     * written, so the next commit of the changes writes it again.
     */
    void kernelEvents(List<FlowEvent> batch) {
        OwnerMark mark = ctx.cfg.ownerMark();
        int ownPort = kernel.socket().portId();
        for (FlowEvent e : batch) {
            Flow f = e.flow();
            if (e.type() == FlowEvent.Type.DESTROY && e.originPort() != ownPort && mark.marks(f.mark())) {
                int h = ctx.external.handleOf(f.orig(), f.zone());
                if (h != FlowStore.NO_HANDLE) {
                    copies.forget(h);
                }
            }
        }
    }

    /** Kernel events were lost (on the loop): what the kernel still holds is not known any more. */
    void kernelEventsLost() {
        copies.clear();
        if (ctx.cfg.directInject()) {
            standby.reconcile("kernel events lost");
        }
    }

    /** Whether the peer's flows are tracked in the kernel: warm standby, or copies a commit wrote (on the loop). */
    boolean tracksKernel() {
        return ctx.cfg.directInject() || !copies.isEmpty();
    }

    /**
     * Flow {@code h} arrived again with the same content at {@code after} (a bulk sends every
     * flow): when the kernel held its version of {@code before}, it holds this one, and nothing
     * needs writing. Returns whether so (on the loop).
     */
    boolean stillWritten(int h, long before, long after) {
        if (copies.isEmpty()) {
            return false;
        }
        return h != FlowStore.NO_HANDLE
                && copies.carry(h, before, after, ctx.now(), BatchWriter.EXPIRY_MARGIN.toNanos());
    }

    /**
     * Loads the external cache into the kernel, masters first, and cancels a scheduled purge.
     * With {@code changesOnly}, only the flows the kernel does not hold as last received (a
     * commit or warm standby wrote them, and nothing arrived for them since) or whose copy's
     * timeout runs out within {@link BatchWriter#EXPIRY_MARGIN}.
     */
    CompletableFuture<CommitResult> commit(boolean changesOnly) {
        long t0 = ctx.now();
        return ctx.onLoop(() -> {
            purge.cancel("commit");
            return snapshot(changesOnly);
        }).thenApplyAsync(snap -> {
            try {
                return write(snap, t0);
            } catch (NetlinkException e) {
                throw new IllegalStateException("commit failed: " + e.getMessage(), e);
            }
        }, ctx.worker);
    }

    /** Only copies of the encodings here (on the loop): decoding and planning happen on the worker. */
    private Snapshot snapshot(boolean changesOnly) {
        long now = ctx.now();
        long margin = BatchWriter.EXPIRY_MARGIN.toNanos();
        Pending p = new Pending();
        int[] unchanged = {0};
        ctx.external.forEachMastersFirst((h, u) -> {
            if (changesOnly && copies.current(h, u, now, margin)) {
                unchanged[0]++;
            } else {
                p.add(ctx.external, h, u);
            }
        });
        return new Snapshot(p.take(now), unchanged[0],
                changesOnly && unchanged[0] > 0 ? (now - batches.lastWrittenAt()) / 1_000_000 : -1);
    }

    /** Writes the snapshot with the events paused (on the worker). */
    private CommitResult write(Snapshot snap, long t0) throws NetlinkException {
        Batch b = snap.batch;
        boolean paused = false;
        // the commit's own events would be dropped anyway: spare the kernel building them
        try {
            if (b.size() > 0 && events != null) {
                events.pauseNewAndUpdate();
                paused = true;
            }
        } catch (NetlinkException e) {
            LOG.debug("{}: cannot pause events during the commit: {}", ctx.node(), e.getMessage());
        }
        Outcome o;
        long w0 = ctx.now();
        LOG.debug("{}: commit snapshot of {} flows taken {} ms after the request", ctx.node(), b.size(),
                (b.takenAt() - t0) / 1_000_000);
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        long cpu0 = tmx.getCurrentThreadCpuTime();
        long usr0 = tmx.getCurrentThreadUserTime();
        try {
            o = batches.write(b);
            LOG.debug("{}: commit wrote in {} ms (writer cpu {} ms, of which user {} ms)", ctx.node(),
                    (ctx.now() - w0) / 1_000_000, (tmx.getCurrentThreadCpuTime() - cpu0) / 1_000_000,
                    (tmx.getCurrentThreadUserTime() - usr0) / 1_000_000);
        } finally {
            if (paused) {
                events.resume();
            }
        }
        Map<String, Integer> failures = new HashMap<>();
        int failed = o.failed(b.size());
        if (failed > 0) {
            failures.put("failed", failed);
        }
        CommitResult r = new CommitResult(b.size(), o.written(), o.replaced(), failures, (ctx.now() - t0) / 1_000_000,
                snap.unchanged, snap.sinceMillis);
        lastCommit = r;
        ctx.loop.execute(() -> batches.record(b, o));
        LOG.info("{}: {}", ctx.node(), r);
        if (paused) {
            ctx.loop.execute(() -> resync.afterCommit(b.encodings()));
        }
        return r;
    }
}
