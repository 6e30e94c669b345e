package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;
import java.util.Arrays;

/**
 * The storage of a {@link FlowStore}: each flow's compact encoding packed into large pages, with
 * its metadata in parallel primitive arrays indexed by an int <em>handle</em> (where its record
 * is, its length, the time of the last put and the hash of its key), a free list of removed
 * handles, growth by half up to the store's limit, and the heap all of it takes.
 *
 * <h2>Records</h2>
 * An encoding is copied into a record of whole 8-byte units in a 64 KiB page, found by its unit
 * address (page and unit within it, one int). A freed record goes to the free list of its size
 * (the list threaded through the free records themselves) and is the first one handed out for an
 * encoding of that size again; otherwise records are cut from the end of the last page. So the
 * heap holds a few hundred pages per million flows instead of an object per flow, and a garbage
 * collection has nothing per flow to mark, move or point at. When free records and the pages'
 * cut-off ends take more than the live records (many flows removed), the live records are packed
 * into fresh pages and the old ones dropped.
 *
 * <p>A handle stays valid from its allocation until it is freed; a freed handle is the first one
 * handed out again (the free list is threaded through {@code hashes}, so it costs no array of its
 * own). Reads copy: nothing outside holds a page.
 *
 * <p>Not thread-safe: owned by its store.
 */
final class FlowSlab {
    // JVM layout with compressed oops (any heap under 32 GiB): 16-byte array header, 4-byte references
    private static final int ARRAY_HEADER_BYTES = 16;
    private static final int REFERENCE_BYTES = 4;
    private static final int SELF_BYTES = 72; // this object: header, six references, five ints, two longs

    private static final int UNIT_SHIFT = 3;
    private static final int PAGE_UNIT_BITS = 13;
    private static final int PAGE_UNITS = 1 << PAGE_UNIT_BITS;
    /** Bytes per page: 64 KiB. */
    static final int PAGE_BYTES = PAGE_UNITS << UNIT_SHIFT;
    /** Longest encoding held; the longest CompactFlow encoding is a few hundred bytes. */
    static final int MAX_ENCODING_BYTES = 4096;
    /** Records are not repacked while the pages take less than this. */
    private static final int REPACK_MIN_PAGES = 4;

    private final int limit;

    // per handle
    private int[] records;     // unit address of the encoding's record
    private short[] lengths;   // the encoding's length in bytes; 0 while the handle is free
    private long[] updatedAt;  // caller's monotonic nanos of the last put
    private int[] hashes;      // live handle: hash of its key; free handle: next free handle or -1
    private int used;          // handles [0, used) have been handed out at least once
    private int freeHead;      // most recently freed handle, -1 when none

    // records
    private byte[][] pages = new byte[0][];
    private int pageCount;
    private int top;                 // unit address where the next record is cut from the last page
    private final int[] freeRecords = new int[(MAX_ENCODING_BYTES >> UNIT_SHIFT) + 1]; // by size in units: head or -1
    private long liveUnits;          // units in live records
    private long idleUnits;          // units in free records and in the pages' cut-off ends

    /** Room for {@code initialCapacity} flows at first, growing up to {@code limit}. */
    FlowSlab(int initialCapacity, int limit) {
        this.limit = limit;
        records = new int[initialCapacity];
        lengths = new short[initialCapacity];
        updatedAt = new long[initialCapacity];
        hashes = new int[initialCapacity];
        used = 0;
        freeHead = -1;
        Arrays.fill(freeRecords, -1);
    }

    /**
     * Stores a copy of a new flow's encoding and returns its handle: a freed one if any, else
     * the next unused one, growing the arrays when they are full. The caller makes sure fewer
     * than {@code limit} flows are live.
     */
    int add(byte[] enc, int hash, long nowNanos) {
        int length = checkLength(enc);
        int e = allocateHandle();
        int r = allocateRecord(units(length));
        write(r, enc, length);
        records[e] = r;
        lengths[e] = (short) length;
        hashes[e] = hash;
        updatedAt[e] = nowNanos;
        return e;
    }

    /** Replaces the encoding of a live handle (same key, so the same hash) with a copy of {@code enc}. */
    void replace(int handle, byte[] enc) {
        int length = checkLength(enc);
        int oldUnits = units(length(handle));
        int newUnits = units(length);
        if (newUnits != oldUnits) {
            freeRecord(records[handle], oldUnits);
            records[handle] = allocateRecord(newUnits);
        }
        write(records[handle], enc, length);
        lengths[handle] = (short) length;
        repackIfSparse();
    }

