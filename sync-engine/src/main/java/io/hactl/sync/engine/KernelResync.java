package io.hactl.sync.engine;

import io.hactl.sync.sys.Sockets;
import io.hactl.sync.cache.EncodingList;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.cache.PutResult;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.wire.CompactFlow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    /** Flows per chunk a dump hands to the loop: a few milliseconds of loop work, so status keeps answering. */
    static final int CHUNK_FLOWS = 4096;
    /**
     * Chunks handed to the loop and not yet applied, at most: what a dump holds beyond the cache
     * is bounded by this, not by the table's size.
     */
    static final int CHUNKS_IN_FLIGHT = 8;
    /** How long a dump waits for the loop to take a chunk before handing it over anyway. */
    private static final long IN_FLIGHT_WAIT_MILLIS = 1000;
    /**
     * How long the catch-up after a commit waits for a resync from the kernel that does it: long
     * enough for the steps between a MASTER transition's commit and the resync its adoption may
     * start ({@link PeerAdoption}), short against the commit's own time (the changes it picks up
     * were made while the commit ran).
     */
    static final java.time.Duration CATCH_UP_DELAY = java.time.Duration.ofSeconds(1);
    /** Live handles the sweep for vanished flows visits per loop task. */
    static final int SWEEP_SLICE = 65_536;

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
    private List<EncodingList> catchUpCommitted = new ArrayList<>(); // their keys only
    /** Resyncs from the kernel begun and not yet done. */
    private int running;

    KernelResync(EngineContext ctx, Conntrack kernel, int ownPort, Consumer<FlowKey> changed, Runnable pump) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.ownPort = ownPort;
        this.changed = changed;
        this.pump = pump;
    }

    /**
     * Dumps the kernel into the internal cache at the start (the dump on the calling thread, the
     * puts on the loop, chunk by chunk): the flows the filter accepts that are this node's under
     * the standing; the peer's marked ones are counted and left out. Returns how many flows the
     * dump gave the cache; they are all in it once a task queued on the loop after this runs.
     */
    long dumpAtStart() throws NetlinkException {
        Standing atStart = ctx.standing();
        ResyncRun run = new ResyncRun(Long.MIN_VALUE, atStart, Announce.NONE, null);
        long n = dump(run);
        if (run.peersMarked > 0) {
            // a commit or an inject before the restart wrote them: the peer's, not to be sent back as ours
            LOG.info("{}: {} flows in the kernel carry the owner mark {} and stay the peer's ({})", ctx.node(),
                    run.peersMarked, ctx.cfg.ownerMark(), atStart);
            ctx.count("kernel_flows_of_peer_at_start", run.peersMarked);
        }
        return n;
    }

    /**
     * A batch of kernel events (on the loop); its changes leave at once. Each flow is encoded
     * once: the cache keeps the encoding and the transmit queue its key prefix (a copy), so
     * neither the tuple nor the key is encoded a second time. Counted once per batch.
     */
    void applyEvents(List<FlowEvent> batch) {
        long now = ctx.now();
        long own = 0, taken = 0, filtered = 0, ofPeer = 0, refused = 0;
        for (FlowEvent e : batch) {
            if (e.originPort() == ownPort && ownPort != 0) {
                own++;
                continue; // our own commit or injection: not re-sent
            }
            taken++;
            Flow f = e.flow();
            if (e.type() == FlowEvent.Type.DESTROY) {
                removeInternal(f);
            } else if (!ctx.cfg.filter().accepts(f)) {
                filtered++;
                removeInternal(f);
            } else if ((f = own(f, ctx.standing())) == null) {
                ofPeer++; // a flow written from the peer's cache, not claimed
            } else {
                byte[] enc = CompactFlow.encode(f);
                switch (ctx.internal.putEncoded(enc, now)) {
                    case NEW, UPDATED -> changed.accept(new FlowKey(Arrays.copyOf(enc, CompactFlow.keyLength(enc))));
                    case REFUSED_FULL -> refused++;
                    case UNCHANGED -> { }
                }
            }
        }
        // once per batch, not per event
        ctx.count("kernel_events_own", own);
        ctx.count("kernel_events", taken);
        ctx.count("kernel_events_filtered", filtered);
        ctx.count("kernel_events_of_peer", ofPeer);
        ctx.count("internal_cache_refused", refused);
        pump.run(); // the batch's changes leave now (or with the batches queued behind it), not at the next tick
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

    /** A full resync from the kernel at the next tick, announcing every change (on the loop). */
    void scheduleNow() {
        resyncAt = ctx.now();
        catchUpOnly = false;
    }

    /**
     * A commit that paused the events wrote the flows whose keys are {@code writtenKeys} (the
     * keys alone: all the catch-up asks is whether a key was written; on the loop): changes by packets
     * during it were not seen, so a dump picks them up {@link #CATCH_UP_DELAY} later, unless a
     * resync from the kernel starts before and does it in its own dump: the one a MASTER
     * transition's adoption starts when the kernel does not hold every flow as received, a step
     * after its commit. Started at once, the catch-up's dump (and its index of what the commit
     * wrote) would run first and that full dump after it, two table-sized dumps where one does.
     */
    void afterCommit(EncodingList writtenKeys) {
        long due = ctx.now() + CATCH_UP_DELAY.toNanos();
        if (resyncAt < 0) {
            catchUpOnly = true;
            resyncAt = due;
        } else {
            resyncAt = Math.min(resyncAt, due);
        }
        catchUpCommitted.add(writtenKeys);
    }

    /** Whether a resync is scheduled. */
    boolean scheduled() {
        return resyncAt >= 0;
    }

    /** Whether a resync from the kernel is scheduled or under way (on the loop). */
    boolean pending() {
        return resyncAt >= 0 || running > 0;
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

    /**
     * Reloads the internal cache from a dump (the dump on the worker, the puts on the loop in
     * chunks of {@link #CHUNK_FLOWS}, then the vanished flows removed in slices); returns its size
     * after. No flow object of the dump outlives its chunk's encoding: at most
     * {@link #CHUNKS_IN_FLIGHT} chunks wait for the loop.
     */
    CompletableFuture<Integer> resync(Announce announce) {
        // a scheduled resync (overrun, catch-up after a commit) is done by any that dumps after it
        return ctx.onLoop(() -> {
            resyncAt = -1;
            catchUpOnly = false;
            // this resync does the catch-up, whichever kind it is
            List<EncodingList> committed = catchUpCommitted;
            catchUpCommitted = new ArrayList<>();
            // the catch-up: what the commits wrote, or earlier ones (still in the external cache),
            // is the peer's, not ours to hold or send (their events, dropped by our own port, would
            // not have made it ours); the rest is news. What the commits wrote is looked up in
            // their snapshots: the external cache may have been emptied since (a MASTER
            // transition's adoption empties it right after its commit)
            FlowStore written = announce == Announce.LOCAL ? committedFlows(committed) : null;
            ResyncRun run = new ResyncRun(ctx.now(), ctx.standing(), announce, written);
            running++;
            run.done.whenComplete((n, e) -> ctx.loop.execute(() -> running--));
            return run;
        }).thenCompose(run -> {
            ctx.worker.execute(() -> {
                try {
                    dump(run);
                } catch (NetlinkException e) {
                    run.done.completeExceptionally(
                            new IllegalStateException("resync from the kernel failed: " + e.getMessage(), e));
                    return;
                } catch (RuntimeException | Error e) {
                    run.done.completeExceptionally(e);
                    throw e;
                }
                // queued after the last chunk: the loop has applied them all when it runs
                ctx.loop.execute(() -> sweep(run, 0));
            });
            return run.done;
        });
    }

    /**
     * Streams the kernel's table into chunks of compact encodings for the loop (on the calling
     * thread); returns how many flows it handed over.
     */
    private long dump(ResyncRun run) throws NetlinkException {
        long[] n = {0};
        byte[][][] chunk = {new byte[CHUNK_FLOWS][]};
        int[] fill = {0};
        kernel.dump(Sockets.AF_UNSPEC, f -> {
            if (!ctx.cfg.filter().accepts(f)) {
                return;
            }
            Flow own = own(f, run.standing);
            if (own == null) {
                run.peersMarked++; // the peer's marked flows vanish from the cache as from the kernel
                return;
            }
            chunk[0][fill[0]++] = CompactFlow.encode(own);
            n[0]++;
            if (fill[0] == CHUNK_FLOWS) {
                hand(run, chunk[0], fill[0]);
                chunk[0] = new byte[CHUNK_FLOWS][];
                fill[0] = 0;
            }
        });
        if (fill[0] > 0) {
            hand(run, chunk[0], fill[0]);
        }
        return n[0];
    }

    /** Queues a chunk on the loop, once fewer than {@link #CHUNKS_IN_FLIGHT} wait there (or a second went by). */
    private void hand(ResyncRun run, byte[][] encs, int n) {
        boolean held;
        try {
            held = run.inFlight.tryAcquire(IN_FLIGHT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("resync from the kernel interrupted", e);
        }
        ctx.loop.execute(() -> {
            try {
                apply(run, encs, n);
            } finally {
                if (held) {
                    run.inFlight.release();
                }
            }
        });
    }

    /** A chunk of the dump into the internal cache (on the loop). */
    private void apply(ResyncRun run, byte[][] encs, int n) {
        FlowStore internal = ctx.internal;
        long stamp = run.stamp == Long.MIN_VALUE ? ctx.now() : run.stamp;
        for (int i = 0; i < n; i++) {
            byte[] enc = encs[i];
            boolean peers = run.written != null && (run.written.handleOfEncoded(enc) != FlowStore.NO_HANDLE
                    || ctx.external.handleOfEncoded(enc) != FlowStore.NO_HANDLE);
            if (peers && internal.handleOfEncoded(enc) == FlowStore.NO_HANDLE) {
                run.skipped++;
                continue;
            }
            PutResult r = internal.putEncoded(enc, stamp);
            if (r == PutResult.REFUSED_FULL) {
                ctx.count("internal_cache_refused");
            } else if (r == PutResult.UPDATED && internal.lastUpdateOnlyTimeout()) {
                // only its time ran on: the peer already counts that down from when it was sent
                // (no event reports it either); announcing it would send the whole table again
                run.timeoutOnly++;
            } else if (run.announce != Announce.NONE && !peers
                    && (r == PutResult.NEW || r == PutResult.UPDATED)) {
                changed.accept(new FlowKey(Arrays.copyOf(enc, CompactFlow.keyLength(enc))));
                run.announced++;
            }
        }
    }

    /**
     * Removes, from handle {@code from} on, the flows no put stamped since the dump began (on the
     * loop), {@link #SWEEP_SLICE} handles per task; the last slice completes the run.
     */
    private void sweep(ResyncRun run, int from) {
        FlowStore internal = ctx.internal;
        int h = internal.nextHandle(from);
        for (int visited = 0; h != FlowStore.NO_HANDLE && visited < SWEEP_SLICE; visited++) {
            if (internal.updatedAt(h) < run.stamp) { // no decoding: only the times matter
                byte[] key = run.announce != Announce.NONE ? internal.keyAt(h) : null;
                internal.removeAt(h);
                run.gone++;
                if (key != null) {
                    changed.accept(new FlowKey(key));
                    run.announced++;
                }
            }
            h = internal.nextHandle(h + 1);
        }
        if (h != FlowStore.NO_HANDLE) {
            int next = h;
            ctx.loopAfterIo.execute(() -> sweep(run, next)); // the peer and the events go on between slices
            return;
        }
        ctx.count("resyncs_from_kernel");
        ctx.count("resync_timeout_only", run.timeoutOnly);
        LOG.info("{}: internal cache resynced from the kernel{}: {} flows ({} vanished, {} changes for the peer,"
                        + " {} with only their timeout run on{})",
                ctx.node(), run.announce == Announce.LOCAL ? " after the commit" : "", internal.size(), run.gone,
                run.announced, run.timeoutOnly,
                run.skipped > 0 ? ", " + run.skipped + " committed flows of the peer left out" : "");
        ctx.afterLoopTask();
        run.done.complete(internal.size());
    }

    /**
     * An index of the keys the commits wrote: a store of key prefixes alone, which a lookup by
     * key ({@link FlowStore#handleOfEncoded}) reads no further than (nothing else is asked of it).
     */
    private static FlowStore committedFlows(List<EncodingList> snapshots) {
        int n = 0;
        for (EncodingList s : snapshots) {
            n += s.size();
        }
        FlowStore written = new FlowStore("committed", Math.max(1, n));
        for (EncodingList s : snapshots) {
            for (int i = 0; i < s.size(); i++) {
                written.putEncoded(s.get(i), 0);
            }
        }
        return written;
    }
}
