package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.wire.CompactFlow;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the internal cache in step with the kernel: applies its events, and reloads the cache
 * from a dump at the start, on request, after an event overrun, and after a commit whose events
 * were paused (the catch-up: what packets changed meanwhile is news, what the commit wrote is the
 * peer's). Changes go to the peer through {@code changed} (the sync mode's flowChanged) and leave
 * at {@code pump}.
 */
final class KernelResync {
    private static final Logger LOG = LoggerFactory.getLogger(KernelResync.class);

    /**
     * Which changes a resync from the kernel queues for the peer: all, none, or (the catch-up
     * after a commit) those of flows the peer did not send, with the vanished ones.
     */
    enum Announce { ALL, NONE, LOCAL }

    /**
     * A resync from the kernel under way: when its dump began (what has not changed since and is
     * not in it has vanished), the snapshots of the commits it catches up after, and the dump.
     */
    private record Run(long stamp, List<byte[][]> committed, List<Flow> dumped, Standing standing) {}

    private final EngineContext ctx;
    private final Conntrack kernel;
    /** The port of our own writes: their events are not news. */
    private final int ownPort;
    private final Consumer<FlowKey> changed;
    private final Runnable pump;

    // loop-owned
    private long resyncAt = -1;
    /** The scheduled resync only catches up after a commit: it announces what the peer did not send. */
    private boolean catchUpOnly;
    /** What the commits the scheduled catch-up follows wrote (their snapshots' encodings). */
    private List<byte[][]> catchUpCommitted = new ArrayList<>();

