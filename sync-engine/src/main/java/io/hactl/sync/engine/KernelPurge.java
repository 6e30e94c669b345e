package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.netlink.NetlinkException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    /** A purge's victims (marked, not in the external cache) and how many marked flows it keeps. */
    private record Victims(List<Flow> victims, int kept) {}

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

    private void run() {
        kernelTouched.run();
        OwnerMark m = ctx.cfg.ownerMark();
        CompletableFuture.supplyAsync(() -> {
            List<Flow> marked = new ArrayList<>();
            try {
                kernel.dump(Sockets.AF_UNSPEC, f -> {
                    if (m.marks(f.mark())) {
                        marked.add(f);
                    }
                });
            } catch (NetlinkException e) {
                throw new IllegalStateException("dump: " + e.getMessage(), e);
            }
            return marked;
        }, ctx.worker).thenCompose(marked -> ctx.onLoop(() -> {
            List<Flow> victims = new ArrayList<>();
            for (Flow f : marked) {
                if (ctx.external.handleOf(f.orig(), f.zone()) == FlowStore.NO_HANDLE) {
                    victims.add(f);
                }
            }
            return new Victims(victims, marked.size() - victims.size());
        })).thenApplyAsync(run -> {
            try {
                BatchResult r = run.victims().isEmpty() ? null : kernel.batchDelete(run.victims());
                return new int[] {r == null ? 0 : r.succeeded(), run.kept()};
            } catch (NetlinkException e) {
                throw new IllegalStateException("delete: " + e.getMessage(), e);
            }
        }, ctx.worker).whenComplete((r, e) -> ctx.loop.execute(() -> {
            long now = ctx.now();
            if (e != null) {
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
}
