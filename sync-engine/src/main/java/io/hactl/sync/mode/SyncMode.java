package io.hactl.sync.mode;

import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.DropReason;

/**
 * A replication mode for one peer: FTFW (reliable) or NOTRACK (best effort). Chosen once at
 * start. Single-threaded: the engine calls every method from its event loop, passing the
 * monotonic time, so tests drive it with a fake clock.
 */
public interface SyncMode {
    /** Begins: challenges the peer (HELLO); heartbeats start with the session. */
    void start(long nowNanos);

    /** The flow changed or disappeared in the internal cache: send its current state. */
    void flowChanged(FlowKey key);

    /**
     * Queues a bulk send: BULK_BEGIN, every flow {@code source} yields, and BULK_END with their
     * number. Every flow of the source goes out after the BULK_BEGIN, including flows already
     * waiting in the queue.
     */
    void bulk(BulkSource source);

    /** Queues a control message in order with the flow messages (BULK_BEGIN/END, RESYNC_REQUEST). */
    void control(Message message);

    /**
     * An authentic datagram from the peer's address, its flows already checked. Returns why it was
     * dropped (not of the session, replayed, numbers jumping ahead), or null when it was taken.
     */
    DropReason received(Datagram datagram, long nowNanos);

    /** Timers and transmission: heartbeats, liveness, sending what is queued. */
    void tick(long nowNanos);

    /** Sends what is queued, as far as the mode allows, now rather than at the next tick. */
    void pump();

    /** Drops everything queued towards the peer (after a flush of the internal cache). */
    void clearQueues();

    SyncStats stats();
}
