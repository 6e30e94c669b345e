package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.cache.PutResult;
import io.hactl.sync.mode.BulkSource;
import io.hactl.sync.mode.SyncListener;
import io.hactl.sync.mode.SyncStats;
import io.hactl.sync.wire.CompactFlow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the peer tells, as the sync mode delivers it (on the loop): its flows into the external
 * cache (and, with direct-inject, to warm standby), the bookkeeping of its bulks (a clean
 * bulk's end removes what it no longer carried), its hand-over, restarts and liveness; and our
 * bulks towards it.
 */
final class PeerState implements SyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(PeerState.class);

    private final EngineContext ctx;
    private final EngineListener listener;
    private final SyncStats stats;
    private final PeerCountCheck peerCount;
    private final PurgePlan purge;
    private final KernelWriter writer;
    private final WarmStandby standby;
    /** Queues a bulk towards the peer (the sync mode's bulk). */
    private final Consumer<BulkSource> bulk;

    // loop-owned
    private boolean bulkReceiving;
    private long bulkBeganAt;
    private long lostAtBulkBegin;
    private long bulksReceived;
    private boolean bulkRestart;
    /**
     * Whether the internal cache holds the kernel's table: the start dump reaches the loop in
     * chunks, and the peer (alive before us) may ask for our bulk between them. A bulk of part of
     * the table would be taken for all of it: the peer's clean bulk end drops the rest.
     */
    private boolean tableRead;
    private boolean bulkAfterTableRead;
    /** A MASTER transition's bulk, owed to a peer that was silent then: sent at the first tick that hears it. */
    private boolean bulkOwed;

    PeerState(EngineContext ctx, EngineListener listener, SyncStats stats, PeerCountCheck peerCount, PurgePlan purge,
              KernelWriter writer, WarmStandby standby, Consumer<BulkSource> bulk) {
        this.ctx = ctx;
        this.listener = listener;
        this.stats = stats;
        this.peerCount = peerCount;
        this.purge = purge;
        this.writer = writer;
        this.standby = standby;
        this.bulk = bulk;
    }

    /** A bulk from the peer is in progress. */
    boolean bulkReceiving() {
        return bulkReceiving;
    }

    /** Completed bulks from the peer. */
    long bulksReceived() {
        return bulksReceived;
    }

    /** Queues the whole internal cache for the peer, framed by BULK_BEGIN / BULK_END; returns its size. */
    int sendBulk() {
        bulkOwed = false;
        FlowStore internal = ctx.internal;
        bulk.accept(new BulkSource() {
            private int next;

            @Override
            public byte[] next() {
                int h = internal.nextHandle(next);
                if (h == FlowStore.NO_HANDLE) {
                    return null;
                }
                next = h + 1;
                return internal.encodingAt(h);
            }
        });
        ctx.count("bulks_sent");
        return internal.size();
    }

    /** The start dump is all in the internal cache (on the loop): a bulk the peer asked for meanwhile goes now. */
    void tableRead() {
        tableRead = true;
        if (bulkAfterTableRead) {
            bulkAfterTableRead = false;
            LOG.info("{}: the kernel's table is read: bulk-sending the {} flows {} asked for", ctx.node(),
                    ctx.internal.size(), ctx.cfg.peer());
            sendBulk();
        }
    }

    /**
     * The MASTER transition's bulk: now when the peer was heard within the last heartbeat
     * interval, else (it crashed, its link is cut) owed until a tick hears it again, so that a
     * table-sized bulk does not go out, unanswered, at the moment the traffic arrives. Returns
     * the flows queued, or -1 when owed. A peer that restarts asks for its bulk anyway.
     */
    int sendBulkWhenHeard() {
        if (silent()) {
            bulkOwed = true;
            long heard = stats.lastHeardNanos.get();
            LOG.info("{}: {} not heard {}: the bulk of {} flows goes when it is heard again", ctx.node(), ctx.cfg.peer(),
                    heard == -1 ? "yet" : "for " + (ctx.now() - heard) / 1_000_000 + " ms", ctx.internal.size());
            return -1;
        }
        return sendBulk();
    }

    /** Whether nothing came from the peer for longer than a heartbeat interval (or ever). */
    private boolean silent() {
        long heard = stats.lastHeardNanos.get();
        return heard == -1 || ctx.now() - heard > ctx.cfg.mode().heartbeat().toNanos();
    }

    /** Whether a bulk is owed to a silent peer (on the loop). */
    boolean bulkOwed() {
        return bulkOwed;
    }

    /**
     * At a tick: a bulk whose marker the peer lost goes again, once however many were lost; a
     * bulk owed to a silent peer goes once it is heard.
     */
    void tick() {
        if (bulkRestart && tableRead) {
            bulkRestart = false;
            LOG.info("{}: a bulk marker to {} was lost: sending the bulk again", ctx.node(), ctx.cfg.peer());
            sendBulk();
        }
        if (bulkOwed && tableRead && !silent()) {
            LOG.info("{}: {} is heard: sending the bulk owed to it", ctx.node(), ctx.cfg.peer());
            sendBulk();
        }
    }

    @Override
    public void onFlowUpdate(byte[] bytes, long arrivedNanos) {
        FlowStore external = ctx.external;
        // the datagram's arrival time: one clock read for its 35 or so flows, not one each
        if (!writer.tracksKernel()) {
            if (external.putEncoded(bytes, arrivedNanos) == PutResult.REFUSED_FULL) {
                ctx.count("external_cache_refused");
            }
            return;
        }
        // checked by the receiver (CompactFlowCheck); one lookup: the put tells the handle and
        // when the flow it found had been put before
        PutResult r = external.putEncoded(bytes, arrivedNanos);
        if (r == PutResult.REFUSED_FULL) {
            ctx.count("external_cache_refused");
            return;
        }
        int h = external.lastPutHandle();
        if (r == PutResult.UNCHANGED && writer.stillWritten(h, external.lastPutPreviousUpdatedAt(), arrivedNanos)) {
            return; // sent again as it was (a bulk): the kernel holds it as it is
        }
        if (ctx.cfg.directInject()) {
            // the cache holds it byte for byte now (new, updated or unchanged)
            standby.inject(h, arrivedNanos);
        }
    }

    @Override
    public void onFlowDelete(byte[] key) {
        int h = ctx.external.handleOfKey(key);
        if (h == FlowStore.NO_HANDLE) {
            return;
        }
        if (ctx.cfg.directInject()) {
            standby.injectDelete(h);
        }
        ctx.external.removeAt(h);
    }

    @Override
    public void onBulkBegin(long arrivedNanos) {
        bulkReceiving = true;
        LOG.debug("{}: bulk from {} begins", ctx.node(), ctx.cfg.peer());
        // the flows that shared its datagram carry the same time: they are the bulk's
        bulkBeganAt = arrivedNanos;
        lostAtBulkBegin = stats.messagesLost.get();
    }

    @Override
    public void onBulkEnd(long flows) {
        boolean clean = stats.messagesLost.get() == lostAtBulkBegin;
        if (bulkReceiving && !clean) {
            // a message of the bulk (maybe BULK_BEGIN itself) was lost and resent out of
            // order: arrival times no longer tell what the bulk carried, so keep everything
            LOG.info("{}: bulk from {} had losses; stale flows are kept until the next resync", ctx.node(),
                    ctx.cfg.peer());
            ctx.count("bulks_unclean");
        } else if (bulkReceiving) {
            // what the peer did not send again it no longer has
            FlowStore external = ctx.external;
            List<Integer> stale = new ArrayList<>();
            for (int h = external.nextHandle(0); h != FlowStore.NO_HANDLE; h = external.nextHandle(h + 1)) {
                if (external.updatedAt(h) < bulkBeganAt) { // only the times matter
                    stale.add(h);
                }
            }
            for (int h : stale) {
                if (ctx.cfg.directInject()) {
                    standby.injectDelete(h);
                }
                external.removeAt(h);
            }
            ctx.count("external_stale_removed", stale.size());
        }
        bulkReceiving = false;
        bulksReceived++;
        purge.bulkReceived(clean);
        if (ctx.cfg.directInject()) {
            // what the bulk's own writes missed (a full table, an overrun, a restart in between)
            standby.reconcile(clean ? "bulk received" : "bulk received with losses");
        }
        LOG.info("{}: bulk from {} complete: {} flows, external cache {}", ctx.node(), ctx.cfg.peer(), flows,
                ctx.external.size());
        listener.onBulkReceived(flows, clean);
    }

    @Override
    public void onResyncRequest() {
        if (!tableRead) {
            LOG.info("{}: {} asked for a resync while the kernel's table is being read: the bulk follows", ctx.node(),
                    ctx.cfg.peer());
            bulkAfterTableRead = true;
            return;
        }
        LOG.info("{}: {} asked for a resync: bulk-sending {} flows", ctx.node(), ctx.cfg.peer(), ctx.internal.size());
        sendBulk();
    }

    @Override
    public void onPeerHandover() {
        LOG.info("{}: {} is leaving MASTER and hands over: {} flows to load", ctx.node(), ctx.cfg.peer(),
                ctx.external.size());
        ctx.count("handovers_received");
        listener.onPeerHandover();
    }

    @Override
    public void onPeerRestart() {
        peerCount.reset();
        peerReturned("restarted");
        listener.onPeerRestart();
    }

    @Override
    public void onPeerSummary(long flows, long pending, long ahead, long arrivedNanos) {
        peerCount.onSummary(flows, pending, ahead, ctx.external.size(), bulkReceiving, arrivedNanos);
    }

    @Override
    public void onOwnBulkLost() {
        bulkRestart = true; // once per tick, however many markers were lost
    }

    @Override
    public void onPeerAlive(boolean alive) {
        LOG.info("{}: peer {} is {}", ctx.node(), ctx.cfg.peer(), alive ? "alive" : "DEAD (silent for "
                + ctx.cfg.mode().deadAfter().toMillis() + " ms)");
        if (alive) {
            peerReturned("alive again");
        }
        listener.onPeerAlive(alive);
    }

    /**
     * A purge scheduled while the peer was away (its silence, a preload) is decided again
     * against what the peer holds now: it waits for a clean bulk, asked for here.
     */
    private void peerReturned(String how) {
        if (purge.peerReturned()) {
            LOG.info("{}: {} is {}: the scheduled purge waits for its bulk", ctx.node(), ctx.cfg.peer(), how);
            ctx.count("purges_redecided");
        }
    }
}
