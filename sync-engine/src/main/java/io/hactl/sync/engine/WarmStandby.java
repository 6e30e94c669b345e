package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.engine.BatchWriter.Batch;
import io.hactl.sync.engine.BatchWriter.Outcome;
import io.hactl.sync.engine.BatchWriter.Pending;
import io.hactl.sync.netlink.NetlinkException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warm standby (direct-inject): on a node that is certainly not MASTER ({@link Standing#STANDBY})
 * the flows the peer sends are written into the kernel as they arrive, in one batch a tick (or,
 * while the kernel is slower than the peer, as soon as the previous batch is written), and the
 * flows it deletes are deleted. The kernel is reconciled with the external cache (the source
 * of truth) after the peer's bulks, failed writes, lost kernel events and on taking the standby
 * standing. Queues and the standing are loop-owned; the writes run on the worker through the
 * shared {@link BatchWriter}, and their outcome is recorded back on the loop. Also notes each
 * change of standing: leaving MASTER forgets the kernel copies, with or without direct-inject.
 */
final class WarmStandby {
    private static final Logger LOG = LoggerFactory.getLogger(WarmStandby.class);
    /** How often at most a reconcile after failed writes runs (a full table would fail every time). */
    static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(1);

    private final EngineContext ctx;
    private final Conntrack kernel;
    private final BatchWriter batches;

    // loop-owned
    /** The flows received since the last hand-over, by handle and update time: copied out when handed. */
    private final InjectQueue injectQueue = new InjectQueue();
    private final List<Flow> injectDeletes = new ArrayList<>();
    /** The standing as last seen: leaving MASTER forgets the copies, taking STANDBY reconciles. */
    private Standing seen;
    private boolean reconcileDue;
    private String reconcileWhy;
    /** Warm-standby batches handed to the worker whose outcome is not recorded yet. */
    private int inFlight;
    /** The flows (writes and deletes) of those batches. */
    private long inFlightFlows;
    /**
     * Whether a batch of the queued writes and deletes is with the worker: the next waits for its
     * outcome, so that while the kernel is slower than the peer the queue holds handles only, each
     * flow is written once in its latest version, and a batch holds at most
     * {@link KernelWriter#CHUNK} flows, instead of batches of copies piling up.
     */
    private boolean queuedInFlight;
    private long lastReconcileAt = Long.MIN_VALUE;
    /** The reconcile under way, null when none is. */
    private Reconcile reconciling;
    /**
     * {@link #backlog} zero and no reconcile due, as of the loop's last change to either: read
     * from other threads by a takeover, which must not wait for the loop. A flow read from the
     * peer clears it at once; only the loop sets it again.
     */
    private volatile boolean current;

    WarmStandby(EngineContext ctx, Conntrack kernel, BatchWriter batches) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.batches = batches;
    }

    /** Whether the peer's flows go into this kernel as they arrive: direct-inject on a node certainly not MASTER. */
    private boolean standby() {
        return ctx.cfg.directInject() && ctx.standing() == Standing.STANDBY;
    }

    /**
     * The flow the external cache now holds at {@code h}, updated at {@code updated}, to write at
     * the next hand-over (on the loop).
     */
    void inject(int h, long updated) {
        if (standby()) {
            injectQueue.add(h, updated);
            notCurrent();
        }
    }

    /** The flow at {@code h}, about to leave the external cache, to delete at the next {@link #flushInjections} (on the loop). */
    void injectDelete(int h) {
        if (standby()) {
            injectDeletes.add(ctx.external.flowAt(h));
            notCurrent();
        }
    }

    /**
     * Has the kernel reconciled with the external cache at the next {@link #flushInjections} that
     * finds no warm-standby write in flight: every flow the kernel does not hold as last received,
     * or holds with a timeout about to run out, is written (on the loop). Marked flows the cache
     * lacks are left to the purge.
     */
    void reconcile(String why) {
        reconcileDue = true;
        reconcileWhy = why;
        current = false;
    }

    /**
     * Hands what was queued since the last call to the worker, deletes first, and the next chunk
     * of a reconcile under way; a due reconcile starts once no warm-standby write is in flight
     * (on the loop, at each tick).
     */
    void flushInjections() {
        try {
            flush();
        } finally {
            publish();
        }
    }

    private void flush() {
        noteStanding();
        if (!standby()) {
            injectQueue.clear();
            injectDeletes.clear();
            reconciling = null;
            return;
        }
        long now = ctx.now();
        if (reconcileDue && inFlight == 0 && reconciling == null
                && (lastReconcileAt == Long.MIN_VALUE || now - lastReconcileAt >= RECONCILE_INTERVAL.toNanos())) {
            startReconcile(now);
        }
        handQueued(now);
        if (reconciling != null && !reconciling.chunkInFlight) {
            nextChunk(now);
        }
    }

    /**
     * Hands the queued deletes and the oldest queued flows' latest versions to the worker, unless
     * a batch of them is in flight (on the loop).
     */
    private void handQueued(long now) {
        while (!queuedInFlight && (injectQueue.count() > 0 || !injectDeletes.isEmpty())) {
            Batch writes = injectQueue.takeLatest(ctx.external, KernelWriter.CHUNK, now);
            if (writes.size() > 0 || !injectDeletes.isEmpty()) {
                List<Flow> deletes = new ArrayList<>(injectDeletes);
                injectDeletes.clear();
                queuedInFlight = true;
                hand(writes, deletes, null);
            }
        }
    }

    /**
     * Has the worker delete {@code deletes} and write {@code writes}, a chunk of {@code chunkOf}
     * when not null (on the loop); the outcome is recorded back on the loop.
     */
    private void hand(Batch writes, List<Flow> deletes, Reconcile chunkOf) {
        long flows = writes.size() + deletes.size();
        inFlight++;
        inFlightFlows += flows;
        ctx.worker.execute(() -> {
            Outcome o = null;
            try {
                // a flow deleted and sent again within the tick is written after its delete
                if (!deletes.isEmpty()) {
                    kernel.batchDelete(deletes);
                }
                o = batches.write(writes);
                if (chunkOf != null) {
                    ctx.count("reconciled", o.written() + o.replaced());
                } else {
                    ctx.count("injected", o.written() + o.replaced());
                }
            } catch (NetlinkException e) {
                ctx.count("inject_errors");
                LOG.warn("{}: warm standby write failed: {}", ctx.node(), e.getMessage());
            }
            Outcome done = o;
            ctx.loop.execute(() -> {
                inFlight--;
                inFlightFlows -= flows;
                if (done == null) {
                    reconcile("write failed");
                } else {
                    recordWritten(writes, done);
                }
                if (chunkOf != null) {
                    chunkOf.chunkInFlight = false;
                    if (chunkOf == reconciling && standby()) {
                        nextChunk(ctx.now()); // the reconcile goes on at once, not at the next tick
                    }
                } else {
                    queuedInFlight = false;
                    if (standby()) {
                        handQueued(ctx.now()); // what arrived meanwhile, at once
                    }
                }
                publish();
            });
        });
    }

    /**
     * The flows the standby kernel is still to be written with or cleared of: queued for the next
     * tick, handed to the worker and not yet done, or left to a reconcile under way; -1 when this
     * node is not a warm standby (on the loop). Zero with no reconcile due: the kernel holds the
     * external cache as received.
     */
    long backlog() {
        if (!standby()) {
            return -1;
        }
        return injectQueue.count() + injectDeletes.size() + inFlightFlows
                + (reconciling == null ? 0 : reconciling.handles.length - reconciling.at);
    }

    /**
     * Whether the kernel held the external cache as received at the loop's last change (any
     * thread; see {@link #current}). False when this node is not a warm standby.
     */
    boolean currentNow() {
        return current;
    }

    /**
     * The standing changed (on the loop): a node that left STANDBY is no warm standby any more,
     * one that took it has its kernel reconciled first.
     */
    void standingChanged() {
        noteStanding();
        publish();
    }

    private void notCurrent() {
        if (current) {
            current = false;
        }
    }

    private void publish() {
        current = backlog() == 0 && reconcileDue() == null;
    }

    /** Why a reconcile of the kernel with the external cache is due, null when none is (on the loop). */
    String reconcileDue() {
        return standby() && reconcileDue ? reconcileWhy : null;
    }

    /**
     * Picks every flow of the cache not current in the kernel, the queued ones included, masters
     * first (on the loop): their handles only. They are copied out and written a chunk at a time
     * ({@link #nextChunk}), so that a reconcile of a whole table never holds a second copy of it.
     */
    private void startReconcile(long now) {
        injectQueue.clear(); // all of them are among the stale ones
        reconcileDue = false;
        lastReconcileAt = now;
        int[] stale = batches.copies().stale(ctx.external, now, BatchWriter.EXPIRY_MARGIN.toNanos(), false);
        reconciling = stale.length == 0 ? null : new Reconcile(stale, now);
        LOG.info("{}: warm standby: reconciling the kernel with the external cache ({}): {} of {} flows to write",
                ctx.node(), reconcileWhy, stale.length, ctx.external.size());
    }

    /**
     * Hands the reconcile's next chunk to the worker (on the loop): up to {@link KernelWriter#CHUNK}
     * of its flows that are still in the cache and still not current in the kernel, as the cache
     * holds them now. Ends the reconcile when none is left.
     */
    private void nextChunk(long now) {
        Reconcile r = reconciling;
        long margin = BatchWriter.EXPIRY_MARGIN.toNanos();
        KernelCopies copies = batches.copies();
        FlowStore external = ctx.external;
        Pending chunk = new Pending();
        while (r.at < r.handles.length && chunk.size() < KernelWriter.CHUNK) {
            int h = r.handles[r.at++];
            if (external.isLive(h) && !copies.current(h, external.updatedAt(h), now, margin)) {
                chunk.add(external, h, external.updatedAt(h));
            }
        }
        if (chunk.size() == 0) {
            reconciling = null;
            LOG.info("{}: warm standby: reconcile of {} flows done in {} ms", ctx.node(), r.handles.length,
                    (now - r.startedAt) / 1_000_000);
            return;
        }
        r.chunkInFlight = true;
        hand(chunk.take(now), List.of(), r);
    }

    /** A reconcile under way: the flows it picked, how far it got (loop-owned). */
    private static final class Reconcile {
        final int[] handles;
        final long startedAt;
        int at;
        boolean chunkInFlight;

        Reconcile(int[] handles, long startedAt) {
            this.handles = handles;
            this.startedAt = startedAt;
        }
    }

    /** Leaving MASTER forgets the copies (its traffic changed them); taking STANDBY reconciles (on the loop). */
    private void noteStanding() {
        Standing s = ctx.standing();
        if (s == seen) {
            return;
        }
        if (seen != null && seen.claimsMarked() && !s.claimsMarked()) {
            batches.copies().clear();
        }
        if (s == Standing.STANDBY) {
            reconcile("standby taken");
        }
        seen = s;
    }

    /** Records what the kernel took (on the loop); a write that failed in part has the kernel reconciled. */
    private void recordWritten(Batch b, Outcome o) {
        if (batches.record(b, o) > 0) {
            ctx.count("inject_errors");
            reconcile("failed writes");
        }
    }
}
