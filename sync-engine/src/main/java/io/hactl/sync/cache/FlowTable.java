package io.hactl.sync.cache;

/**
 * The flows of a {@link FlowStore}: the slab of encodings, the index over it with its hash key,
 * and their count, with what changes them together (adding a flow, removing one by its index
 * slot, emptying, making room) and the walks over them. A store's flows move to another store
 * whole as one of these ({@link FlowStore#swapFlows}); the store keeps its name, limit, counters
 * and the outcome of its latest put.
 *
 * <p>Not thread-safe: owned by its store.
 */
final class FlowTable {
    final KeyHash keyHash;
    final FlowSlab slab;
    final FlowIndex index;
    int size;

    /** Room for {@code initialCapacity} flows at first, growing up to {@code limit}; SipHash key {@code k0, k1}. */
    FlowTable(int initialCapacity, int limit, long k0, long k1) {
        keyHash = new KeyHash(k0, k1);
        slab = new FlowSlab(initialCapacity, limit);
        index = new FlowIndex(slab, initialCapacity, limit);
    }

    /** The index slot holding the key {@code key[0..klen)}, or {@code ~slot} of the empty slot where it would go. */
    int find(byte[] key, int klen) {
        return index.find(key, klen, keyHash.hash(key, klen));
    }

    /**
     * Adds a flow whose key {@code enc[0..klen)}, of hash {@code h}, {@link FlowIndex#find} put at
     * empty slot {@code ~slot}; returns its handle. The caller keeps within the limit.
     */
    int add(byte[] enc, int klen, int h, int slot, long nowNanos) {
        if (index.needsGrowthFor(size + 1)) {
            index.grow();
            slot = index.find(enc, klen, h);
        }
        int e = slab.add(enc, h, nowNanos);
        index.insert(~slot, e, h);
        size++;
        return e;
    }

    /** Removes the flow at an occupied index slot. */
    void removeSlot(int slot) {
        int e = index.handleAt(slot);
        index.unlink(slot);
        slab.free(e);
        size--;
    }

    /** Drops every flow, keeping the arrays' capacity. */
    void clear() {
        slab.clear();
        index.clear();
        size = 0;
    }

    /** Room for {@code flows} flows in the index and the per-flow arrays at once. */
    void reserve(int flows) {
        slab.growFor(flows);
        index.growFor(flows);
    }

    /** Sets the time of every flow to {@code nowNanos}. */
    void stampAll(long nowNanos) {
        for (int h = slab.nextHandle(0); h != FlowStore.NO_HANDLE; h = slab.nextHandle(h + 1)) {
            slab.setUpdatedAt(h, nowNanos);
        }
    }

    /** The flows without a master first, then the related ones, each with its time. */
    void forEachMastersFirst(HandleVisitor visitor) {
        for (int pass = 0; pass < 2; pass++) {
            boolean related = pass == 1;
            for (int h = slab.nextHandle(0); h != FlowStore.NO_HANDLE; h = slab.nextHandle(h + 1)) {
                if (slab.hasMaster(h) == related) {
                    visitor.visit(h, slab.updatedAt(h));
                }
            }
        }
    }

    /** Heap taken by the slab and the index. */
    long heapBytes() {
        return slab.heapBytes() + index.heapBytes();
    }
}
