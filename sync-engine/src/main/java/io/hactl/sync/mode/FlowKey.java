package io.hactl.sync.mode;

import java.util.Arrays;
import java.util.HexFormat;

/** A flow's identity as bytes (the key prefix of its compact encoding), with value equality. */
public final class FlowKey {
    private final byte[] bytes;
    private final int hash;

    public FlowKey(byte[] bytes) {
        this.bytes = bytes.clone();
        this.hash = Arrays.hashCode(this.bytes);
    }

    public byte[] bytes() {
        return bytes.clone();
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
