package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;

/**
 * What the latest put into a {@link FlowStore} found, stored and replaced, valid until the
 * store's next write: its callers read it instead of looking the flow up again.
 *
 * <p>Not thread-safe: owned by its store.
 */
final class LatestPut {
    /** Heap taken by this object and its buffer. */
    static final long HEAP_BYTES = 40 + FlowSlab.arrayBytes(FlowSlab.MAX_ENCODING_BYTES, 1);

    /** The flow stored, updated or found unchanged; {@link FlowStore#NO_HANDLE} after a refusal or none. */
    int handle = FlowStore.NO_HANDLE;
    /** When the flow found had been put before, in the caller's nanos; 0 after a new or refused one. */
    long previousUpdatedAt;
    private byte[] given; // the encoding the put was given
    private final byte[] replaced = new byte[FlowSlab.MAX_ENCODING_BYTES];
    private int replacedLength = -1; // the length of what the put replaced (UPDATED), else -1

    /** A put of {@code enc} begins. */
    void begin(byte[] enc) {
        given = enc;
        replacedLength = -1;
    }

    /** It found flow {@code h}, put before at {@code previous}. */
    void found(int h, long previous) {
        handle = h;
        previousUpdatedAt = previous;
    }

    /** It is about to replace the encoding of flow {@code h} in {@code slab}: keeps a copy of the old one. */
    void replacing(FlowSlab slab, int h) {
        replacedLength = slab.copyTo(h, replaced, 0);
    }

    /** It found no flow: it stored one at {@code h}, or {@link FlowStore#NO_HANDLE} when refused. */
    void notFound(int h) {
        handle = h;
        previousUpdatedAt = 0;
    }

    /** The store's flows changed whole: nothing of the latest put holds. */
    void forget() {
        handle = FlowStore.NO_HANDLE;
        previousUpdatedAt = 0;
        given = null;
        replacedLength = -1;
    }

    /** Whether it updated a flow whose timeout alone changed ({@link CompactFlow#sameButTimeout}). */
    boolean onlyTimeout() {
        return replacedLength >= 0 && CompactFlow.sameButTimeout(replaced, replacedLength, given);
    }
}
