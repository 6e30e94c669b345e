package io.hactl.sync.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.wire.CompactFlow;
import org.junit.jupiter.api.Test;

class EncodingListTest {

    private static byte[] enc(int length, int tag) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (tag * 7 + i);
        }
        return b;
    }

    @Test
    void holdsCopiesInOrderAcrossManyPages() {
        EncodingList list = new EncodingList();
        int n = 20_000; // about 1.5 MB: two dozen pages
        for (int i = 0; i < n; i++) {
            byte[] e = enc(13 + i % 90, i);
            list.add(e);
            e[0] = 1; // the list holds its own copy
        }
        assertThat(list.size()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(list.get(i)).isEqualTo(enc(13 + i % 90, i));
        }
        byte[] got = list.get(5);
        got[1] = 1;
        assertThat(list.get(5)).as("reads copy").isEqualTo(enc(13 + 5, 5));
    }

    @Test
    void takesAStoresEncodingsAsHeld() {
        FlowStore store = new FlowStore("external", 100);
        EncodingList list = new EncodingList();
        for (int i = 0; i < 10; i++) {
            store.put(TestFlows.tcp4(i), i);
            store.copyEncoding(store.lastPutHandle(), list);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(list.get(i)).isEqualTo(CompactFlow.encode(TestFlows.tcp4(i)));
        }
    }

    @Test
    void addKeysOfAppendsTheKeyPrefixesInTheSameOrder() {
        EncodingList list = new EncodingList();
        for (int i = 0; i < 5_000; i++) {
            list.add(CompactFlow.encode(i % 2 == 0 ? TestFlows.tcp4(i) : TestFlows.tcp6(i)));
        }
        EncodingList keys = new EncodingList();
        keys.addKeysOf(list);
        assertThat(keys.size()).isEqualTo(5_000);
        for (int i = 0; i < 5_000; i++) {
            Flow f = i % 2 == 0 ? TestFlows.tcp4(i) : TestFlows.tcp6(i);
            assertThat(keys.get(i)).isEqualTo(CompactFlow.encodeKey(f.orig(), f.zone()));
        }
    }

    @Test
    void refusesAnEmptyOrOverlongEncodingAndAnIndexOutside() {
        EncodingList list = new EncodingList();
        assertThatThrownBy(() -> list.add(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> list.add(new byte[FlowSlab.MAX_ENCODING_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        list.add(enc(FlowSlab.MAX_ENCODING_BYTES, 1));
        assertThat(list.get(0)).hasSize(FlowSlab.MAX_ENCODING_BYTES);
        assertThatThrownBy(() -> list.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(list.size()).isEqualTo(1);
    }
}
