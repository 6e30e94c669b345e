package io.hactl.sync.engine;

import io.hactl.sync.conntrack.Flow;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the peer's flows into the kernel: the commit of the external cache (snapshot on the
 * loop, transcoding and writing on the worker) and, with direct-inject, each flow as it arrives
 * (warm standby). Entries the kernel refuses as unchangeable (EBUSY) are deleted and created
 * again; every other failure is counted by errno.
 */
final class KernelWriter {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWriter.class);
    /** How recent a clean commit must be for {@link #commit commit(true)} to write only what changed since. */
    static final Duration CHANGES_WINDOW = Duration.ofSeconds(10);

    /**
     * What a commit writes: the external cache's encodings, masters first, with their update
     * times; {@code unchanged} flows were left out as the commit {@code sinceMillis} before wrote
     * them (-1: a full commit).
     */
    private record Snapshot(byte[][] encodings, long[] updated, long takenAt, int unchanged, long sinceMillis) {}

    private final EngineContext ctx;
    private final Conntrack kernel;
    /** The event subscription, paused during a commit (its own events would be dropped anyway). */
    private final ConntrackEvents events;
    private final CommitPlanner planner;
    private final CommitEncoder encoder;
    private final KernelPurge purge;
    private final KernelResync resync;

    // loop-owned
    private final List<Flow> injectQueue = new ArrayList<>();
    private final List<Flow> injectDeletes = new ArrayList<>();
    /** Snapshot time of the last commit that wrote every flow it took, -1 after a purge. */
    private long lastCleanCommitAt = -1;

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

    /** The kernel's copy of what commits wrote may be going (a purge, on the loop). */
    void kernelTouched() {
        lastCleanCommitAt = -1;
    }

    // ------------------------------------------------------------ direct inject

    /** A flow of the peer to write at the next {@link #flushInjections} (on the loop). */
    void inject(Flow f) {
        injectQueue.add(f);
    }

    /** A flow the peer no longer has, to delete at the next {@link #flushInjections} (on the loop). */
    void injectDelete(Flow f) {
        injectDeletes.add(f);
    }

    /** Hands what was queued since the last call to the worker (on the loop, at each tick). */
    void flushInjections() {
        if (injectQueue.isEmpty() && injectDeletes.isEmpty()) {
            return;
        }
        long now = ctx.now();
        List<Flow> writes = new ArrayList<>(injectQueue.size());
        for (Flow f : injectQueue) {
            writes.add(planner.plan(f, now, now));
        }
        List<Flow> deletes = new ArrayList<>(injectDeletes);
        injectQueue.clear();
        injectDeletes.clear();
        ctx.worker.execute(() -> {
            try {
                if (!writes.isEmpty()) {
                    replaceBusy(kernel.batch(writes, BatchMode.CREATE_OR_UPDATE), writes::get);
                }
                if (!deletes.isEmpty()) {
                    kernel.batchDelete(deletes);
                }
                ctx.count("injected", writes.size());
            } catch (NetlinkException e) {
                ctx.count("inject_errors");
                LOG.warn("{}: direct inject failed: {}", ctx.node(), e.getMessage());
            }
        });
    }

    // ------------------------------------------------------------ commit

    /**
     * Loads the external cache into the kernel, masters first, and cancels a scheduled purge.
     * With {@code changesOnly}, when the last commit wrote every flow, left the kernel untouched
     * since (no purge) and is less than {@link #CHANGES_WINDOW} old, only the flows updated since
     * its snapshot (older, flows with short timeouts may have expired from the kernel meanwhile).
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
        long since = changesOnly && lastCleanCommitAt >= 0 && now - lastCleanCommitAt < CHANGES_WINDOW.toNanos()
                ? lastCleanCommitAt : Long.MIN_VALUE;
        int n = ctx.external.size();
        byte[][] encodings = new byte[n][];
        long[] updated = new long[n];
        int[] i = {0};
        ctx.external.forEachEncodedMastersFirst((h, enc, u) -> {
            if (u >= since) {
                encodings[i[0]] = enc;
                updated[i[0]++] = u;
            }
        });
        return new Snapshot(Arrays.copyOf(encodings, i[0]), Arrays.copyOf(updated, i[0]), now, n - i[0],
                since == Long.MIN_VALUE ? -1 : (now - since) / 1_000_000);
    }

    /** Writes the snapshot with the events paused (on the worker). */
    private CommitResult write(Snapshot snap, long t0) throws NetlinkException {
        boolean paused = false;
        // the commit's own events would be dropped anyway: spare the kernel building them
        try {
            if (snap.encodings.length > 0 && events != null) {
                events.pauseNewAndUpdate();
                paused = true;
            }
        } catch (NetlinkException e) {
            LOG.debug("{}: cannot pause events during the commit: {}", ctx.node(), e.getMessage());
        }
        int[] wr;
        long w0 = ctx.now();
        LOG.debug("{}: commit snapshot of {} flows taken {} ms after the request", ctx.node(),
                snap.encodings.length, (snap.takenAt - t0) / 1_000_000);
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        long cpu0 = tmx.getCurrentThreadCpuTime();
        long usr0 = tmx.getCurrentThreadUserTime();
        try {
            wr = writeBatched(snap);
            LOG.debug("{}: commit wrote in {} ms (writer cpu {} ms, of which user {} ms)", ctx.node(),
                    (ctx.now() - w0) / 1_000_000, (tmx.getCurrentThreadCpuTime() - cpu0) / 1_000_000,
                    (tmx.getCurrentThreadUserTime() - usr0) / 1_000_000);
        } finally {
            if (paused) {
                events.resume();
            }
        }
        Map<String, Integer> failures = new HashMap<>();
        int failed = snap.encodings.length - wr[0] - wr[1];
        if (failed > 0) {
            failures.put("failed", failed);
        }
        CommitResult r = new CommitResult(snap.encodings.length, wr[0], wr[1], failures,
                (ctx.now() - t0) / 1_000_000, snap.unchanged, snap.sinceMillis);
        lastCommit = r;
        if (failed == 0) {
            ctx.loop.execute(() -> lastCleanCommitAt = Math.max(lastCleanCommitAt, snap.takenAt));
        }
        LOG.info("{}: {}", ctx.node(), r);
        if (paused) {
            ctx.loop.execute(() -> resync.afterCommit(snap.encodings()));
        }
        return r;
    }

    /**
     * Writes the snapshot in batches, each request transcoded from the compact encoding straight
     * into the kernel message (no flow objects). (Two sockets on two threads gain nothing:
     * ctnetlink serializes the inserts under a mutex, and the waiting thread spins on it.)
     * Returns {written, replaced}.
     */
    private int[] writeBatched(Snapshot snap) throws NetlinkException {
        if (snap.encodings.length == 0) {
            return new int[2];
        }
        return replaceBusy(kernel.batch(snap.encodings.length, BatchMode.CREATE_OR_UPDATE, requests(snap)), planned(snap));
    }

    /** The CT_NEW requests of the snapshot's flows, transcoded from their encodings. */
    private Conntrack.NewRequests requests(Snapshot snap) {
        return new Conntrack.NewRequests() {
            @Override
            public int family(int i) {
                return CommitEncoder.family(snap.encodings[i]);
            }

            @Override
            public void write(AttrWriter w, int i) {
                try {
                    encoder.write(w, snap.encodings[i], snap.updated[i], snap.takenAt);
                } catch (CompactFlowException e) {
                    // the cache holds only what it validated on arrival
                    throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The planned flow of the snapshot's flow {@code i} (for the few the kernel refuses). */
    private IntFunction<Flow> planned(Snapshot snap) {
        return i -> {
            try {
                return planner.plan(CompactFlow.decode(snap.encodings[i]), snap.updated[i], snap.takenAt);
            } catch (CompactFlowException e) {
                throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
            }
        };
    }

    /**
     * After a batched write: the flows the kernel refused as unchangeable (EBUSY: an entry whose
     * fixed bits differ) are deleted and created again; every other failure is counted by errno.
     * Returns {written, replaced}. Runs on the worker.
     */
    private int[] replaceBusy(BatchResult r, IntFunction<Flow> flowAt) throws NetlinkException {
        List<Flow> retry = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.errno(i) == Errno.EBUSY) {
                retry.add(flowAt.apply(i));
            }
        }
        int replaced = 0;
        Map<String, Integer> failures = new HashMap<>(r.failures());
        failures.remove("EBUSY");
        if (!retry.isEmpty()) {
            kernel.batchDelete(retry);
            BatchResult again = kernel.batch(retry, BatchMode.CREATE);
            replaced = again.succeeded();
            again.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum));
        }
        failures.forEach((k, v) -> {
            ctx.count("kernel_write_" + k, v);
            ctx.count("kernel_write_failed", v);
        });
        return new int[] {r.succeeded(), replaced};
    }
}