    /** Frees a live handle: it goes to the head of the free list, its record to the free records. */
    void free(int handle) {
        freeRecord(records[handle], units(length(handle)));
        lengths[handle] = 0;
        updatedAt[handle] = 0;
        hashes[handle] = freeHead;
        freeHead = handle;
        repackIfSparse();
    }

    /** Frees every handle, keeping the per-handle arrays' capacity; the pages go. */
    void clear() {
        Arrays.fill(lengths, 0, used, (short) 0);
        used = 0;
        freeHead = -1;
        dropPages();
    }

    /** Whether {@code handle} currently names a flow. */
    boolean isLive(int handle) {
        return handle >= 0 && handle < used && lengths[handle] != 0;
    }

    /** A copy of the encoding of a live handle. */
    byte[] encoding(int handle) {
        int r = records[handle];
        int at = offset(r);
        return Arrays.copyOfRange(pages[page(r)], at, at + length(handle));
    }

    /** A copy of the first {@code n} bytes of a live handle's encoding (at most its length). */
    byte[] prefix(int handle, int n) {
        int r = records[handle];
        int at = offset(r);
        return Arrays.copyOfRange(pages[page(r)], at, at + n);
    }

    /** Copies the encoding of a live handle into {@code dst} from {@code at} (room enough); returns its length. */
    int copyTo(int handle, byte[] dst, int at) {
        int r = records[handle];
        int length = length(handle);
        System.arraycopy(pages[page(r)], offset(r), dst, at, length);
        return length;
    }

    /** Whether the encoding of a live handle is {@code enc}, byte for byte. */
    boolean encodingEquals(int handle, byte[] enc) {
        int length = length(handle);
        if (length != enc.length) {
            return false;
        }
        int r = records[handle];
        int at = offset(r);
        return Arrays.equals(pages[page(r)], at, at + length, enc, 0, length);
    }

    /** Whether the encoding of a live handle starts with the key {@code key[0..klen)}. */
    boolean keyEquals(int handle, byte[] key, int klen) {
        if (length(handle) < klen) {
            return false;
        }
        int r = records[handle];
        int at = offset(r);
        return Arrays.equals(pages[page(r)], at, at + klen, key, 0, klen);
    }

    /** The length of the key prefix of a live handle's encoding ({@link CompactFlow#keyLength}), read in place. */
    int keyLength(int handle) {
        int r = records[handle];
        return CompactFlow.keyLength(pages[page(r)], offset(r));
    }

