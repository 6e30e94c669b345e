package io.hactl.sync.cache;

import java.util.Arrays;

/**
 * The storage of a {@link FlowStore}: each flow's compact encoding with its metadata in parallel
 * primitive arrays indexed by an int <em>handle</em> (the time of the last put and the hash of its
 * key), a free list of removed handles, growth by half up to the store's limit, and the heap the
 * encodings take.
 *
 * <p>A handle stays valid from its allocation until it is freed; a freed handle is the first one
 * handed out again (the free list is threaded through {@code hashes}, so it costs no array of its
 * own). No object is kept per flow besides the encoding.
 *
 * <p>Not thread-safe: owned by its store.
 */
final class FlowSlab {
    // JVM layout with compressed oops (any heap under 32 GiB): 16-byte array header, 4-byte references
    private static final int ARRAY_HEADER_BYTES = 16;
    private static final int REFERENCE_BYTES = 4;
    private static final int SELF_BYTES = 48; // this object: header, three array references, three ints, a long

    private final int limit;

    private byte[][] data;     // the CompactFlow encoding; null while the handle is free
    private long[] updatedAt;  // caller's monotonic nanos of the last put
    private int[] hashes;      // live handle: hash of its key; free handle: next free handle or -1
    private int used;          // handles [0, used) have been handed out at least once
    private int freeHead;      // most recently freed handle, -1 when none
    private long entryBytes;   // heap taken by the byte[] encodings

    /** Room for {@code initialCapacity} flows at first, growing up to {@code limit}. */
    FlowSlab(int initialCapacity, int limit) {
        this.limit = limit;
        data = new byte[initialCapacity][];
        updatedAt = new long[initialCapacity];
        hashes = new int[initialCapacity];
        used = 0;
        freeHead = -1;
        entryBytes = 0;
    }

    /**
     * Stores a new flow and returns its handle: a freed one if any, else the next unused one,
     * growing the arrays when they are full. The caller makes sure fewer than {@code limit}
     * flows are live.
     */
    int add(byte[] enc, int hash, long nowNanos) {
        int e = allocateHandle();
        data[e] = enc;
        hashes[e] = hash;
        updatedAt[e] = nowNanos;
        entryBytes += arrayBytes(enc.length, 1);
        return e;
    }

    /** Replaces the encoding of a live handle (same key, so the same hash); returns the one replaced. */
    byte[] replace(int handle, byte[] enc) {
        byte[] old = data[handle];
        entryBytes += arrayBytes(enc.length, 1) - arrayBytes(old.length, 1);
        data[handle] = enc;
        return old;
    }

    /** Frees a live handle: it goes to the head of the free list. */
    void free(int handle) {
        entryBytes -= arrayBytes(data[handle].length, 1);
        data[handle] = null;
        updatedAt[handle] = 0;
        hashes[handle] = freeHead;
        freeHead = handle;
    }

    /** Frees every handle, keeping the arrays' capacity. */
    void clear() {
        Arrays.fill(data, 0, used, null);
        used = 0;
        freeHead = -1;
        entryBytes = 0;
    }

    /** Whether {@code handle} currently names a flow. */
    boolean isLive(int handle) {
        return handle >= 0 && handle < used && data[handle] != null;
    }

    /** The encoding of a handle; null when it is free. */
    byte[] encoding(int handle) {
        return data[handle];
    }

    /** The key hash of a live handle. */
    int hash(int handle) {
        return hashes[handle];
    }

    long updatedAt(int handle) {
        return updatedAt[handle];
    }

    void setUpdatedAt(int handle, long nowNanos) {
        updatedAt[handle] = nowNanos;
    }

    /** The lowest live handle at or above {@code from}, or {@link FlowStore#NO_HANDLE}. */
    int nextHandle(int from) {
        for (int h = Math.max(from, 0); h < used; h++) {
            if (data[h] != null) {
                return h;
            }
        }
        return FlowStore.NO_HANDLE;
    }

    /** The handles' capacity: how many flows fit before the arrays grow. */
    int capacity() {
        return data.length;
    }

    /** Heap taken by this object, the per-handle arrays (with their unused capacity) and the encodings. */
    long heapBytes() {
        return SELF_BYTES + arrayBytes(data.length, REFERENCE_BYTES) + arrayBytes(updatedAt.length, 8)
                + arrayBytes(hashes.length, 4) + entryBytes;
    }

    private int allocateHandle() {
        if (freeHead >= 0) {
            int e = freeHead;
            freeHead = hashes[e];
            return e;
        }
        if (used == data.length) {
            // size < limit here and no handle is free, so used < limit: there is room to grow
            resize((int) Math.min(limit, Math.max(16L, data.length + (long) data.length / 2)));
        }
        return used++;
    }

    /**
     * Grows the per-handle arrays at once to room for {@code flows} flows (at most the limit),
     * ahead of a known number of adds: one copy of each array instead of one per growth by half,
     * each of which the young generation would otherwise copy again while the adds go on.
     */
    void growFor(int flows) {
        int capacity = Math.min(limit, flows);
        if (capacity > data.length) {
            resize(capacity);
        }
    }

    private void resize(int capacity) {
        data = Arrays.copyOf(data, capacity);
        updatedAt = Arrays.copyOf(updatedAt, capacity);
        hashes = Arrays.copyOf(hashes, capacity);
    }

    /** Heap bytes of an array of {@code length} elements of {@code elementBytes} each, by the JVM's layout. */
    static long arrayBytes(int length, int elementBytes) {
        return (ARRAY_HEADER_BYTES + (long) length * elementBytes + 7) & ~7L;
    }
}
