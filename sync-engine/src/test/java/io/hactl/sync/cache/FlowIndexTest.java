package io.hactl.sync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The index on its own, with chosen hashes so that probe runs and their wrap-around are laid out
 * on purpose. A key here is a one-byte encoding whose byte is the key.
 */
class FlowIndexTest {
    private final FlowSlab slab = new FlowSlab(16, 1000);
    private final FlowIndex index = new FlowIndex(slab, 6, 1000); // 8 slots, at most 6 entries

    private int put(int key, int hash) {
        byte[] enc = {(byte) key};
        int slot = index.find(enc, 1, hash);
        assertThat(slot).as("key %d is new", key).isNegative();
        int handle = slab.add(enc, hash, 0);
        index.insert(~slot, handle, hash);
        return handle;
    }

    private int slotOfKey(int key, int hash) {
        return index.find(new byte[] {(byte) key}, 1, hash);
    }

    @Test
    void findsEachKeyInItsProbeRunAndTellsWhereAMissingOneWouldGo() {
        int a = put(1, 3);
        int b = put(2, 3); // same home: goes to the next slot
        int c = put(3, 11); // home 3 too (11 & 7), a different hash
        assertThat(index.handleAt(slotOfKey(1, 3))).isEqualTo(a);
        assertThat(slotOfKey(2, 3)).isEqualTo(4);
        assertThat(index.handleAt(slotOfKey(2, 3))).isEqualTo(b);
        assertThat(slotOfKey(3, 11)).isEqualTo(5);
        assertThat(index.handleAt(5)).isEqualTo(c);
        assertThat(slotOfKey(4, 3)).as("missing: the first empty slot of the run").isEqualTo(~6);
        assertThat(index.slotOf(c)).isEqualTo(5);
    }

    @Test
    void removalShiftsTheRestOfTheRunBackSoEveryKeyStaysReachable() {
        put(1, 6);
        put(2, 6); // slot 7
        int c = put(3, 6); // wraps to slot 0
        int d = put(4, 1); // home 1, free
        index.unlink(slotOfKey(1, 6));
        assertThat(slotOfKey(2, 6)).isEqualTo(6);
        assertThat(slotOfKey(3, 6)).as("moved back across the wrap").isEqualTo(7);
        assertThat(index.slotOf(c)).isEqualTo(7);
        assertThat(slotOfKey(4, 1)).as("not part of the run: stays home").isEqualTo(1);
        assertThat(index.handleAt(1)).isEqualTo(d);
        assertThat(slotOfKey(1, 6)).isNegative();
    }

    @Test
    void anEntryAlreadyAtItsHomeIsNotMovedBackIntoAnotherRun() {
        put(1, 2);
        put(2, 3); // its own home, right after
        index.unlink(slotOfKey(1, 2));
        assertThat(slotOfKey(2, 3)).isEqualTo(3);
        assertThat(slotOfKey(1, 2)).isEqualTo(~2);
    }

    @Test
    void growthDoublesTheSlotsAndKeepsEveryKey() {
        assertThat(index.slots()).isEqualTo(8);
        for (int k = 0; k < 6; k++) {
            put(k, k * 5);
        }
        assertThat(index.needsGrowthFor(6)).isFalse();
        assertThat(index.needsGrowthFor(7)).isTrue();
        index.grow();
        assertThat(index.slots()).isEqualTo(16);
        assertThat(index.needsGrowthFor(12)).isFalse();
        for (int k = 0; k < 6; k++) {
            assertThat(index.handleAt(slotOfKey(k, k * 5))).isEqualTo(k);
        }
    }

    @Test
    void growingForAKnownCountTakesOneStepToSlotsEnoughAndKeepsEveryKey() {
        int[] handles = new int[6];
        for (int k = 0; k < 6; k++) {
            handles[k] = put(k + 1, k * 5);
        }
        index.growFor(6);
        assertThat(index.slots()).as("6 fit in 8 already").isEqualTo(8);
        index.growFor(25);
        assertThat(index.slots()).as("25 need 64 slots (at most 3/4 full)").isEqualTo(64);
        assertThat(index.needsGrowthFor(48)).isFalse();
        assertThat(index.needsGrowthFor(49)).isTrue();
        for (int k = 0; k < 6; k++) {
            assertThat(index.handleAt(slotOfKey(k + 1, k * 5))).isEqualTo(handles[k]);
        }
    }

    @Test
    void aKeyIsFoundOnlyByItsFullPrefixNotByAnEqualHash() {
        put(1, 5);
        assertThat(slotOfKey(2, 5)).isNegative();
        assertThat(index.find(new byte[] {1, 0}, 2, 5)).as("longer than the stored encoding").isNegative();
    }

    @Test
    void clearEmptiesEverySlotAndKeepsTheSize() {
        put(1, 1);
        index.grow();
        index.clear();
        assertThat(index.slots()).isEqualTo(16);
        assertThat(slotOfKey(1, 1)).isEqualTo(~1);
    }

    @Test
    void theHashBitsKeptInASlotTellKeysApartAndSurviveGrowthAndRemoval() {
        // the limit 1000 needs 10 bits for handle + 1: the 22 bits above are the hash's own
        int high = 1 << 20 << 10; // the same home slot, another tag
        int a = put(1, 3);
        int b = put(2, 3 | high);
        int c = put(3, 3 | Integer.MIN_VALUE); // a negative hash
        assertThat(index.handleAt(slotOfKey(1, 3))).isEqualTo(a);
        assertThat(index.handleAt(slotOfKey(2, 3 | high))).isEqualTo(b);
        assertThat(index.handleAt(slotOfKey(3, 3 | Integer.MIN_VALUE))).isEqualTo(c);
        assertThat(slotOfKey(1, 3 | high)).as("the right key under another hash's bits").isNegative();
        index.grow();
        assertThat(index.slotOf(c)).isEqualTo(slotOfKey(3, 3 | Integer.MIN_VALUE));
        index.unlink(slotOfKey(1, 3));
        assertThat(index.handleAt(slotOfKey(2, 3 | high))).isEqualTo(b);
        assertThat(index.handleAt(slotOfKey(3, 3 | Integer.MIN_VALUE))).isEqualTo(c);
    }

    @Test
    void theLargestHandleTheLimitAllowsFitsBesideTheHashBits() {
        FlowSlab big = new FlowSlab(4, 4);
        FlowIndex idx = new FlowIndex(big, 4, 4); // handles 0..3: handle + 1 needs 3 bits
        int last = -1;
        for (int k = 0; k < 4; k++) {
            byte[] enc = {(byte) k};
            int h = -1 - k; // every hash bit set but a few low ones
            int slot = idx.find(enc, 1, h);
            last = big.add(enc, h, 0);
            idx.insert(~slot, last, h);
        }
        assertThat(last).isEqualTo(3);
        assertThat(idx.handleAt(idx.find(new byte[] {3}, 1, -4))).isEqualTo(3);
        assertThat(idx.slotOf(3)).isEqualTo(idx.find(new byte[] {3}, 1, -4));
    }
}
