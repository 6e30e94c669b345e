package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The purge of the peer's flows from the kernel: scheduled on BACKUP / FAULT, decided at each
 * tick by {@link PurgePlan}, run as a dump on the worker, a pick on the loop (the marked flows
 * whose key the external cache lacks) and a batched delete on the worker: never a sweep over
 * what the filter accepts.
 */
final class KernelPurge {
    private static final Logger LOG = LoggerFactory.getLogger(KernelPurge.class);

    /** Flows per batched delete: the victims are decoded from their encodings one batch at a time. */
    static final int DELETE_BATCH = 4096;

    /**
     * A purge's victims (marked, not in the external cache) as compact encodings, and how many
     * marked flows it keeps; filled on the loop, read by the worker after the last chunk.
     */
    private static final class Pick {
        final List<byte[]> victims = new ArrayList<>();
        final Semaphore inFlight = new Semaphore(KernelResync.CHUNKS_IN_FLIGHT);
        int kept;
    }

    private final EngineContext ctx;
    private final Conntrack kernel;
    /** Asks the peer for a bulk (on the loop): a due purge compares with what the peer holds now. */
    private final Runnable askBulk;
    /** The purge is deleting from the kernel (on the loop): what commits wrote may be going. */
    private final Runnable kernelTouched;
    private final PurgePlan plan = new PurgePlan(); // loop-owned
    private volatile PurgeStatus status;

    KernelPurge(EngineContext ctx, Conntrack kernel, Runnable askBulk, Runnable kernelTouched) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.askBulk = askBulk;
        this.kernelTouched = kernelTouched;
    }

    /** The decisions, which the peer's bulks and returns feed (on the loop). */
    PurgePlan plan() {
        return plan;
    }

    /** At a tick (on the loop). */
    void tick(long now) {
        switch (plan.check(now, ctx.standing())) {
            case RUN -> run();
            case SKIPPED -> {
                ctx.count("purges_skipped");
                LOG.info("{}: purge {}", ctx.node(), plan.status(now).lastOutcome());
            }
            case WAITING -> {
                // asked when due, not when scheduled: the daemon's own request on the peer's
                // restart comes first, and one bulk does for both
                if (plan.askForBulk()) {
                    askBulk.run();
                }
            }
            case NOTHING -> { }
        }
    }

    /** Schedules it after the purge timeout, recording {@code reason} (on the loop). */
    Duration schedule(String reason) {
        plan.schedule(ctx.now(), ctx.cfg.purgeTimeout(), reason);
        LOG.info("{}: kernel purge scheduled in {} s ({}; {})", ctx.node(), ctx.cfg.purgeTimeout().toSeconds(), reason,
                ctx.standing());
        return ctx.cfg.purgeTimeout();
    }

    /** Cancels the scheduled one (on the loop); returns whether there was one. */
    boolean cancel(String why) {
        boolean was = plan.cancel(ctx.now(), why);
        if (was) {
            ctx.count("purges_cancelled");
            LOG.info("{}: scheduled purge cancelled: {}", ctx.node(), why);
        }
        return was;
    }

    /** Takes the status for readers on any thread (on the loop). */
    void takeStatus(long now) {
        status = plan.status(now);
    }

    /** The status as last taken. */
    PurgeStatus status() {
        PurgeStatus p = status;
        return p != null ? p : new PurgeStatus(-1, null, false, null, -1, -1, false, 0);
    }

    /**
     * Runs the purge: the kernel dumps only the marked flows (a mark-filtered dump), which reach
     * the loop in chunks of {@link KernelResync#CHUNK_FLOWS} (at most {@link KernelResync#CHUNKS_IN_FLIGHT}
     * waiting); the loop keeps the compact encodings of those the external cache lacks, and the
     * worker deletes them in batches of {@link #DELETE_BATCH}, decoding one batch at a time.
     */
    private void run() {
        kernelTouched.run();
        OwnerMark m = ctx.cfg.ownerMark();
        Pick pick = new Pick();
        CompletableFuture<int[]> done = new CompletableFuture<>();
        ctx.worker.execute(() -> {
            try {
                List<Flow> chunk = new ArrayList<>();
                kernel.dumpMarked(Sockets.AF_UNSPEC, m.value(), m.mask(), f -> {
                    if (m.marks(f.mark())) { // the kernel filtered already: a check, not a sweep
                        chunk.add(f);
                        if (chunk.size() == KernelResync.CHUNK_FLOWS) {
                            hand(pick, List.copyOf(chunk));
                            chunk.clear();
                        }
                    }
                });
                if (!chunk.isEmpty()) {
                    hand(pick, List.copyOf(chunk));
                }
            } catch (NetlinkException e) {
                done.completeExceptionally(new IllegalStateException("dump: " + e.getMessage(), e));
                return;
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
                throw e;
            }
            // queued after the last chunk's pick: every victim is known when it runs
            ctx.loop.execute(() -> ctx.worker.execute(() -> delete(pick, done)));
        });
        done.whenComplete((r, e) -> ctx.loop.execute(() -> {
            long now = ctx.now();
            if (e != null) {
                ctx.fatal.check("purge", e);
                Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                plan.failed(now, c.getMessage());
                ctx.count("purges_failed");
                LOG.warn("{}: purge failed: {}", ctx.node(), c.getMessage());
            } else {
                plan.ran(now, r[0], r[1]);
                ctx.count("purges_run");
                ctx.count("purged", r[0]);
                LOG.info("{}: purged {} flows of {} from the kernel that it no longer has ({} of its flows kept)",
                        ctx.node(), r[0], ctx.cfg.peer(), r[1]);
            }
            ctx.afterLoopTask();
        }));
    }

    /** Hands a chunk of marked flows to the loop, once fewer than the bound wait there (or a second went by). */
    private void hand(Pick pick, List<Flow> chunk) {
        boolean held;
        try {
            held = pick.inFlight.tryAcquire(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("purge interrupted", e);
        }
        ctx.loop.execute(() -> {
            try {
                for (Flow f : chunk) {
                    if (ctx.external.handleOf(f.orig(), f.zone()) == FlowStore.NO_HANDLE) {
                        pick.victims.add(CompactFlow.encode(f));
                    } else {
                        pick.kept++;
                    }
                }
            } finally {
                if (held) {
                    pick.inFlight.release();
                }
            }
        });
    }

    /** Deletes the victims (on the worker), {@link #DELETE_BATCH} at a time; completes with {deleted, kept}. */
    private void delete(Pick pick, CompletableFuture<int[]> done) {
        try {
            int deleted = 0;
            List<Flow> batch = new ArrayList<>(DELETE_BATCH);
            for (int i = 0; i < pick.victims.size(); i += DELETE_BATCH) {
                batch.clear();
                int end = Math.min(pick.victims.size(), i + DELETE_BATCH);
                for (int j = i; j < end; j++) {
                    batch.add(CompactFlow.decode(pick.victims.get(j)));
                    pick.victims.set(j, null); // what was deleted is not held any longer
                }
                deleted += kernel.batchDelete(batch).succeeded();
            }
            done.complete(new int[] {deleted, pick.kept});
        } catch (NetlinkException e) {
            done.completeExceptionally(new IllegalStateException("delete: " + e.getMessage(), e));
        } catch (CompactFlowException e) {
            done.completeExceptionally(new IllegalStateException("delete: " + e.getMessage(), e)); // encoded here
        } catch (RuntimeException | Error e) {
            done.completeExceptionally(e);
            throw e;
        }
    }
}