    KernelResync(EngineContext ctx, Conntrack kernel, int ownPort, Consumer<FlowKey> changed, Runnable pump) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.ownPort = ownPort;
        this.changed = changed;
        this.pump = pump;
    }

    /**
     * Dumps the kernel at the start (on the calling thread): the flows the filter accepts that
     * are this node's under the standing; the peer's marked ones are counted and left out.
     */
    List<Flow> dumpAtStart() throws NetlinkException {
        List<Flow> dumped = new ArrayList<>();
        long[] peers = {0};
        Standing atStart = ctx.standing();
        kernel.dump(Sockets.AF_UNSPEC, f -> {
            if (ctx.cfg.filter().accepts(f)) {
                Flow own = own(f, atStart);
                if (own != null) {
                    dumped.add(own);
                } else {
                    peers[0]++;
                }
            }
        });
        if (peers[0] > 0) {
            // a commit or an inject before the restart wrote them: the peer's, not to be sent back as ours
            LOG.info("{}: {} flows in the kernel carry the owner mark {} and stay the peer's ({})", ctx.node(), peers[0],
                    ctx.cfg.ownerMark(), atStart);
            ctx.count("kernel_flows_of_peer_at_start", peers[0]);
        }
        return dumped;
    }

    /** A batch of kernel events (on the loop); its changes leave at once. */
    void applyEvents(List<FlowEvent> batch) {
        long now = ctx.now();
        for (FlowEvent e : batch) {
            if (e.originPort() == ownPort && ownPort != 0) {
                ctx.count("kernel_events_own");
                continue; // our own commit or injection: not re-sent
            }
            ctx.count("kernel_events");
            Flow f = e.flow();
            if (e.type() == FlowEvent.Type.DESTROY) {
                removeInternal(f);
            } else if (!ctx.cfg.filter().accepts(f)) {
                ctx.count("kernel_events_filtered");
                removeInternal(f);
            } else if ((f = own(f, ctx.standing())) == null) {
                ctx.count("kernel_events_of_peer"); // a flow written from the peer's cache, not claimed
            } else {
                switch (ctx.internal.put(f, now)) {
                    case NEW, UPDATED -> changed.accept(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())));
                    case REFUSED_FULL -> ctx.count("internal_cache_refused");
                    case UNCHANGED -> { }
                }
            }
        }
        pump.run(); // the batch's changes leave now, not at the next tick
    }

    /**
     * The flow as the internal cache holds it (without the owner bits), or null when it carries
     * the owner mark and {@code s} does not claim such flows: the peer's, written here by a commit
     * or an inject, before or after a restart.
     */
    private Flow own(Flow f, Standing s) {
        OwnerMark m = ctx.cfg.ownerMark();
        if (f.mark() == Flow.ABSENT || (f.mark() & m.mask()) == 0) {
            return f;
        }
        if (m.marks(f.mark()) && !s.claimsMarked()) {
            return null;
        }
        return f.toBuilder().mark(m.strip(f.mark())).build();
    }

    private void removeInternal(Flow f) {
        if (ctx.internal.remove(f.orig(), f.zone())) {
            changed.accept(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())));
        }
    }

    /** Kernel events were lost (on the loop): a full resync follows after the configured delay. */
    void overrun() {
        ctx.count("kernel_event_overruns");
        if (resyncAt < 0) {
            resyncAt = ctx.now() + ctx.cfg.overrunResync().toNanos();
        }
        catchUpOnly = false;
    }

    /**
     * A commit that paused the events wrote {@code written} (on the loop): changes by packets
     * during it were not seen, so a dump picks them up at the next tick, unless a resync from the
     * kernel starts before (the MASTER transition's).
     */
    void afterCommit(byte[][] written) {
        if (resyncAt < 0) {
            catchUpOnly = true;
        }
        resyncAt = ctx.now();
        catchUpCommitted.add(written);
    }

    /** Whether a resync is scheduled. */
    boolean scheduled() {
        return resyncAt >= 0;
    }

    /** At a tick (on the loop): starts the scheduled resync once it is due. */
    void tick(long now) {
        if (resyncAt >= 0 && now >= resyncAt) {
            Announce which = catchUpOnly ? Announce.LOCAL : Announce.ALL;
            resyncAt = -1;
            catchUpOnly = false;
            resync(which);
        }
    }

    /** Reloads the internal cache from a dump (on the worker); returns its size after. */
    CompletableFuture<Integer> resync(Announce announce) {
        // a scheduled resync (overrun, catch-up after a commit) is done by any that dumps after it
        return ctx.onLoop(() -> {
            resyncAt = -1;
            catchUpOnly = false;
            // this resync does the catch-up, whichever kind it is
            List<byte[][]> committed = catchUpCommitted;
            catchUpCommitted = new ArrayList<>();
            return new Run(ctx.now(), committed, new ArrayList<>(), ctx.standing());
        }).thenApplyAsync(run -> {
            try {
                kernel.dump(Sockets.AF_UNSPEC, f -> {
                    Flow own;
                    if (ctx.cfg.filter().accepts(f) && (own = own(f, run.standing())) != null) {
                        run.dumped().add(own); // the peer's marked flows vanish from it as from the kernel
                    }
                });
            } catch (NetlinkException e) {
                throw new IllegalStateException("resync from the kernel failed: " + e.getMessage(), e);
            }
            return run;
        }, ctx.worker).thenCompose(run -> ctx.onLoop(() -> apply(run, announce)));
    }

    /** The dump into the internal cache (on the loop); returns the cache's size. */
    private int apply(Run run, Announce announce) {
        FlowStore internal = ctx.internal;
        long stamp = run.stamp();
        int announced = 0;
        // the catch-up: what the commits wrote, or earlier ones (still in the external cache),
        // is the peer's, not ours to hold or send (their events, dropped by our own port, would
        // not have made it ours); the rest is news. What the commits wrote is looked up in
        // their snapshots: the external cache may have been flushed since (the MASTER
        // transition flushes right after its commit)
        FlowStore written = announce == Announce.LOCAL ? committedFlows(run.committed()) : null;
        int skipped = 0;
        for (Flow f : run.dumped()) {
            boolean peers = written != null && (written.handleOf(f.orig(), f.zone()) != FlowStore.NO_HANDLE
                    || ctx.external.handleOf(f.orig(), f.zone()) != FlowStore.NO_HANDLE);
            if (peers && internal.handleOf(f.orig(), f.zone()) == FlowStore.NO_HANDLE) {
                skipped++;
                continue;
            }
            FlowStore.Result r = internal.put(f, stamp);
            if (announce != Announce.NONE && !peers && (r == FlowStore.Result.NEW || r == FlowStore.Result.UPDATED)) {
                changed.accept(new FlowKey(CompactFlow.encodeKey(f.orig(), f.zone())));
                announced++;
            }
        }
        List<Integer> gone = new ArrayList<>();
        internal.forEachEncoded((h, enc, updated) -> { // no decoding: only the times matter
            if (updated < stamp) {
                gone.add(h);
            }
        });
        for (int h : gone) {
            FlowKey key = new FlowKey(internal.keyAt(h));
            internal.removeAt(h);
            if (announce != Announce.NONE) {
                changed.accept(key);
                announced++;
            }
        }
        ctx.count("resyncs_from_kernel");
        LOG.info("{}: internal cache resynced from the kernel{}: {} flows ({} vanished, {} changes for the peer{})",
                ctx.node(), announce == Announce.LOCAL ? " after the commit" : "", internal.size(), gone.size(),
                announced, skipped > 0 ? ", " + skipped + " committed flows of the peer left out" : "");
        return internal.size();
    }

    /** An index of what the commits wrote (the arrays are the snapshots', not copies). */
    private static FlowStore committedFlows(List<byte[][]> snapshots) {
        int n = 0;
        for (byte[][] s : snapshots) {
            n += s.length;
        }
        FlowStore written = new FlowStore("committed", Math.max(1, n));
        for (byte[][] s : snapshots) {
            for (byte[] enc : s) {
                written.putEncoded(enc, 0);
            }
        }
        return written;
    }
}
