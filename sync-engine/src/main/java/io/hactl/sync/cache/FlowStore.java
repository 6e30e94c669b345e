package io.hactl.sync.cache;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.wire.CompactFormat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import java.security.SecureRandom;

/**
 * A cache of flows keyed by original tuple + zone: the internal cache (this node's kernel flows)
 * and the external cache (the peer's) are each one of these.
 *
 * <p>Each flow is held as its {@link CompactFlow} encoding, indexed by an int <em>handle</em>, in
 * a {@link FlowTable}; the layout is in the package description. This class is the cache API:
 * puts and their outcomes ({@link LatestPut}), lookups by tuple, key or encoding, walks, the limit.
 *
 * <h2>Handles</h2>
 * A handle stays valid, and names the same flow, from the put that created the flow until the
 * flow is removed (through growth and other removals), so a resend queue can hold plain ints.
 * After a removal the handle is free and a later new flow may get it: whoever holds handles must
 * drop them when the flow goes (or re-check the flow's key).
 *
 * <h2>Limit</h2>
 * At most {@link #limit()} flows; a new flow beyond it is refused and counted
 * ({@link PutResult#REFUSED_FULL}), while updates of held flows still succeed. Becoming full and
 * accepting again are logged once each, not per refusal.
 *
 * <h2>Time</h2>
 * The caller passes a monotonic timestamp in nanoseconds with every put; the store keeps it per
 * flow ({@link #updatedAt(int)}) and reads no clock.
 *
 * <p>Not thread-safe: the sync engine owns each store on its one event-loop thread.
 */
public final class FlowStore {
    private static final SecureRandom SEEDS = new SecureRandom();

    /** Returned for "no such flow". */
    public static final int NO_HANDLE = -1;

    /** Largest limit: keeps the index (up to 8/3 slots per flow, a power of two) within one int array. */
    public static final int MAX_LIMIT = 1 << 28;

    private static final int DEFAULT_INITIAL_CAPACITY = 1024;
    private static final int SELF_BYTES = 160; // this object, its table, the hash key and the scratch key

    private final String name;
    private final int limit;
    private final int initialCapacity;
    private final byte[] keyScratch = new byte[CompactFormat.MAX_KEY_BYTES];
    private FlowTable flows; // exchanged whole with another store's by swapFlows
    private final LatestPut latest = new LatestPut();

    private final StoreCounters counters;

    /**
     * A store for at most {@code limit} flows.
     *
     * @param name  names the cache in logs and stats ({@code internal}, {@code external})
     * @param limit most flows held; new flows beyond it are refused and counted
     */
    public FlowStore(String name, int limit) {
        this(name, limit, DEFAULT_INITIAL_CAPACITY, SEEDS.nextLong(), SEEDS.nextLong());
    }

