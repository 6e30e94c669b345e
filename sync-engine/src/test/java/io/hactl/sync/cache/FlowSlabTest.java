package io.hactl.sync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlowSlabTest {

    private static byte[] enc(int length) {
        return new byte[length];
    }

    @Test
    void handsOutHandlesInOrderAndKeepsEachFlowsMetadata() {
        FlowSlab slab = new FlowSlab(4, 100);
        byte[] a = enc(36);
        byte[] b = enc(60);
        assertThat(slab.add(a, 11, 100)).isEqualTo(0);
        assertThat(slab.add(b, 22, 200)).isEqualTo(1);
        assertThat(slab.encoding(0)).isSameAs(a);
        assertThat(slab.hash(1)).isEqualTo(22);
        assertThat(slab.updatedAt(1)).isEqualTo(200);
        slab.setUpdatedAt(1, 300);
        assertThat(slab.updatedAt(1)).isEqualTo(300);
        assertThat(slab.isLive(0)).isTrue();
        assertThat(slab.isLive(2)).isFalse();
        assertThat(slab.isLive(-1)).isFalse();
    }

    @Test
    void freedHandlesAreReusedMostRecentlyFreedFirst() {
        FlowSlab slab = new FlowSlab(8, 100);
        for (int i = 0; i < 5; i++) {
            slab.add(enc(36), i, i);
        }
        slab.free(1);
        slab.free(3);
        assertThat(slab.isLive(1)).isFalse();
        assertThat(slab.nextHandle(1)).isEqualTo(2);
        assertThat(slab.add(enc(36), 7, 7)).isEqualTo(3);
        assertThat(slab.add(enc(36), 8, 8)).isEqualTo(1);
        assertThat(slab.hash(1)).as("the free-list link is overwritten by the key hash").isEqualTo(8);
        assertThat(slab.add(enc(36), 9, 9)).as("free list empty: the next unused handle").isEqualTo(5);
    }

    @Test
    void growsByHalfAndNeverPastTheLimitKeepingHandles() {
        FlowSlab slab = new FlowSlab(16, 30);
        byte[][] held = new byte[30][];
        for (int i = 0; i < 30; i++) {
            held[i] = enc(36);
            assertThat(slab.add(held[i], i, i)).isEqualTo(i);
            if (i == 16) {
                assertThat(slab.capacity()).isEqualTo(24);
            }
        }
        assertThat(slab.capacity()).as("capped at the limit").isEqualTo(30);
        for (int i = 0; i < 30; i++) {
            assertThat(slab.encoding(i)).isSameAs(held[i]);
            assertThat(slab.hash(i)).isEqualTo(i);
            assertThat(slab.updatedAt(i)).isEqualTo(i);
        }
    }

    @Test
    void heapBytesFollowTheEncodingsAddedReplacedAndFreed() {
        FlowSlab slab = new FlowSlab(4, 100);
        long empty = slab.heapBytes();
        int h = slab.add(enc(36), 1, 1);
        assertThat(slab.heapBytes() - empty).as("16-byte header + 36, rounded to 8").isEqualTo(56);
        byte[] old = slab.encoding(h);
        assertThat(slab.replace(h, enc(60))).isSameAs(old);
        assertThat(slab.heapBytes() - empty).isEqualTo(80);
        slab.free(h);
        assertThat(slab.heapBytes()).isEqualTo(empty);
    }

    @Test
    void clearFreesEveryHandleAndKeepsTheCapacity() {
        FlowSlab slab = new FlowSlab(16, 100);
        for (int i = 0; i < 20; i++) {
            slab.add(enc(36), i, i);
        }
        slab.free(4);
        int capacity = slab.capacity();
        slab.clear();
        assertThat(slab.nextHandle(0)).isEqualTo(FlowStore.NO_HANDLE);
        assertThat(slab.capacity()).isEqualTo(capacity);
        assertThat(slab.add(enc(36), 1, 1)).as("numbering starts again, the free list is gone").isEqualTo(0);
        assertThat(slab.add(enc(36), 2, 2)).isEqualTo(1);
    }

    @Test
    void arrayBytesFollowTheJvmLayout() {
        assertThat(FlowSlab.arrayBytes(0, 4)).isEqualTo(16);
        assertThat(FlowSlab.arrayBytes(1, 1)).isEqualTo(24);
        assertThat(FlowSlab.arrayBytes(36, 1)).isEqualTo(56);
        assertThat(FlowSlab.arrayBytes(3, 8)).isEqualTo(40);
    }

    @Test
    void growForSizesTheArraysOnceCappedAtTheLimitAndNeverShrinks() {
        FlowSlab slab = new FlowSlab(4, 1000);
        int a = slab.add(enc(3), 7, 1);
        slab.growFor(600);
        assertThat(slab.capacity()).isEqualTo(600);
        slab.growFor(5000);
        assertThat(slab.capacity()).as("capped at the limit").isEqualTo(1000);
        slab.growFor(10);
        assertThat(slab.capacity()).isEqualTo(1000);
        assertThat(slab.hash(a)).isEqualTo(7);
        assertThat(slab.updatedAt(a)).isEqualTo(1);
        assertThat(slab.encoding(a)).hasSize(3);
    }
}
