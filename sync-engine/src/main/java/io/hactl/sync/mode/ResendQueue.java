package io.hactl.sync.mode;

/**
 * The messages sent and not yet acknowledged, oldest first: each one's sequence number, item and
 * send time in parallel arrays used as a ring, so that the hundred thousand a bulk keeps in flight
 * cost the collector no object each (a record per message survived the young collections while
 * it waited for its acknowledgement, and was copied and promoted for nothing). An entry removed
 * from the middle (a NACKed range) leaves a hole that is dropped once it reaches the head.
 * Positions {@code 0 .. span()-1} run from the oldest entry to the newest, holes included.
 */
final class ResendQueue {
    private static final int INITIAL = 1024;
    /** An empty queue whose arrays grew beyond this gives them back. */
    private static final int KEEP = 8192;

    private int[] seqs = new int[INITIAL];
    private Object[] items = new Object[INITIAL];
    private long[] ats = new long[INITIAL];
    private int head;
    private int span;
    private int size;

    /** Appends a message sent at {@code at}. */
    void add(int seq, Object item, long at) {
        if (item == null) {
            throw new IllegalArgumentException("a resend entry needs its item");
        }
        if (span == items.length) {
            grow();
        }
        int i = slot(span++);
        seqs[i] = seq;
        items[i] = item;
        ats[i] = at;
        size++;
    }

    /** Entries held, holes not counted. */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Positions from the oldest to the newest entry, holes included. */
    int span() {
        return span;
    }

    /** Whether position {@code p} is a hole (its entry removed). */
    boolean removed(int p) {
        return items[slot(p)] == null;
    }

    int seq(int p) {
        return seqs[slot(p)];
    }

    Object item(int p) {
        return items[slot(p)];
    }

    /** Removes the entry at position {@code p} and returns its item; positions stay as they are until {@link #trim}. */
    Object remove(int p) {
        int i = slot(p);
        Object item = items[i];
        if (item == null) {
            throw new IllegalStateException("position " + p + " was removed already");
        }
        items[i] = null;
        size--;
        return item;
    }

    /** Drops the holes at the head, so that position 0 is the oldest entry held (after removals). */
    void trim() {
        while (span > 0 && items[head] == null) {
            head = (head + 1) % items.length;
            span--;
        }
        if (span == 0) {
            head = 0;
            if (items.length > KEEP) {
                reset();
            }
        }
    }

    /** When the oldest entry held was sent; call after {@link #trim}. -1 when none is held. */
    long oldestAt() {
        return size == 0 ? -1 : ats[head];
    }

    void clear() {
        for (int p = 0; p < span; p++) {
            items[slot(p)] = null;
        }
        head = 0;
        span = 0;
        size = 0;
        if (items.length > KEEP) {
            reset();
        }
    }

    private void reset() {
        seqs = new int[INITIAL];
        items = new Object[INITIAL];
        ats = new long[INITIAL];
    }

    private int slot(int p) {
        int i = head + p;
        return i < items.length ? i : i - items.length;
    }

    /** Twice the room, the entries in order from index 0 and the holes left out. */
    private void grow() {
        int n = items.length * 2;
        int[] s2 = new int[n];
        Object[] i2 = new Object[n];
        long[] a2 = new long[n];
        int k = 0;
        for (int p = 0; p < span; p++) {
            int i = slot(p);
            if (items[i] != null) {
                s2[k] = seqs[i];
                i2[k] = items[i];
                a2[k] = ats[i];
                k++;
            }
        }
        seqs = s2;
        items = i2;
        ats = a2;
        head = 0;
        span = k;
    }

    @Override
    public String toString() {
        return "ResendQueue[" + size + " held, span " + span + " of " + items.length + "]";
    }
}
