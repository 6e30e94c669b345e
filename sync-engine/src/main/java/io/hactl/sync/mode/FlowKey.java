package io.hactl.sync.mode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A flow's identity as bytes (the key prefix of its compact encoding), with value equality. The
 * array is taken over, not copied (the hot path): neither side may modify it afterwards.
 *
 * <p>Keys of a gateway's flows differ in a few bytes (ports, the last address bytes), which
 * {@code Arrays.hashCode} maps onto few buckets; the hash here mixes every byte, with a seed
 * chosen per process so that crafted tuples cannot aim at one bucket.
 */
public final class FlowKey {
    private static final long SEED = new SecureRandom().nextLong();
    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] bytes;
    private final int hash;

    public FlowKey(byte[] bytes) {
        this.bytes = bytes;
        this.hash = hash(bytes);
    }

    /** The key bytes themselves (not a copy): do not modify. */
    public byte[] bytes() {
        return bytes;
    }

    static int hash(byte[] b) {
        long h = SEED ^ (b.length * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= b.length; i += 8) {
            h = mix(h ^ (long) LE_LONG.get(b, i));
        }
        long tail = 0;
        for (int shift = 0; i < b.length; i++, shift += 8) {
            tail |= (b[i] & 0xffL) << shift;
        }
        h = mix(h ^ tail);
        return (int) (h ^ (h >>> 32));
    }

    /** MurmurHash3's 64-bit finalizer. */
    private static long mix(long x) {
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
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
