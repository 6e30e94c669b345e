package io.hactl.sync.engine;

/**
 * Work on the kernel table the engine still has to do, for status: whether the standby kernel
 * already holds what a MASTER transition would otherwise have to write, and whether the internal
 * cache is about to be reloaded from the kernel.
 *
 * @param standbyBacklog   flows warm standby still has to write into the kernel or delete from it
 *                         (queued or being written); -1 when this node is not a warm standby
 * @param standbyReconcile why a reconcile of the kernel with the external cache is due; null when none is
 * @param resyncPending    a resync of the internal cache from the kernel is scheduled or under way
 *                         (kernel events were lost, or a commit is being caught up)
 */
public record KernelWork(long standbyBacklog, String standbyReconcile, boolean resyncPending) {
    /** Nothing known: before the first snapshot. */
    public static final KernelWork NONE = new KernelWork(-1, null, false);

    /** Whether this node is a warm standby whose kernel holds the external cache as received. */
    public boolean standbyCurrent() {
        return standbyBacklog == 0 && standbyReconcile == null;
    }
}
