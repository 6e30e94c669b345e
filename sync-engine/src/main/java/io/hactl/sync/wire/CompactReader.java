package io.hactl.sync.wire;

import java.nio.ByteBuffer;

/**
 * Bounds-checked big-endian reads over one encoded flow. Every read checks the remaining length
 * first and fails with a {@link CompactFlowException} naming the field, so a truncated input can
 * never surface as an index exception. Reads are absolute: the caller's buffer is not moved.
 */
final class CompactReader {
    private final ByteBuffer buf;
    private final int start;
    private final int end;
    private int pos;
    /** Prepended to field names in errors, so hot paths need not build the names eagerly. */
    private String prefix;

    CompactReader(ByteBuffer buf) {
        this.buf = buf;
        this.start = buf.position();
        this.end = buf.limit();
        this.pos = start;
    }

    /** Offset from the start of the encoding. */
    int offset() {
        return pos - start;
    }

    int remaining() {
        return end - pos;
    }

    /** Field names passed from now on are relative to {@code p} (null: absolute). */
    void prefix(String p) {
        prefix = p;
    }

    private void need(String field, int n) throws CompactFlowException {
        if (end - pos < n) {
            throw new CompactFlowException(prefix == null ? field : prefix + field, "needs " + n + " bytes at offset "
                    + offset() + ", " + (end - pos) + " left");
        }
    }

    int u8(String field) throws CompactFlowException {
        need(field, 1);
        return Byte.toUnsignedInt(buf.get(pos++));
    }

    int u16(String field) throws CompactFlowException {
        need(field, 2);
        int v = (Byte.toUnsignedInt(buf.get(pos)) << 8) | Byte.toUnsignedInt(buf.get(pos + 1));
        pos += 2;
        return v;
    }

    long u32(String field) throws CompactFlowException {
        need(field, 4);
        long v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | Byte.toUnsignedInt(buf.get(pos + i));
        }
        pos += 4;
        return v;
    }

    long u64(String field) throws CompactFlowException {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | Byte.toUnsignedInt(buf.get(pos + i));
        }
        pos += 8;
        return v;
    }

    byte[] bytes(String field, int n) throws CompactFlowException {
        need(field, n);
        byte[] out = new byte[n];
        buf.get(pos, out);
        pos += n;
        return out;
    }
}
