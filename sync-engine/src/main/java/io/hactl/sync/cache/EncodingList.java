package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;
import java.util.Arrays;
import java.util.Objects;

/**
 * An append-only list of flow encodings packed into 64 KiB pages, as a {@link FlowStore} keeps
 * them: what a batch of kernel writes carries from the loop that took it to the worker that
 * writes it, a commit of a million flows included, without an object per flow. Reads copy.
 *
 * <p>Not thread-safe: filled by one thread, then handed over (the hand-over publishes it).
 */
public final class EncodingList {
    private static final int PAGE_SHIFT = 16;
    private static final int PAGE_BYTES = 1 << PAGE_SHIFT;

    private byte[][] pages = new byte[1][];
    private int pageCount;
    private int top = PAGE_BYTES; // where the next encoding goes in the last page; full before the first
    private int[] at = new int[16];       // page << 16 | offset of each encoding
    private short[] lengths = new short[16];
    private int size;

    /** Appends a copy of {@code enc}. */
    public void add(byte[] enc) {
        int where = reserve(enc.length);
        System.arraycopy(enc, 0, pages[page(where)], where & (PAGE_BYTES - 1), enc.length);
    }

    /** Appends a copy of the encoding of a live handle of {@code slab}. */
    void add(FlowSlab slab, int handle) {
        int where = reserve(slab.length(handle));
        slab.copyTo(handle, pages[page(where)], where & (PAGE_BYTES - 1));
    }

    /** A copy of encoding {@code i}. */
    public byte[] get(int i) {
        int where = at[Objects.checkIndex(i, size)];
        int offset = where & (PAGE_BYTES - 1);
        return Arrays.copyOfRange(pages[where >>> PAGE_SHIFT], offset, offset + Short.toUnsignedInt(lengths[i]));
    }

    /** Appends the key prefixes ({@link CompactFlow#keyLength}) of the encodings of {@code from}, in order. */
    public void addKeysOf(EncodingList from) {
        for (int i = 0; i < from.size; i++) {
            byte[] page = from.pages[page(from.at[i])];
            int offset = from.at[i] & (PAGE_BYTES - 1);
            int length = CompactFlow.keyLength(page, offset);
            int where = reserve(length);
            System.arraycopy(page, offset, pages[page(where)], where & (PAGE_BYTES - 1), length);
        }
    }

    public int size() {
        return size;
    }

    /** Makes room for an encoding of {@code length} bytes at the end and records it; returns its place. */
    private int reserve(int length) {
        FlowSlab.checkLength(length);
        if (top + length > PAGE_BYTES) {
            if (pageCount == pages.length) {
                pages = Arrays.copyOf(pages, pages.length * 2);
            }
            pages[pageCount++] = new byte[PAGE_BYTES];
            top = 0;
        }
        if (size == at.length) {
            at = Arrays.copyOf(at, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
        }
        int where = (pageCount - 1) << PAGE_SHIFT | top;
        at[size] = where;
        lengths[size++] = (short) length;
        top += length;
        return where;
    }

    private static int page(int where) {
        return where >>> PAGE_SHIFT;
    }
}
