package io.hactl.sync.mode;

import io.hactl.sync.cache.KeyHash;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A flow's identity as bytes (the key prefix of its compact encoding), with value equality. The
 * array is taken over, not copied (the hot path): neither side may modify it afterwards.
 *
 * <p>Keys of a gateway's flows differ in a few bytes (ports, the last address bytes), which
 * {@code Arrays.hashCode} maps onto few buckets; the hash is the caches' keyed SipHash, with a
 * key chosen per process, so that crafted tuples cannot aim at one bucket.
 */
public final class FlowKey {
    private static final KeyHash HASH;

    static {
        SecureRandom r = new SecureRandom();
        HASH = new KeyHash(r.nextLong(), r.nextLong());
    }

    private final byte[] bytes;
    private final int hash;

    public FlowKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = HASH.hash(bytes, bytes.length);
    }

    /** The key bytes themselves (not a copy): do not modify. */
    public byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
