package io.hactl.sync.mode;

import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.MessageType;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;

/**
 * What waits to be sent to the peer: an ordered set of flow keys, control messages and bulk
 * cursors, so a flow queued twice is sent once with its latest state; at most one resync request
 * waiting; and what becomes of a sent item the peer missed (requeued by key, or, for a bulk's
 * markers, reported lost). Keeps {@link SyncStats#transmitQueueDepth} current.
 *
 * <p>Not thread-safe: owned by its mode on the event loop.
 */
final class TransmitQueue {

    /** A control message waiting in the transmit queue; identity equality keeps each one. */
    static final class Ctl {
        final Message message;

        Ctl(Message message) {
            this.message = message;
        }
    }

    /** A bulk send in progress in the transmit queue: drained from its source as sending allows. */
    static final class BulkCursor {
        final BulkSource source;
        long sent;
        boolean exhausted;

        BulkCursor(BulkSource source) {
            this.source = source;
        }
    }

    private final StateSource source;
    private final SyncStats stats;

    /** FlowKey or Ctl, in the order they were first queued. */
    private final LinkedHashSet<Object> transmit = new LinkedHashSet<>();
    /** Bulk cursors in {@link #transmit}: while one waits, the pending count is unknown. */
    private int bulksQueued;
    /** A resync request waiting in the transmit queue: a second one would only fetch a second bulk. */
    private Ctl queuedResync;

    TransmitQueue(StateSource source, SyncStats stats) {
        this.source = Objects.requireNonNull(source);
        this.stats = Objects.requireNonNull(stats);
    }

    /** Queues a flow key or a control message (a flow already queued keeps its place). */
    void add(Object item) {
        transmit.add(item);
        updateDepth();
    }

    /** Queues a bulk: its BULK_BEGIN, then a cursor over its flows. */
    void addBulk(BulkSource bulk) {
        transmit.add(new Ctl(new Message.BulkBegin(0)));
        transmit.add(new BulkCursor(bulk));
        bulksQueued++;
        updateDepth();
    }

    /** Queues a resync request unless one is already waiting to be sent. */
    void addResyncRequest(Ctl request) {
        if (queuedResync == null || !transmit.contains(queuedResync)) {
            queuedResync = request;
            transmit.add(request);
            updateDepth();
        }
    }

    void clear() {
        transmit.clear();
        bulksQueued = 0;
        stats.transmitQueueDepth.set(0);
    }

    /** The items in the order they were first queued; the sender removes what it sent. */
    Iterator<Object> iterator() {
        return transmit.iterator();
    }

    /** A bulk cursor the sender removed has sent all its flows. */
    void bulkDone() {
        bulksQueued--;
    }

    int size() {
        return transmit.size();
    }

    void updateDepth() {
        stats.transmitQueueDepth.set(transmit.size());
    }

    /**
     * What the peer still has to receive, as CACHE_SUMMARY tells it: the queued items plus the
     * sent ones not yet acknowledged, or {@link Message.CacheSummary#PENDING_UNKNOWN} while a bulk waits.
     */
    long pending(long unacknowledged) {
        return bulksQueued > 0 ? Message.CacheSummary.PENDING_UNKNOWN
                : Math.min(Message.CacheSummary.PENDING_UNKNOWN - 1, (long) transmit.size() + unacknowledged);
    }

    /** The message for a queued item, with the flow's state as it is now. */
    Message build(Object item, int seq) {
        if (item instanceof FlowKey key) {
            byte[] flow = source.current(key);
            return flow != null ? new Message.FlowUpdate(seq, flow) : new Message.FlowDelete(seq, key.bytes());
        }
        Message m = ((Ctl) item).message;
        return switch (m.type()) {
            case BULK_BEGIN -> new Message.BulkBegin(seq);
            case BULK_END -> new Message.BulkEnd(seq, ((Message.BulkEnd) m).flows());
            case RESYNC_REQUEST -> new Message.ResyncRequest(seq);
            case HANDOVER -> new Message.Handover(seq);
            default -> throw new IllegalStateException("not a queued control message: " + m.type());
        };
    }

    /**
     * Requeues a previously sent item for transmission (coalesces with a queued one). Returns
     * false, and counts it, for a bulk's BULK_BEGIN or BULK_END: a bulk cannot be resent in part,
     * so its owner must be told the bulk was lost.
     */
    boolean requeue(Object item) {
        if (item instanceof byte[] flow) {
            // a flow sent by a bulk: resend its current state by key
            transmit.add(source.keyOf(flow));
            stats.retransmissions.incrementAndGet();
            return true;
        }
        if (item instanceof Ctl c && (c.message.type() == MessageType.BULK_BEGIN
                || c.message.type() == MessageType.BULK_END)) {
            stats.bulkMarkersLost.incrementAndGet();
            return false;
        }
        transmit.add(item);
        stats.retransmissions.incrementAndGet();
        return true;
    }
}
