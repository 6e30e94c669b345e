package io.hactl.sync.engine;

/**
 * What the engine may assume about this node's role when it decides whose a kernel flow carrying
 * the {@link OwnerMark} is, and whether a purge may delete anything. The controller sets it on
 * every role change; at start it comes from the role persisted before the restart.
 */
public enum Standing {
    /** MASTER: every flow in the kernel is its traffic, the marked ones too (they are not rewritten). */
    ACTIVE(true, false),
    /** BACKUP or FAULT: marked flows are the peer's; a purge removes those the peer no longer has. */
    STANDBY(false, true),
    /** Role not known yet (INIT): marked flows are kept out of the caches, and nothing is purged. */
    UNKNOWN(false, false),
    /**
     * Role not known yet, but MASTER before the daemon restarted (keepalived most likely still is):
     * the marked flows are its traffic as on {@link #ACTIVE}, and nothing is purged.
     */
    UNKNOWN_WAS_ACTIVE(true, false);

    private final boolean claimsMarked;
    private final boolean mayPurge;

    Standing(boolean claimsMarked, boolean mayPurge) {
        this.claimsMarked = claimsMarked;
        this.mayPurge = mayPurge;
    }

    /** Whether flows carrying the owner mark are this node's own (replicated to the peer). */
    public boolean claimsMarked() {
        return claimsMarked;
    }

    /** Whether a purge may delete from the kernel: only a node that is certainly not MASTER. */
    public boolean mayPurge() {
        return mayPurge;
    }
}
