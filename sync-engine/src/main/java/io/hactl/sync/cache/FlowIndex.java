package io.hactl.sync.cache;

import java.util.Arrays;

/**
 * The index of a {@link FlowStore}: open addressing with linear probing from the key's hash to the
 * handle of its flow in the {@link FlowSlab}, at most 3/4 full, with backward-shift deletion so
 * there are no tombstones. Its length is a power of two. Keys are compared against the key
 * prefix of the stored encodings, so the index keeps nothing per flow but its slot.
 *
 * <p>A slot holds handle + 1 (0 = empty) in its low bits, as many as the store's limit needs,
 * and the key hash's own bits above them: a probe passes over another key's slot on the slot
 * alone, without reaching into the slab for that key's hash (a dependent cache miss each),
 * and goes to the stored encoding only when those bits match.
 *
 * <p>Not thread-safe: owned by its store.
 */
final class FlowIndex {
    private static final int SELF_BYTES = 32; // this object: header, two references, two ints

    private final FlowSlab slab;
    /** The bits of a slot that hold handle + 1; the others hold the same bits of the key hash. */
    private final int handleMask;

    private int[] index;
    private int indexMask;
    private int indexThreshold;

    /** An index sized for {@code initialCapacity} flows of {@code slab}, whose handles stay below {@code limit}. */
    FlowIndex(FlowSlab slab, int initialCapacity, int limit) {
        this.slab = slab;
        this.handleMask = -1 >>> Integer.numberOfLeadingZeros(limit);
        int slots = Integer.highestOneBit(Math.max(4, initialCapacity + initialCapacity / 3) - 1) << 1;
        setIndex(new int[slots]);
    }

    private void setIndex(int[] newIndex) {
        index = newIndex;
        indexMask = newIndex.length - 1;
        indexThreshold = newIndex.length / 4 * 3;
    }

    /** The index slot holding the key {@code key[0..klen)}, or {@code ~slot} of the empty slot where it would go. */
    int find(byte[] key, int klen, int h) {
        int i = h & indexMask;
        while (true) {
            int v = index[i];
            if (v == 0) {
                return ~i;
            }
            // family and protocol are in the key, so equal prefixes mean equal key lengths
            if (((v ^ h) & ~handleMask) == 0 && slab.keyEquals((v & handleMask) - 1, key, klen)) {
                return i;
            }
            i = (i + 1) & indexMask;
        }
    }

    /** The handle in an occupied slot. */
    int handleAt(int slot) {
        return (index[slot] & handleMask) - 1;
    }

    /** Whether holding {@code flows} flows would fill the index past 3/4: {@link #grow} first. */
    boolean needsGrowthFor(int flows) {
        return flows > indexThreshold;
    }

    /** Puts {@code handle}, whose key hash is {@code h}, into the empty slot {@link #find} pointed to. */
    void insert(int emptySlot, int handle, int h) {
        index[emptySlot] = (h & ~handleMask) | (handle + 1);
    }

    /** The slot of a live handle, found by probing from its hash. */
    int slotOf(int handle) {
        int i = slab.hash(handle) & indexMask;
        while ((index[i] & handleMask) != handle + 1) {
            i = (i + 1) & indexMask;
        }
        return i;
    }

    /**
     * Empties index slot {@code i}, then moves later entries of the same probe run back so that
     * every entry stays reachable from its home slot (no tombstones).
     */
    void unlink(int i) {
        index[i] = 0;
        int j = i;
        while (true) {
            j = (j + 1) & indexMask;
            int v = index[j];
            if (v == 0) {
                return;
            }
            int home = slab.hash((v & handleMask) - 1) & indexMask;
            // the entry at j may stay only if its home lies cyclically in (i, j]
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                index[i] = v;
                index[j] = 0;
                i = j;
            }
        }
    }

    /** Doubles the slots and places every entry anew; slots found before are stale after it. */
    void grow() {
        resize(index.length * 2);
    }

    /**
     * Grows at once to slots enough for {@code flows} flows (no step by step doubling, each
     * placing every entry anew); slots found before are stale after it.
     */
    void growFor(int flows) {
        int slots = index.length;
        while (flows > slots / 4 * 3) {
            slots *= 2;
        }
        if (slots != index.length) {
            resize(slots);
        }
    }

    private void resize(int slots) {
        int[] old = index;
        setIndex(new int[slots]);
        for (int v : old) {
            if (v != 0) {
                int i = slab.hash((v & handleMask) - 1) & indexMask;
                while (index[i] != 0) {
                    i = (i + 1) & indexMask;
                }
                index[i] = v;
            }
        }
    }

    /** Empties every slot, keeping the capacity. */
    void clear() {
        Arrays.fill(index, 0);
    }

    /** How many slots the index has. */
    int slots() {
        return index.length;
    }

    /** Heap taken by this object and its slots. */
    long heapBytes() {
        return SELF_BYTES + FlowSlab.arrayBytes(index.length, 4);
    }
}
