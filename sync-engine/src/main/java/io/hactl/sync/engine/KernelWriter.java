package io.hactl.sync.engine;

import io.hactl.sync.cache.EncodingList;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit of the external cache into the kernel (the handles to write picked on the loop, then
 * a chunk at a time copied out on the loop, transcoded and written on the worker through the
 * shared {@link BatchWriter}), and what tells which flows the kernel
 * still holds as written: kernel events of marked entries that ended not by our socket, lost
 * events, flows the peer sent again unchanged. Warm standby's writes are {@link WarmStandby}'s;
 * both record into the same {@link KernelCopies}, so that the commit of the changes writes only the
 * flows the kernel does not hold as last received.
 */
final class KernelWriter {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWriter.class);

    /**
     * The external-cache handles a commit writes, in order, taken at {@code takenAt};
     * {@code unchanged} flows were left out as the kernel holds them as last written,
     * {@code sinceMillis} after the last write (-1: a full commit).
     */
    private record Snapshot(int[] handles, long takenAt, int unchanged, long sinceMillis) {}

    /** Flows copied out of the external cache and written per round: a few milliseconds of loop work. */
    static final int CHUNK = 32_768;

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
        }).thenComposeAsync(snap -> write(new Run(snap, t0)), ctx.worker);
    }

    /**
     * Which flows to write, masters first (on the loop): their handles only. Their encodings are
     * copied a chunk at a time as the worker gets to them ({@link #chunk}), so that a commit of a
     * whole table never holds a second copy of it.
     */
    private Snapshot snapshot(boolean changesOnly) {
        long now = ctx.now();
        int[] handles = copies.stale(ctx.external, now, BatchWriter.EXPIRY_MARGIN.toNanos(), !changesOnly);
        int unchanged = ctx.external.size() - handles.length;
        return new Snapshot(handles, now, unchanged,
                changesOnly && unchanged > 0 ? (now - batches.lastWrittenAt()) / 1_000_000 : -1);
    }

    /**
     * The flows of {@code handles[from, to)} as the external cache holds them now (on the loop):
     * a flow updated since the snapshot goes in its newer version, one removed since is left out.
     */
    private Batch chunk(int[] handles, int from, int to) {
        Pending p = new Pending();
        FlowStore external = ctx.external;
        for (int i = from; i < to; i++) {
            int h = handles[i];
            if (external.isLive(h)) {
                p.add(external, h, external.updatedAt(h));
            }
        }
        return p.take(ctx.now());
    }

    /** A commit under way: its snapshot and what its chunks did so far (worker-owned). */
    private static final class Run {
        final Snapshot snap;
        final long t0;
        final EncodingList keys = new EncodingList();
        boolean paused;
        long writeStart;
        long cpuNanos;
        long userNanos;
        int flows;
        int written;
        int replaced;
        int failed;

        Run(Snapshot snap, long t0) {
            this.snap = snap;
            this.t0 = t0;
        }
    }

    /**
     * Writes the snapshot's flows a chunk at a time with the events paused (on the worker): each
     * chunk is copied out on the loop, then written on the worker, and the next one asked for; no
     * thread waits for another.
     */
    private CompletableFuture<CommitResult> write(Run run) {
        // the commit's own events would be dropped anyway: spare the kernel building them
        try {
            if (run.snap.handles.length > 0 && events != null) {
                events.pauseNewAndUpdate();
                run.paused = true;
            }
        } catch (NetlinkException e) {
            LOG.debug("{}: cannot pause events during the commit: {}", ctx.node(), e.getMessage());
        }
        run.writeStart = ctx.now();
        LOG.debug("{}: commit snapshot of {} flows taken {} ms after the request", ctx.node(), run.snap.handles.length,
                (run.snap.takenAt - run.t0) / 1_000_000);
        return chunksFrom(run, 0).handleAsync((r, e) -> {
            if (run.paused) {
                try {
                    events.resume();
                } catch (NetlinkException resume) {
                    if (e == null) {
                        throw new IllegalStateException("commit failed: " + resume.getMessage(), resume);
                    }
                    e.addSuppressed(resume);
                }
            }
            if (e != null) {
                throw e instanceof CompletionException c ? c : new CompletionException(e);
            }
            return finish(run);
        }, ctx.worker);
    }

    /** The chunks from {@code from} on: each copied out on the loop, then written on the worker. */
    private CompletableFuture<Void> chunksFrom(Run run, int from) {
        int[] handles = run.snap.handles;
        if (from >= handles.length) {
            return CompletableFuture.completedFuture(null);
        }
        int to = Math.min(handles.length, from + CHUNK);
        return ctx.askLoop(() -> chunk(handles, from, to))
                .thenAcceptAsync(b -> writeChunk(run, b), ctx.worker)
                .thenCompose(v -> chunksFrom(run, to));
    }

    /** One chunk into the kernel (on the worker); what the kernel took is recorded on the loop. */
    private void writeChunk(Run run, Batch b) {
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        long cpu0 = tmx.getCurrentThreadCpuTime();
        long usr0 = tmx.getCurrentThreadUserTime();
        Outcome o;
        try {
            o = batches.write(b);
        } catch (NetlinkException e) {
            throw new IllegalStateException("commit failed: " + e.getMessage(), e);
        }
        run.cpuNanos += tmx.getCurrentThreadCpuTime() - cpu0;
        run.userNanos += tmx.getCurrentThreadUserTime() - usr0;
        ctx.loop.execute(() -> batches.record(b, o));
        run.flows += b.size();
        run.written += o.written();
        run.replaced += o.replaced();
        run.failed += o.failed(b.size());
        run.keys.addKeysOf(b.encodings());
    }

    private CommitResult finish(Run run) {
        LOG.debug("{}: commit wrote in {} ms (writer cpu {} ms, of which user {} ms)", ctx.node(),
                (ctx.now() - run.writeStart) / 1_000_000, run.cpuNanos / 1_000_000, run.userNanos / 1_000_000);
        CommitResult r = new CommitResult(run.flows, run.written, run.replaced,
                run.failed > 0 ? Map.of("failed", run.failed) : Map.of(), (ctx.now() - run.t0) / 1_000_000,
                run.snap.unchanged, run.snap.sinceMillis);
        lastCommit = r;
        LOG.info("{}: {}", ctx.node(), r);
        if (run.paused) {
            ctx.loop.execute(() -> resync.afterCommit(run.keys));
        }
        return r;
    }
}
