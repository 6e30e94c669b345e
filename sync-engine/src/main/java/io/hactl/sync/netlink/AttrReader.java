package io.hactl.sync.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Walks the attributes of one region of a netlink message (any family: the caller says where the
 * attributes start, after its family header). {@code u16/u32/u64} read network order, as
 * ctnetlink writes them; {@code hostU16/hostU32} read host order, as rtnetlink mostly does.
 *
 * <p>It carries the first error it meets (a bad attribute length, a payload of the wrong size) so
 * decode code reads straight down and checks {@link #error()} once at the end; after an error
 * every accessor returns zero/null and {@link #next()} returns false.
 *
 * <pre>{@code
 * AttrReader r = new AttrReader(buf, start, end, "CTA_TUPLE_ORIG");
 * while (r.next()) {
 *     switch (r.type()) {
 *         case CTA_TUPLE_IP -> ...r.nested("CTA_TUPLE_IP")...
 *     }
 * }
 * if (r.error() != null) throw new DecodeException(r.error());
 * }</pre>
 */
public final class AttrReader {
    private final ByteBuffer buf;
    private final int end;
    private final AttrReader parent;  // with name: the path in error messages, built only on error
    private final String name;
    private int cursor;
    private int type;
    private boolean nestedFlag;
    private int payloadStart;
    private int payloadLen;
    private String error;

    /** Reads attributes in {@code buf} from {@code start} to {@code end}; {@code where} names the region in errors. */
    public AttrReader(ByteBuffer buf, int start, int end, String where) {
        this(buf.duplicate().order(buf.order()), start, end, null, where);
    }

    private AttrReader(ByteBuffer shared, int start, int end, AttrReader parent, String name) {
        this.buf = shared;
        this.cursor = start;
        this.end = end;
        this.parent = parent;
        this.name = name;
        if (start > end || end > buf.limit()) {
            fail(where() + ": region " + start + ".." + end + " outside the message of " + buf.limit() + " bytes");
        }
    }

    /** The path of this region, e.g. "conntrack/CTA_TUPLE_ORIG/CTA_TUPLE_IP". */
    private String where() {
        return parent == null ? name : parent.where() + "/" + name;
    }

    /** Moves to the next attribute; false at the end of the region or after an error. */
    public boolean next() {
        if (error != null || cursor >= end) {
            return false;
        }
        int remaining = end - cursor;
        if (remaining < Netlink.NLA_HDRLEN) {
            return fail(where() + ": " + remaining + " trailing bytes, too short for an attribute header");
        }
        int len = Short.toUnsignedInt(buf.getShort(cursor));
        int rawType = Short.toUnsignedInt(buf.getShort(cursor + 2));
        if (len < Netlink.NLA_HDRLEN) {
            return fail(where() + ": attribute type " + (rawType & Netlink.NLA_TYPE_MASK) + " has length " + len
                    + ", below the 4-byte header");
        }
        if (len > remaining) {
            return fail(where() + ": attribute type " + (rawType & Netlink.NLA_TYPE_MASK) + " has length " + len
                    + " but only " + remaining + " bytes remain");
        }
        type = rawType & Netlink.NLA_TYPE_MASK;
        nestedFlag = (rawType & Netlink.NLA_F_NESTED) != 0;
        payloadStart = cursor + Netlink.NLA_HDRLEN;
        payloadLen = len - Netlink.NLA_HDRLEN;
        cursor = Math.min(end, cursor + Netlink.align(len));
        return true;
    }

    public int type() {
        return type;
    }

    public boolean nestedFlag() {
        return nestedFlag;
    }

    public int length() {
        return payloadLen;
    }

    public String error() {
        return error;
    }

    /** Records an error found by the caller (e.g. a missing mandatory attribute). */
    public boolean fail(String message) {
        if (error == null) {
            error = message;
        }
        return false;
    }

    public int u8(String name) {
        return want(name, 1) ? Byte.toUnsignedInt(buf.get(payloadStart)) : 0;
    }

    public int u16(String name) {
        return want(name, 2) ? Short.toUnsignedInt(net16(buf.getShort(payloadStart))) : 0;
    }

    public long u32(String name) {
        return want(name, 4) ? Integer.toUnsignedLong(net32(buf.getInt(payloadStart))) : 0;
    }

    /** A u16 in host order (rtnetlink's attributes, unlike ctnetlink's, are mostly host order). */
    public int hostU16(String name) {
        return want(name, 2) ? Short.toUnsignedInt(buf.getShort(payloadStart)) : 0;
    }

    /** A u32 in host order (e.g. IFLA_MTU). */
    public long hostU32(String name) {
        return want(name, 4) ? Integer.toUnsignedLong(buf.getInt(payloadStart)) : 0;
    }

    public long u64(String name) {
        if (!want(name, 8)) {
            return 0;
        }
        long v = buf.getLong(payloadStart);
        return buf.order() == ByteOrder.BIG_ENDIAN ? v : Long.reverseBytes(v);
    }

    /** Exactly {@code size} bytes. */
    public byte[] bytes(String name, int size) {
        if (!want(name, size)) {
            return null;
        }
        return raw();
    }

    /** The payload as it is, whatever its length. */
    public byte[] raw() {
        byte[] out = new byte[payloadLen];
        buf.get(payloadStart, out);
        return out;
    }

    /** A string up to its NUL terminator (or the payload's end). */
    public String string(String name) {
        if (payloadLen == 0) {
            fail(where() + ": " + name + " is empty");
            return null;
        }
        int n = 0;
        while (n < payloadLen && buf.get(payloadStart + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        buf.get(payloadStart, b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A reader over this attribute's payload; its errors propagate when checked through {@link #absorb}. */
    public AttrReader nested(String name) {
        return new AttrReader(buf, payloadStart, payloadStart + payloadLen, this, name);
    }

    /** Takes over a nested reader's error, if it had one; returns false when it did. */
    public boolean absorb(AttrReader nested) {
        if (nested.error != null) {
            fail(nested.error);
            return false;
        }
        return true;
    }

    private boolean want(String name, int size) {
        if (error != null) {
            return false;
        }
        if (payloadLen != size) {
            return fail(where() + ": " + name + " has length " + payloadLen + ", expected " + size);
        }
        return true;
    }

    private short net16(short v) {
        return buf.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v);
    }

    private int net32(int v) {
        return buf.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }
}