    /** With a chosen initial capacity and hash key, for tests. */
    FlowStore(String name, int limit, int initialCapacity, long k0, long k1) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException(name + " cache: limit " + limit + " is not 1.." + MAX_LIMIT);
        }
        if (initialCapacity < 1) {
            throw new IllegalArgumentException(name + " cache: initial capacity " + initialCapacity + " must be at least 1");
        }
        this.name = name;
        this.limit = limit;
        this.counters = new StoreCounters(name, limit);
        this.initialCapacity = Math.min(initialCapacity, limit);
        this.flows = new FlowTable(this.initialCapacity, limit, k0, k1);
    }

    // ---- writes ----

    /**
     * Adds {@code f} or replaces the state held for its key (original tuple + zone), stamping it
     * with {@code nowNanos}. {@code f.id()} is not kept.
     */
    public PutResult put(Flow f, long nowNanos) {
        return putEncoded(CompactFlow.encode(f), nowNanos);
    }

    /**
     * As {@link #put} for a flow already in its compact encoding, e.g. as received from the peer.
     * The store keeps a copy. It must be a valid canonical encoding: decode it first
     * ({@link CompactFlow#decode} is strict, so what it accepts is exactly what encode produces).
     */
    public PutResult putEncoded(byte[] enc, long nowNanos) {
        return putEncoded(enc, nowNanos, true);
    }

    /**
     * As {@link #putEncoded(byte[], long)} for a flow not held yet; a flow already held is left
     * as it is, its time too, and {@link PutResult#UNCHANGED} returned. One lookup, where asking
     * first and putting after take two.
     */
    public PutResult putEncodedIfAbsent(byte[] enc, long nowNanos) {
        return putEncoded(enc, nowNanos, false);
    }

    private PutResult putEncoded(byte[] enc, long nowNanos, boolean replace) {
        FlowSlab slab = flows.slab;
        int klen = CompactFlow.keyLength(enc);
        int h = flows.keyHash.hash(enc, klen);
        int slot = flows.index.find(enc, klen, h);
        latest.begin(enc);
        if (slot >= 0) {
            int e = flows.index.handleAt(slot);
            latest.found(e, slab.updatedAt(e));
            if (!replace) {
                return PutResult.UNCHANGED;
            }
            slab.setUpdatedAt(e, nowNanos);
            if (slab.encodingEquals(e, enc)) {
                counters.unchanged++;
                return PutResult.UNCHANGED;
            }
            latest.replacing(slab, e);
            slab.replace(e, enc);
            counters.updated++;
            return PutResult.UPDATED;
        }
        if (flows.size >= limit) {
            latest.notFound(NO_HANDLE);
            counters.refused();
            return PutResult.REFUSED_FULL;
        }
        latest.notFound(flows.add(enc, klen, h, slot, nowNanos));
        counters.inserted++;
        return PutResult.NEW;
    }

    /**
     * The handle of the flow the latest {@link #put} or {@link #putEncoded} stored, updated or
     * found unchanged (not refused), saving the caller a second lookup; {@link #NO_HANDLE} before
     * any. Valid until the next write.
     */
    public int lastPutHandle() {
        return latest.handle;
    }

    /**
     * When the flow the latest {@link #put} or {@link #putEncoded} found (updated or unchanged)
     * had been put before it, in the caller's nanos; 0 after a new or refused one. Valid until
     * the next write.
     */
    public long lastPutPreviousUpdatedAt() {
        return latest.previousUpdatedAt;
    }

    /**
     * Whether the latest {@link #put} or {@link #putEncoded} returned {@link PutResult#UPDATED}
     * for a flow whose timeout alone changed ({@link CompactFlow#sameButTimeout}). Valid until
     * the next write.
     */
    public boolean lastUpdateOnlyTimeout() {
        return latest.onlyTimeout();
    }

    /** Removes the flow with original tuple {@code orig} in {@code zone}; false when not held. */
    public boolean remove(Tuple orig, int zone) {
        int slot = findKey(orig, zone);
        if (slot < 0) {
            return false;
        }
        removeSlot(slot);
        return true;
    }

    /** Removes the flow a live handle names. */
    public void removeAt(int handle) {
        checkLive(handle);
        removeSlot(flows.index.slotOf(handle));
    }

    /**
     * Makes room in the index and the per-flow arrays for {@code flows} flows in one step, ahead
     * of a known number of puts (a whole cache moving into this one), instead of growing as they
     * come. Capped at the limit; never shrinks.
     */
    public void reserve(int flows) {
        this.flows.reserve(Math.min(flows, limit));
    }

    /**
     * Drops every flow; the counters are kept, and so is the arrays' capacity: a flush is mostly
     * followed by a refill of the same size (a resync from the kernel, the
     * next bulk from the peer), which would otherwise grow and rehash the index all over again.
     */
    public void clear() {
        flows.clear();
        counters.belowLimit(0);
    }

    /**
     * Exchanges the flows of this store and {@code other}, with their index, in constant time:
     * what a MASTER transition's adoption does instead of copying a table from the external
     * cache into a nearly empty internal one. Both stores must have the same limit. The counters
     * stay with each store; a handle of either store names, after it, the same flow in the other.
     */
    public void swapFlows(FlowStore other) {
        if (other.limit != limit) {
            throw new IllegalArgumentException(name + " cache: its limit " + limit + " differs from the " + other.name
                    + " cache's " + other.limit);
        }
        FlowTable mine = flows;
        flows = other.flows;
        other.flows = mine;
        latest.forget();
        other.latest.forget();
        counters.belowLimit(flows.size);
        other.counters.belowLimit(other.flows.size);
    }

    /** Sets the time of every flow held to {@code nowNanos}, as if each had just been put unchanged. */
    public void stampAll(long nowNanos) {
        flows.stampAll(nowNanos);
    }

    // ---- reads ----

    /** The flow with original tuple {@code orig} in {@code zone}, or null when not held. */
    public Flow get(Tuple orig, int zone) {
        int handle = handleOf(orig, zone);
        return handle == NO_HANDLE ? null : flowAt(handle);
    }

    /** The handle of the flow with original tuple {@code orig} in {@code zone}, or {@link #NO_HANDLE}. */
    public int handleOf(Tuple orig, int zone) {
        int slot = findKey(orig, zone);
        return slot < 0 ? NO_HANDLE : flows.index.handleAt(slot);
    }

    /**
     * The handle of the flow whose key prefix ({@link CompactFlow#encodeKey}) is {@code key}, or
     * {@link #NO_HANDLE}. Keys from the network need no validation: a malformed one matches nothing.
     */
    public int handleOfKey(byte[] key) {
        int slot = slotOfKey(key);
        return slot < 0 ? NO_HANDLE : flows.index.handleAt(slot);
    }

    /**
     * The handle of the flow with the key of {@code enc}, a valid encoding ({@link CompactFlow#encode}),
     * or {@link #NO_HANDLE}: a lookup without decoding or copying the key.
     */
    public int handleOfEncoded(byte[] enc) {
        int slot = flows.find(enc, CompactFlow.keyLength(enc));
        return slot < 0 ? NO_HANDLE : flows.index.handleAt(slot);
    }

    /** The index slot holding the flow with this key prefix; negative when malformed or not held. */
    private int slotOfKey(byte[] key) {
        return CompactFlow.isKey(key) ? flows.find(key, key.length) : -1;
    }

    /** The key prefix of the flow a live handle names (a copy). */
    public byte[] keyAt(int handle) {
        checkLive(handle);
        return flows.slab.prefix(handle, flows.slab.keyLength(handle));
    }

    /** Whether {@code handle} currently names a flow. */
    public boolean isLive(int handle) {
        return flows.slab.isLive(handle);
    }

    /** The flow a live handle names (decoded afresh; its id is {@link Flow#ABSENT}). */
    public Flow flowAt(int handle) {
        checkLive(handle);
        try {
            return CompactFlow.decode(flows.slab.encoding(handle));
        } catch (CompactFlowException e) {
            throw new IllegalStateException(name + " cache: entry " + handle + " does not decode", e); // encoded by us
        }
    }

    /** The {@code nowNanos} of the last put of the flow a live handle names. */
    public long updatedAt(int handle) {
        checkLive(handle);
        return flows.slab.updatedAt(handle);
    }

    /** The encoding of the flow a live handle names (a copy: later puts leave it as it is). */
    public byte[] encodingAt(int handle) {
        checkLive(handle);
        return flows.slab.encoding(handle);
    }

    // ---- walks ----

    /**
     * The lowest live handle at or above {@code from}, or {@link #NO_HANDLE}: a cursor for walks
     * spread over several event-loop turns (resume from the last handle + 1). Flows removed
     * meanwhile are skipped; flows added meanwhile may or may not be met.
     */
    public int nextHandle(int from) {
        return flows.slab.nextHandle(from);
    }

    /**
     * Visits every flow in handle order. The visitor may remove flows (the walk skips them);
     * flows it adds may or may not be visited.
     */
    public void forEach(FlowVisitor visitor) {
        forEachEncoded((h, enc, updatedAtNanos) -> visitor.visit(h, flowAt(h), updatedAtNanos));
    }

    /** As {@link #forEach} without decoding: a copy of each encoding, in handle order. */
    public void forEachEncoded(EncodedFlowVisitor visitor) {
        for (int h = nextHandle(0); h != NO_HANDLE; h = nextHandle(h + 1)) {
            visitor.visit(h, flows.slab.encoding(h), flows.slab.updatedAt(h));
        }
    }

    /**
     * The handles of the flows without a master first, then of the related flows: the order a
     * commit needs, since the kernel refuses a related flow whose master does not exist. Same
     * rules as {@link #forEach}; a visitor should not put flows during this walk.
     */
    public void forEachMastersFirst(HandleVisitor visitor) {
        flows.forEachMastersFirst(visitor);
    }

    /** Appends a copy of the encoding of a live handle to {@code out}, with no copy in between. */
    public void copyEncoding(int handle, EncodingList out) {
        checkLive(handle);
        out.add(flows.slab, handle);
    }

    // ---- size and counters ----

    public String name() {
        return name;
    }

    public int size() {
        return flows.size;
    }

    public int limit() {
        return limit;
    }

    /** New flows refused because the store was full, since it was created. */
    public long refusals() {
        return counters.refusedFull;
    }

    public CacheStats stats() {
        return counters.stats(flows.size, estimatedHeapBytes());
    }

    /**
     * Heap retained by this store, computed from the JVM's object layout (compressed oops): the
     * pages of encodings, the per-handle arrays and the index, including their unused room, and
     * the buffer that keeps what the latest put replaced.
     */
    public long estimatedHeapBytes() {
        return SELF_BYTES + LatestPut.HEAP_BYTES + flows.heapBytes();
    }

    @Override
    public String toString() {
        return name + " cache: " + flows.size + "/" + limit + " flows";
    }

    // ---- internals ----

    private int findKey(Tuple orig, int zone) {
        return flows.find(keyScratch, CompactFlow.encodeKey(orig, zone, keyScratch));
    }

    private void removeSlot(int slot) {
        flows.removeSlot(slot);
        counters.removed++;
        counters.belowLimit(flows.size);
    }

    private void checkLive(int handle) {
        if (!isLive(handle)) {
            throw new IllegalArgumentException(name + " cache: handle " + handle + " names no flow");
        }
    }
}
