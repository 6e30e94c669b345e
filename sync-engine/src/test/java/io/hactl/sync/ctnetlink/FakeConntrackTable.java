package io.hactl.sync.ctnetlink;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of an {@link InMemoryConntrackKernel}: stored as {@link Flow}s (with reply tuple,
 * status, timeout, mark and id filled in), found by either direction's tuple within a zone, as the
 * kernel's hash holds both. Not thread-safe: the kernel's lock guards it.
 */
final class FakeConntrackTable {
    /** A tuple within a zone: one of the two keys under which an entry is found. */
    record Key(Tuple tuple, int zone) {}

    /** Entries by original tuple, in insertion order (the order of a dump). */
    private final Map<Key, Flow> byOrig = new LinkedHashMap<>();
    /** The original-direction key of each entry, by reply tuple. */
    private final Map<Key, Key> origOfReply = new HashMap<>();
    private int idCounter;

    int size() {
        return byOrig.size();
    }

    /** The entry that has {@code t} as its original or its reply tuple in {@code zone}, or null. */
    Flow find(Tuple t, int zone) {
        Key k = new Key(t, zone);
        Flow f = byOrig.get(k);
        if (f != null) {
            return f;
        }
        Key orig = origOfReply.get(k);
        return orig == null ? null : byOrig.get(orig);
    }

    /** The entry whose original tuple is {@code t}, or null. */
    Flow findByOrig(Tuple t, int zone) {
        return byOrig.get(new Key(t, zone));
    }

    /**
     * Whether inserting an entry with these tuples would clash with an existing one in either
     * direction (nf_conntrack_hash_check_insert answers EEXIST then).
     */
    boolean clashes(Tuple orig, Tuple reply, int zone) {
        return find(orig, zone) != null || find(reply, zone) != null;
    }

    /** Inserts a new entry; the caller has checked {@link #clashes}. */
    void insert(Flow f) {
        Key k = new Key(f.orig(), f.zone());
        byOrig.put(k, f);
        origOfReply.put(new Key(f.reply(), f.zone()), k);
    }

    /** Replaces an entry by its updated state; the tuples and zone are unchanged. */
    void replace(Flow updated) {
        byOrig.put(new Key(updated.orig(), updated.zone()), updated);
    }

    void remove(Flow f) {
        byOrig.remove(new Key(f.orig(), f.zone()));
        origOfReply.remove(new Key(f.reply(), f.zone()));
    }

    /** The entries in dump order; a copy, so callers may change the table while walking it. */
    List<Flow> snapshot() {
        return new ArrayList<>(byOrig.values());
    }

    /**
     * The next entry id. The kernel's CTA_ID is an opaque 32-bit hash; multiplying a counter by
     * an odd constant gives values that look as arbitrary but never repeat within 2^32 entries.
     */
    long nextId() {
        idCounter++;
        return Integer.toUnsignedLong(idCounter * 0x9E3779B1);
    }
}
