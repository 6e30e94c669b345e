package io.hactl.sync.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowSlabTest {

    /** An encoding of {@code length} bytes, each byte telling {@code tag} and its position apart. */
    private static byte[] enc(int length, int tag) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (tag * 31 + i);
        }
        return b;
    }

    private static byte[] enc(int length) {
        return enc(length, 1);
    }

    @Test
    void handsOutHandlesInOrderAndKeepsEachFlowsMetadata() {
        FlowSlab slab = new FlowSlab(4, 100);
        byte[] a = enc(36, 1);
        byte[] b = enc(60, 2);
        assertThat(slab.add(a, 11, 100)).isEqualTo(0);
        assertThat(slab.add(b, 22, 200)).isEqualTo(1);
        assertThat(slab.encoding(0)).isEqualTo(a).isNotSameAs(a);
        assertThat(slab.encoding(1)).isEqualTo(b);
        assertThat(slab.hash(1)).isEqualTo(22);
        assertThat(slab.updatedAt(1)).isEqualTo(200);
        slab.setUpdatedAt(1, 300);
        assertThat(slab.updatedAt(1)).isEqualTo(300);
        assertThat(slab.isLive(0)).isTrue();
        assertThat(slab.isLive(2)).isFalse();
        assertThat(slab.isLive(-1)).isFalse();
    }

    @Test
    void keepsACopySoTheCallersArrayMayChangeAfterwards() {
        FlowSlab slab = new FlowSlab(4, 100);
        byte[] a = enc(36, 1);
        int h = slab.add(a, 1, 1);
        a[0] = 99;
        assertThat(slab.encoding(h)).isEqualTo(enc(36, 1));
        byte[] copy = slab.encoding(h);
        copy[1] = 99;
        assertThat(slab.encoding(h)).isEqualTo(enc(36, 1));
    }

    @Test
    void comparesKeysAndEncodingsWithoutCopying() {
        FlowSlab slab = new FlowSlab(4, 100);
        int h = slab.add(enc(36, 1), 1, 1);
        assertThat(slab.encodingEquals(h, enc(36, 1))).isTrue();
        assertThat(slab.encodingEquals(h, enc(37, 1))).as("longer").isFalse();
        assertThat(slab.encodingEquals(h, enc(36, 2))).isFalse();
        byte[] key = Arrays.copyOf(enc(36, 1), 64);
        assertThat(slab.keyEquals(h, key, 13)).isTrue();
        assertThat(slab.keyEquals(h, key, 36)).isTrue();
        assertThat(slab.keyEquals(h, key, 37)).as("a key longer than the encoding").isFalse();
        key[5] = 0;
        assertThat(slab.keyEquals(h, key, 13)).isFalse();
        assertThat(slab.prefix(h, 5)).isEqualTo(Arrays.copyOf(enc(36, 1), 5));
        byte[] dst = new byte[FlowSlab.MAX_ENCODING_BYTES];
        assertThat(slab.copyTo(h, dst, 0)).isEqualTo(36);
        assertThat(Arrays.copyOf(dst, 36)).isEqualTo(enc(36, 1));
    }

    @Test
    void replacingKeepsTheHandleWhateverTheNewLength() {
        FlowSlab slab = new FlowSlab(4, 100);
        int h = slab.add(enc(36, 1), 7, 1);
        int other = slab.add(enc(36, 2), 8, 1);
        slab.replace(h, enc(40, 3)); // the same five units: in place
        assertThat(slab.encoding(h)).isEqualTo(enc(40, 3));
        slab.replace(h, enc(90, 4)); // a larger record
        assertThat(slab.encoding(h)).isEqualTo(enc(90, 4));
        slab.replace(h, enc(20, 5));
        assertThat(slab.encoding(h)).isEqualTo(enc(20, 5));
        assertThat(slab.encoding(other)).isEqualTo(enc(36, 2));
        assertThat(slab.hash(h)).isEqualTo(7);
    }

    @Test
    void aFreedRecordIsReusedForAnEncodingOfItsSizeWithoutANewPage() {
        FlowSlab slab = new FlowSlab(4, 100_000);
        int perPage = FlowSlab.PAGE_BYTES / 40;
        for (int i = 0; i < perPage; i++) {
            slab.add(enc(40, i), i, i); // exactly one page
        }
        assertThat(slab.pages()).isEqualTo(1);
        slab.free(17);
        slab.free(18);
        int a = slab.add(enc(33, 500), 1, 1); // five units, as the freed ones
        int b = slab.add(enc(40, 501), 2, 2);
        assertThat(slab.pages()).as("both fitted freed records").isEqualTo(1);
        assertThat(slab.encoding(a)).isEqualTo(enc(33, 500));
        assertThat(slab.encoding(b)).isEqualTo(enc(40, 501));
        slab.add(enc(40, 502), 3, 3);
        assertThat(slab.pages()).isEqualTo(2);
        for (int i = 0; i < perPage; i++) {
            if (i != 17 && i != 18) {
                assertThat(slab.encoding(i)).isEqualTo(enc(40, i));
            }
        }
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
        for (int i = 0; i < 30; i++) {
            assertThat(slab.add(enc(36, i), i, i)).isEqualTo(i);
            if (i == 16) {
                assertThat(slab.capacity()).isEqualTo(24);
            }
        }
        assertThat(slab.capacity()).as("capped at the limit").isEqualTo(30);
        for (int i = 0; i < 30; i++) {
            assertThat(slab.encoding(i)).isEqualTo(enc(36, i));
            assertThat(slab.hash(i)).isEqualTo(i);
            assertThat(slab.updatedAt(i)).isEqualTo(i);
        }
    }

    @Test
    void removingMostFlowsRepacksTheRestIntoFewerPages() {
        int n = 40_000;
        FlowSlab slab = new FlowSlab(16, n);
        for (int i = 0; i < n; i++) {
            slab.add(enc(36 + i % 50, i), i, i);
        }
        int full = slab.pages();
        long fullBytes = slab.heapBytes();
        for (int i = 0; i < n; i++) {
            if (i % 10 != 0) {
                slab.free(i);
            }
        }
        assertThat(slab.pages()).as("a tenth of the flows left").isLessThanOrEqualTo(full / 3);
        assertThat(slab.heapBytes()).isLessThan(fullBytes);
        for (int i = 0; i < n; i += 10) {
            assertThat(slab.encoding(i)).isEqualTo(enc(36 + i % 50, i));
            assertThat(slab.hash(i)).isEqualTo(i);
        }
    }

    @Test
    void survivesLongChurnOfMixedSizesHoldingExactlyWhatWasPut() {
        int n = 5_000;
        FlowSlab slab = new FlowSlab(16, n);
        byte[][] model = new byte[n][];
        Random r = new Random(42);
        for (int step = 0; step < 200_000; step++) {
            int h = r.nextInt(n);
            int length = 13 + r.nextInt(r.nextInt(10) == 0 ? 300 : 60);
            if (model[h] == null) {
                byte[] e = enc(length, step);
                int got = slab.add(e, h, step);
                // handles come back most recently freed first: follow the slab's numbering
                model[got] = e;
            } else if (r.nextInt(3) == 0) {
                slab.free(h);
                model[h] = null;
            } else {
                byte[] e = enc(length, step);
                slab.replace(h, e);
                model[h] = e;
            }
        }
        for (int h = 0; h < n; h++) {
            assertThat(slab.isLive(h)).isEqualTo(model[h] != null);
            if (model[h] != null) {
                assertThat(slab.encoding(h)).isEqualTo(model[h]);
            }
        }
        long live = Arrays.stream(model).filter(m -> m != null).mapToLong(m -> (m.length + 7) & ~7).sum();
        assertThat((long) slab.pages() * FlowSlab.PAGE_BYTES).as("idle room at most the live records, a page of slack")
                .isLessThanOrEqualTo(2 * live + 2L * FlowSlab.PAGE_BYTES);
    }

    @Test
    void heapBytesCountThePagesAndThePerHandleArrays() {
        FlowSlab slab = new FlowSlab(4, 100);
        long empty = slab.heapBytes();
        int h = slab.add(enc(36), 1, 1);
        assertThat(slab.heapBytes() - empty).as("one page and the array that holds it")
                .isEqualTo(FlowSlab.arrayBytes(FlowSlab.PAGE_BYTES, 1) + FlowSlab.arrayBytes(4, 4) - FlowSlab.arrayBytes(0, 4));
        slab.replace(h, enc(60));
        slab.free(h);
        assertThat(slab.heapBytes() - empty).as("the page stays for the next flows")
                .isEqualTo(FlowSlab.arrayBytes(FlowSlab.PAGE_BYTES, 1) + FlowSlab.arrayBytes(4, 4) - FlowSlab.arrayBytes(0, 4));
        slab.clear();
        assertThat(slab.heapBytes()).isEqualTo(empty);
    }

    @Test
    void refusesAnEmptyOrOverlongEncoding() {
        FlowSlab slab = new FlowSlab(4, 100);
        assertThatThrownBy(() -> slab.add(new byte[0], 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> slab.add(new byte[FlowSlab.MAX_ENCODING_BYTES + 1], 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(slab.add(enc(FlowSlab.MAX_ENCODING_BYTES), 1, 1)).isZero();
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
        assertThat(slab.pages()).isZero();
        assertThat(slab.add(enc(36, 7), 1, 1)).as("numbering starts again, the free list is gone").isEqualTo(0);
        assertThat(slab.add(enc(36, 8), 2, 2)).isEqualTo(1);
        assertThat(slab.encoding(0)).isEqualTo(enc(36, 7));
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
