package io.hactl.sync.mode;

/** What a sync mode delivers from the peer, on the engine's thread. */
public interface SyncListener {
    /** A flow's state, which arrived at {@code arrivedNanos} (the engine's clock: its datagram's arrival). */
    void onFlowUpdate(byte[] flow, long arrivedNanos);

    void onFlowDelete(byte[] key);

    /**
     * The peer's bulk begins; its datagram arrived at {@code arrivedNanos}, as the flows after it
     * in the same datagram did (so compare their arrival times with it, not with a later clock read).
     */
    void onBulkBegin(long arrivedNanos);

    void onBulkEnd(long flows);

    void onResyncRequest();

    /** The peer leaves MASTER and asks this node to load its flows into the kernel now. */
    default void onPeerHandover() {
    }

    /** The peer restarted (new epoch): what it knew of us is gone. */
    void onPeerRestart();

    /**
     * The peer's cache summary arrived at {@code arrivedNanos}: its internal cache held
     * {@code flows} flows while {@code pending} of its changes were unacknowledged or queued
     * ({@link io.hactl.sync.wire.Message.CacheSummary#PENDING_UNKNOWN} while it sends a bulk);
     * {@code ahead} messages sent after the summary were delivered before it (reordering).
     * Each of those changes the external cache by at most one flow.
     */
    default void onPeerSummary(long flows, long pending, long ahead, long arrivedNanos) {
    }

    /** Liveness changed: heard within the dead interval, or silent beyond it. */
    void onPeerAlive(boolean alive);

    /**
     * A BULK_BEGIN or BULK_END this side sent was lost. Markers are not resent (a resent marker
     * would arrive out of place among the flows): the bulk send has to start over.
     */
    default void onOwnBulkLost() {
    }
}
