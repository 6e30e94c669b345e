package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.engine.BatchWriter.Batch;
import io.hactl.sync.engine.BatchWriter.Pending;
import java.util.Arrays;
import java.util.BitSet;

/**
 * Warm standby's queue of the flows received from the peer and not yet handed to the kernel:
 * their external-cache handles and update times in arrival order, no copies. A hand-over takes
 * the oldest entries and copies the flows out as the cache holds them then. Loop-owned.
 */
final class InjectQueue {
    private int[] handles = new int[64];
    private long[] updated = new long[64];
    /** The oldest entry; entries before it were taken. */
    private int head;
    private int size;
    /** Marks the handles a take already chose (the latest entry of each), cleared after it. */
    private final BitSet taken = new BitSet();

    /** Flow {@code h} of the external cache, updated at {@code u}, to write. */
    void add(int h, long u) {
        if (size == handles.length) {
            if (head > 0) { // room at the front: move the entries down
                System.arraycopy(handles, head, handles, 0, size - head);
                System.arraycopy(updated, head, updated, 0, size - head);
                size -= head;
                head = 0;
            }
            if (size == handles.length) {
                handles = Arrays.copyOf(handles, size * 2);
                updated = Arrays.copyOf(updated, size * 2);
            }
        }
        handles[size] = h;
        updated[size++] = u;
    }

    /** Entries queued (a flow updated twice counts twice). */
    int count() {
        return size - head;
    }

    /**
     * The oldest {@code max} entries' flows that {@code store} still holds in the version
     * queued, as it holds them now and in the order they arrived: each flow once, at its latest
     * entry among them. Takes them off the queue; an entry whose flow was updated again later is
     * left to that later entry.
     */
    Batch takeLatest(FlowStore store, int max, long now) {
        int from = head;
        int to = Math.min(size, from + max);
        boolean[] latest = new boolean[to - from];
        for (int i = to - 1; i >= from; i--) { // the last entry of each handle is its latest
            int h = handles[i];
            if (!taken.get(h)) {
                taken.set(h);
                latest[i - from] = true;
            }
        }
        Pending batch = new Pending();
        for (int i = from; i < to; i++) {
            int h = handles[i];
            if (latest[i - from]) {
                taken.clear(h);
                if (store.isLive(h) && store.updatedAt(h) == updated[i]) {
                    batch.add(store, h, updated[i]);
                }
            }
        }
        head = to;
        if (head == size) {
            clear();
        }
        return batch.take(now);
    }

    void clear() {
        head = 0;
        size = 0;
        if (handles.length > 4096) { // a burst's queue is not kept for the quiet that follows
            handles = new int[64];
            updated = new long[64];
        }
    }
}
