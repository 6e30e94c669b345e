package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the peer's flows into the kernel: the commit of the external cache (snapshot on the
 * loop, transcoding and writing on the worker) and, with direct-inject, warm standby: on a node
 * that is certainly not MASTER ({@link Standing#STANDBY}) the flows the peer sends are written as
 * they arrive, in one batch a tick, and the flows it deletes are deleted; the kernel is reconciled
 * with the external cache (the source of truth) after the peer's bulks, failed writes and on
 * taking the standby standing. Every write is recorded in {@link KernelCopies}, so that the commit
 * of the changes writes only the flows the kernel does not hold as last received. Entries the
 * kernel refuses as unchangeable (EBUSY) are deleted and created again; every other failure is
 * counted by errno.
 */
final class KernelWriter {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWriter.class);
    /**
     * A kernel copy whose timeout runs out sooner than this is written again by a commit of the
     * changes: it could expire from the kernel before the traffic refreshes it.
     */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    /** How often at most a reconcile after failed writes runs (a full table would fail every time). */
    static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(1);

    /** Flows of the external cache to write: handle, encoding and update time each; taken at {@code takenAt}. */
    private record Batch(int[] handles, byte[][] encodings, long[] updated, long takenAt) {
        int size() {
            return handles.length;
        }
    }

    /**
     * A commit's batch; {@code unchanged} flows were left out as the kernel holds them as last
     * written, {@code sinceMillis} after the last write (-1: a full commit).
     */
    private record Snapshot(Batch batch, int unchanged, long sinceMillis) {}

    /** What writing a batch did: which flows the kernel took, with which timeout (s), and the failures by errno. */
    private record Outcome(int written, int replaced, BitSet ok, long[] timeouts, Map<String, Integer> failures) {
        int failed(int n) {
            return n - written - replaced;
        }
    }

    /** A growing batch, filled on the loop. */
    private static final class Pending {
        private int[] handles = new int[64];
        private byte[][] encodings = new byte[64][];
        private long[] updated = new long[64];
        private int size;

        void add(int h, byte[] enc, long u) {
            if (size == handles.length) {
                int n = size * 2;
                handles = Arrays.copyOf(handles, n);
                encodings = Arrays.copyOf(encodings, n);
                updated = Arrays.copyOf(updated, n);
            }
            handles[size] = h;
            encodings[size] = enc;
            updated[size++] = u;
        }

        Batch take(long takenAt) {
            Batch b = new Batch(Arrays.copyOf(handles, size), Arrays.copyOf(encodings, size), Arrays.copyOf(updated, size),
                    takenAt);
            clear();
            return b;
        }

        void clear() {
            Arrays.fill(encodings, 0, size, null);
            size = 0;
        }

        boolean isEmpty() {
            return size == 0;
        }
    }

    private final EngineContext ctx;
    private final Conntrack kernel;
    /** The event subscription, paused during a commit (its own events would be dropped anyway). */
    private final ConntrackEvents events;
    private final CommitPlanner planner;
    private final CommitEncoder encoder;
    private final KernelPurge purge;
    private final KernelResync resync;

    // loop-owned
    private final KernelCopies copies = new KernelCopies();
    private final Pending injectQueue = new Pending();
    private final List<Flow> injectDeletes = new ArrayList<>();
    /** The standing as last seen: leaving MASTER forgets the copies, taking STANDBY reconciles. */
    private Standing seen;
    private boolean reconcileDue;
    private String reconcileWhy;
    /** Warm-standby batches handed to the worker whose outcome is not recorded yet. */
    private int inFlight;
    private long lastReconcileAt = Long.MIN_VALUE;
    /** When the kernel copies were last written (by a commit or warm standby); -1 before. */
    private long lastWrittenAt = -1;

    private volatile CommitResult lastCommit;

    KernelWriter(EngineContext ctx, Conntrack kernel, ConntrackEvents events, KernelPurge purge, KernelResync resync) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.events = events;
        this.purge = purge;
        this.resync = resync;
        this.planner = new CommitPlanner(ctx.cfg.commitTimeout(), ctx.cfg.tcpWindowTracking(), ctx.cfg.ownerMark());
        this.encoder = new CommitEncoder(planner);
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
            reconcile("kernel events lost");
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
        return h != FlowStore.NO_HANDLE && copies.carry(h, before, after, ctx.now(), EXPIRY_MARGIN.toNanos());
    }

    // ------------------------------------------------------------ warm standby (direct inject)

    /** Whether the peer's flows go into this kernel as they arrive: direct-inject on a node certainly not MASTER. */
    private boolean standby() {
        return ctx.cfg.directInject() && ctx.standing() == Standing.STANDBY;
    }

    /**
     * The flow the external cache now holds at {@code h} (encoding {@code enc}, updated at
     * {@code updated}), to write at the next {@link #flushInjections} (on the loop).
     */
    void inject(int h, byte[] enc, long updated) {
        if (standby()) {
            injectQueue.add(h, enc, updated);
        }
    }

    /** The flow at {@code h}, about to leave the external cache, to delete at the next {@link #flushInjections} (on the loop). */
    void injectDelete(int h) {
        if (standby()) {
            injectDeletes.add(ctx.external.flowAt(h));
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
    }

    /**
     * Hands what was queued since the last call to the worker, deletes first, or a due reconcile
     * (on the loop, at each tick).
     */
    void flushInjections() {
        noteStanding();
        if (!standby()) {
            injectQueue.clear();
            injectDeletes.clear();
            return;
        }
        long now = ctx.now();
        boolean reconciling = reconcileDue && inFlight == 0
                && (lastReconcileAt == Long.MIN_VALUE || now - lastReconcileAt >= RECONCILE_INTERVAL.toNanos());
        Batch writes = reconciling ? staleFlows(now) : latestQueued(now);
        if (writes.size() == 0 && injectDeletes.isEmpty()) {
            return;
        }
        List<Flow> deletes = new ArrayList<>(injectDeletes);
        injectDeletes.clear();
        inFlight++;
        ctx.worker.execute(() -> {
            Outcome o = null;
            try {
                // a flow deleted and sent again within the tick is written after its delete
                if (!deletes.isEmpty()) {
                    kernel.batchDelete(deletes);
                }
                o = writeBatch(writes);
                if (reconciling) {
                    ctx.count("reconciled", o.written + o.replaced);
                } else {
                    ctx.count("injected", o.written + o.replaced);
                }
            } catch (NetlinkException e) {
                ctx.count("inject_errors");
                LOG.warn("{}: warm standby write failed: {}", ctx.node(), e.getMessage());
            }
            Outcome done = o;
            ctx.loop.execute(() -> {
                inFlight--;
                if (done == null) {
                    reconcile("write failed");
                } else {
                    recordWritten(writes, done, true);
                }
            });
        });
    }

    /** The queued flows still in the cache in the version queued: each flow's latest only (on the loop). */
    private Batch latestQueued(long now) {
        Batch queued = injectQueue.take(now);
        Pending latest = new Pending();
        for (int i = 0; i < queued.size(); i++) {
            int h = queued.handles[i];
            if (ctx.external.isLive(h) && ctx.external.updatedAt(h) == queued.updated[i]
                    && ctx.external.encodingAt(h) == queued.encodings[i]) {
                latest.add(h, queued.encodings[i], queued.updated[i]);
            }
        }
        return latest.take(now);
    }

    /** Every flow of the cache not current in the kernel, the queued ones included (on the loop). */
    private Batch staleFlows(long now) {
        injectQueue.clear(); // all of them are among the stale ones
        reconcileDue = false;
        lastReconcileAt = now;
        Pending stale = new Pending();
        long margin = EXPIRY_MARGIN.toNanos();
        ctx.external.forEachEncodedMastersFirst((h, enc, u) -> {
            if (!copies.current(h, u, now, margin)) {
                stale.add(h, enc, u);
            }
        });
        LOG.info("{}: warm standby: reconciling the kernel with the external cache ({}): {} of {} flows to write",
                ctx.node(), reconcileWhy, stale.size, ctx.external.size());
        return stale.take(now);
    }

    /** Leaving MASTER forgets the copies (its traffic changed them); taking STANDBY reconciles (on the loop). */
    private void noteStanding() {
        Standing s = ctx.standing();
        if (s == seen) {
            return;
        }
        if (seen != null && seen.claimsMarked() && !s.claimsMarked()) {
            copies.clear();
        }
        if (s == Standing.STANDBY) {
            reconcile("standby taken");
        }
        seen = s;
    }

    /**
     * Records what the kernel took, for the flows the cache still holds in that version (on the
     * loop); a warm-standby write that failed in part has the kernel reconciled.
     */
    private void recordWritten(Batch b, Outcome o, boolean standbyWrite) {
        for (int i = o.ok.nextSetBit(0); i >= 0; i = o.ok.nextSetBit(i + 1)) {
            int h = b.handles[i];
            if (ctx.external.isLive(h) && ctx.external.updatedAt(h) == b.updated[i]) {
                copies.written(h, b.updated[i], b.takenAt + o.timeouts[i] * 1_000_000_000L);
            }
        }
        if (!o.ok.isEmpty()) {
            lastWrittenAt = Math.max(lastWrittenAt, b.takenAt);
        }
        if (standbyWrite && o.failed(b.size()) > 0) {
            ctx.count("inject_errors");
            reconcile("failed writes");
        }
    }

    // ------------------------------------------------------------ commit

    /**
     * Loads the external cache into the kernel, masters first, and cancels a scheduled purge.
     * With {@code changesOnly}, only the flows the kernel does not hold as last received (a
     * commit or warm standby wrote them, and nothing arrived for them since) or whose copy's
     * timeout runs out within {@link #EXPIRY_MARGIN}.
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

    /** Only references here (on the loop): decoding and planning happen on the worker. */
    private Snapshot snapshot(boolean changesOnly) {
        long now = ctx.now();
        long margin = EXPIRY_MARGIN.toNanos();
        Pending p = new Pending();
        int[] unchanged = {0};
        ctx.external.forEachEncodedMastersFirst((h, enc, u) -> {
            if (changesOnly && copies.current(h, u, now, margin)) {
                unchanged[0]++;
            } else {
                p.add(h, enc, u);
            }
        });
        return new Snapshot(p.take(now), unchanged[0],
                changesOnly && unchanged[0] > 0 ? (now - lastWrittenAt) / 1_000_000 : -1);
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
                (b.takenAt - t0) / 1_000_000);
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        long cpu0 = tmx.getCurrentThreadCpuTime();
        long usr0 = tmx.getCurrentThreadUserTime();
        try {
            o = writeBatch(b);
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
        CommitResult r = new CommitResult(b.size(), o.written, o.replaced, failures, (ctx.now() - t0) / 1_000_000,
                snap.unchanged, snap.sinceMillis);
        lastCommit = r;
        ctx.loop.execute(() -> recordWritten(b, o, false));
        LOG.info("{}: {}", ctx.node(), r);
        if (paused) {
            ctx.loop.execute(() -> resync.afterCommit(b.encodings()));
        }
        return r;
    }

    /**
     * Writes a batch, each request transcoded from the compact encoding straight into the kernel
     * message (no flow objects). (Two sockets on two threads gain nothing: ctnetlink serializes
     * the inserts under a mutex, and the waiting thread spins on it.) Runs on the worker.
     */
    private Outcome writeBatch(Batch b) throws NetlinkException {
        int n = b.size();
        long[] timeouts = new long[n];
        if (n == 0) {
            return new Outcome(0, 0, new BitSet(), timeouts, Map.of());
        }
        return replaceBusy(kernel.batch(n, BatchMode.CREATE_OR_UPDATE, requests(b, timeouts)), planned(b), timeouts);
    }

    /** The CT_NEW requests of the batch's flows, transcoded from their encodings; each one's timeout into {@code timeouts}. */
    private Conntrack.NewRequests requests(Batch b, long[] timeouts) {
        return new Conntrack.NewRequests() {
            @Override
            public int family(int i) {
                return CommitEncoder.family(b.encodings[i]);
            }

            @Override
            public void write(AttrWriter w, int i) {
                try {
                    timeouts[i] = encoder.write(w, b.encodings[i], b.updated[i], b.takenAt);
                } catch (CompactFlowException e) {
                    // the cache holds only what it validated on arrival
                    throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The planned flow of the batch's flow {@code i} (for the few the kernel refuses). */
    private IntFunction<Flow> planned(Batch b) {
        return i -> {
            try {
                return planner.plan(CompactFlow.decode(b.encodings[i]), b.updated[i], b.takenAt);
            } catch (CompactFlowException e) {
                throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
            }
        };
    }

    /**
     * After a batched write: the flows the kernel refused as unchangeable (EBUSY: an entry whose
     * fixed bits differ) are deleted and created again; every other failure is counted by errno.
     * Runs on the worker.
     */
    private Outcome replaceBusy(BatchResult r, IntFunction<Flow> flowAt, long[] timeouts) throws NetlinkException {
        BitSet ok = new BitSet(r.size());
        List<Flow> retry = new ArrayList<>();
        List<Integer> retried = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.ok(i)) {
                ok.set(i);
            } else if (r.errno(i) == Errno.EBUSY) {
                retry.add(flowAt.apply(i));
                retried.add(i);
            }
        }
        int replaced = 0;
        Map<String, Integer> failures = new HashMap<>(r.failures());
        failures.remove("EBUSY");
        if (!retry.isEmpty()) {
            kernel.batchDelete(retry);
            BatchResult again = kernel.batch(retry, BatchMode.CREATE);
            for (int j = 0; j < again.size(); j++) {
                if (again.ok(j)) {
                    ok.set(retried.get(j));
                    timeouts[retried.get(j)] = retry.get(j).timeout();
                }
            }
            replaced = again.succeeded();
            again.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum));
        }
        failures.forEach((k, v) -> {
            ctx.count("kernel_write_" + k, v);
            ctx.count("kernel_write_failed", v);
        });
        return new Outcome(r.succeeded(), replaced, ok, timeouts, failures);
    }
}
