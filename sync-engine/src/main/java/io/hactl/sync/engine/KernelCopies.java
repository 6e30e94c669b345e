package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import java.util.Arrays;

/**
 * Which version of each external-cache flow the kernel holds as this node wrote it, for the
 * commit of the changes only: per external-cache handle, the update time of the version written
 * and when the timeout it was written with runs out. Two primitive arrays indexed by handle
 * (16 bytes a flow, no object per flow), grown as handles are; loop-owned.
 *
 * <p>A handle names a flow only while it lives in the cache; a removed flow's handle may be
 * reused by another. The update time tells them apart: the cache stamps each arrival with the
 * time of its datagram, and the reused handle's flow arrived after the removal.
 */
final class KernelCopies {
    private static final long NONE = Long.MIN_VALUE;

    private long[] updated = new long[0];
    private long[] expires = new long[0];
    /** Whether anything was recorded since the last {@link #clear}. */
    private boolean any;

    /** The kernel now holds the version of flow {@code h} updated at {@code updatedAt}, until {@code expiresAt}. */
    void written(int h, long updatedAt, long expiresAt) {
        if (h >= updated.length) {
            int n = Math.max(h + 1, Math.max(1024, updated.length + updated.length / 2));
            int old = updated.length;
            updated = Arrays.copyOf(updated, n);
            expires = Arrays.copyOf(expires, n);
            Arrays.fill(updated, old, n, NONE);
        }
        updated[h] = updatedAt;
        expires[h] = expiresAt;
        any = true;
    }

    /** Whether no copy was recorded since the last {@link #clear}. */
    boolean isEmpty() {
        return !any;
    }

    /**
     * Whether the kernel holds the version of flow {@code h} updated at {@code updatedAt}, and
     * will still hold it {@code margin} nanoseconds after {@code now} (its timeout runs on in
     * the kernel while no update arrives).
     */
    boolean current(int h, long updatedAt, long now, long margin) {
        return h < updated.length && updated[h] == updatedAt && updatedAt != NONE && expires[h] - now > margin;
    }

    /**
     * The handles of {@code store}'s flows, masters first, that the kernel does not hold
     * {@link #current} at {@code now}: every flow's with {@code all}. Handles only: the flows are
     * copied out later, a chunk at a time, so that writing a whole table never holds a second copy.
     */
    int[] stale(FlowStore store, long now, long margin, boolean all) {
        int[][] handles = {new int[1024]}; // a commit of the changes mostly picks few
        int[] n = {0};
        store.forEachMastersFirst((h, u) -> {
            if (all || !current(h, u, now, margin)) {
                if (n[0] == handles[0].length) {
                    handles[0] = Arrays.copyOf(handles[0], n[0] * 2);
                }
                handles[0][n[0]++] = h;
            }
        });
        return Arrays.copyOf(handles[0], n[0]);
    }

    /**
     * Flow {@code h}, current as updated at {@code before}, arrived again unchanged at
     * {@code after}: the kernel holds it as it is (its timeout runs on as written). Returns
     * whether it was current, and so is now.
     */
    boolean carry(int h, long before, long after, long now, long margin) {
        if (!current(h, before, now, margin)) {
            return false;
        }
        updated[h] = after;
        return true;
    }

    /** The kernel no longer holds flow {@code h} as written. */
    void forget(int h) {
        if (h < updated.length) {
            updated[h] = NONE;
        }
    }

    /** Nothing is known to be in the kernel any more. */
    void clear() {
        Arrays.fill(updated, NONE);
        any = false;
    }

    /** Heap held, in bytes. */
    long heapBytes() {
        return 16L * updated.length;
    }
}
