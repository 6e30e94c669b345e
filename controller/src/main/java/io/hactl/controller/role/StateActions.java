package io.hactl.controller.role;

/**
 * What the role machine asks of the sync engine on a transition. Each call blocks until done and
 * throws on failure (the machine records it and goes on with the next step).
 */
public interface StateActions {
    /** Load the external cache into the kernel; returns a short summary for the record. */
    String commit() throws Exception;

    /**
     * Make the peer's flows this node's (after the MASTER commit): those the kernel holds as
     * received go into the internal cache, the external cache is emptied, and what the kernel
     * may hold otherwise is left to a resync from it behind the transition; the bulk send that
     * follows tells the peer.
     */
    String adoptPeerFlows() throws Exception;

    String bulkSend() throws Exception;

    String schedulePurge() throws Exception;

    String requestResync() throws Exception;

    /** Tell the peer this node leaves MASTER, so that it loads the flows into its kernel now. */
    String announceHandover() throws Exception;

    /**
     * Called before the steps of a transition from {@code from} to {@code to}, or of a preload
     * ({@code from == to}), caused by {@code source}: what the steps decide may depend on it (whose
     * the marked kernel flows are, why a purge is scheduled).
     */
    default void beginning(Role from, Role to, String source) throws Exception {
    }
}