    /** Whether the flow of a live handle carries a master tuple (a related flow). */
    boolean hasMaster(int handle) {
        int r = records[handle];
        return CompactFlow.hasMaster(pages[page(r)], offset(r));
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
            if (lengths[h] != 0) {
                return h;
            }
        }
        return FlowStore.NO_HANDLE;
    }

    /** The handles' capacity: how many flows fit before the arrays grow. */
    int capacity() {
        return records.length;
    }

    /** Pages the records take now. */
    int pages() {
        return pageCount;
    }

    /**
     * Heap taken by this object, the per-handle arrays (with their unused capacity) and the
     * pages (with their unused room).
     */
    long heapBytes() {
        int handles = records.length;
        return SELF_BYTES + arrayBytes(handles, 4) + arrayBytes(handles, 2) + arrayBytes(handles, 8)
                + arrayBytes(handles, 4) + arrayBytes(pages.length, REFERENCE_BYTES)
                + (long) pageCount * arrayBytes(PAGE_BYTES, 1) + arrayBytes(freeRecords.length, 4);
    }

    /**
     * Grows the per-handle arrays at once to room for {@code flows} flows (at most the limit),
     * ahead of a known number of adds: one copy of each array instead of one per growth by half,
     * each of which the young generation would otherwise copy again while the adds go on.
     */
    void growFor(int flows) {
        int capacity = Math.min(limit, flows);
        if (capacity > records.length) {
            resize(capacity);
        }
    }

    /** Heap bytes of an array of {@code length} elements of {@code elementBytes} each, by the JVM's layout. */
    static long arrayBytes(int length, int elementBytes) {
        return (ARRAY_HEADER_BYTES + (long) length * elementBytes + 7) & ~7L;
    }

    // ---- handles

    private int allocateHandle() {
        if (freeHead >= 0) {
            int e = freeHead;
            freeHead = hashes[e];
            return e;
        }
        if (used == records.length) {
            // size < limit here and no handle is free, so used < limit: there is room to grow
            resize((int) Math.min(limit, Math.max(16L, records.length + (long) records.length / 2)));
        }
        return used++;
    }

    private void resize(int capacity) {
        records = Arrays.copyOf(records, capacity);
        lengths = Arrays.copyOf(lengths, capacity);
        updatedAt = Arrays.copyOf(updatedAt, capacity);
        hashes = Arrays.copyOf(hashes, capacity);
    }

    /** The length of a live handle's encoding. */
    int length(int handle) {
        return Short.toUnsignedInt(lengths[handle]);
    }

    private static int checkLength(byte[] enc) {
        return checkLength(enc.length);
    }

    /** {@code length} when an encoding that long can be held (1 to {@link #MAX_ENCODING_BYTES}); else throws. */
    static int checkLength(int length) {
        if (length <= 0 || length > MAX_ENCODING_BYTES) {
            throw new IllegalArgumentException("an encoding of " + length + " bytes is not 1.." + MAX_ENCODING_BYTES);
        }
        return length;
    }

    // ---- records

    private static int units(int bytes) {
        return (bytes + (1 << UNIT_SHIFT) - 1) >>> UNIT_SHIFT;
    }

    private static int page(int record) {
        return record >>> PAGE_UNIT_BITS;
    }

    private static int offset(int record) {
        return (record & (PAGE_UNITS - 1)) << UNIT_SHIFT;
    }

    private void write(int record, byte[] enc, int length) {
        System.arraycopy(enc, 0, pages[page(record)], offset(record), length);
    }

    /** A record of {@code units} units: a free one of that size, else cut from the last page. */
    private int allocateRecord(int units) {
        int r = freeRecords[units];
        if (r >= 0) {
            freeRecords[units] = readInt(r);
            idleUnits -= units;
            liveUnits += units;
            return r;
        }
        int end = pageCount << PAGE_UNIT_BITS;
        if (top + units > end) {
            idleUnits += end - top; // the last page's end, too short: stays unused until a repack
            addPage();
        }
        r = top;
        top += units;
        liveUnits += units;
        return r;
    }

    private void freeRecord(int record, int units) {
        writeInt(record, freeRecords[units]);
        freeRecords[units] = record;
        liveUnits -= units;
        idleUnits += units;
    }

    private void addPage() {
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, Math.max(4, pages.length * 2));
        }
        pages[pageCount] = new byte[PAGE_BYTES];
        top = pageCount << PAGE_UNIT_BITS;
        pageCount++;
    }

    private void dropPages() {
        pages = new byte[0][];
        pageCount = 0;
        top = 0;
        Arrays.fill(freeRecords, -1);
        liveUnits = 0;
        idleUnits = 0;
    }

    /**
     * Packs the live records into fresh pages when the idle room (free records, pages' cut-off
     * ends) outweighs them: each repack at least halves the pages, so its cost, one copy of
     * every live record, is paid for by as many removals since the last one.
     */
    private void repackIfSparse() {
        if (idleUnits > liveUnits && pageCount > REPACK_MIN_PAGES) {
            repack();
        }
    }

    private void repack() {
        byte[][] old = pages;
        dropPages();
        for (int h = 0; h < used; h++) {
            if (lengths[h] != 0) {
                int r = records[h];
                int length = length(h);
                int fresh = allocateRecord(units(length));
                System.arraycopy(old[page(r)], offset(r), pages[page(fresh)], offset(fresh), length);
                records[h] = fresh;
            }
        }
    }

    private int readInt(int record) {
        byte[] p = pages[page(record)];
        int at = offset(record);
        return (p[at] & 0xff) << 24 | (p[at + 1] & 0xff) << 16 | (p[at + 2] & 0xff) << 8 | (p[at + 3] & 0xff);
    }

    private void writeInt(int record, int value) {
        byte[] p = pages[page(record)];
        int at = offset(record);
        p[at] = (byte) (value >>> 24);
        p[at + 1] = (byte) (value >>> 16);
        p[at + 2] = (byte) (value >>> 8);
        p[at + 3] = (byte) value;
    }
}
