package io.hactl.sync.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes netlink messages and their attributes into a growable buffer in native byte order, for
 * any netlink family. The {@code putU*} methods write attribute payloads big-endian ("network
 * order", as ctnetlink wants them); headers are host order.
 */
public final class AttrWriter {
    private ByteBuffer buf;

    public AttrWriter(int initialCapacity) {
        buf = ByteBuffer.allocate(initialCapacity).order(ByteOrder.nativeOrder());
    }

    /** Bytes written so far. */
    public int size() {
        return buf.position();
    }

    public void clear() {
        buf.clear();
    }

    /** A read view of what was written (position 0, limit at the end). */
    public ByteBuffer flipped() {
        ByteBuffer view = buf.duplicate().order(ByteOrder.nativeOrder());
        view.flip();
        return view;
    }

    public byte[] toByteArray() {
        ByteBuffer v = flipped();
        byte[] out = new byte[v.remaining()];
        v.get(out);
        return out;
    }

    /**
     * Starts a message: writes its nlmsghdr, nothing more. The family header that follows it
     * (struct nfgenmsg, ifinfomsg, ifaddrmsg, ...) is the caller's, written with the
     * {@code putStruct*} methods. Returns the start offset for {@link #endMessage}.
     */
    public int beginMessage(int type, int flags, int seq) {
        ensure(Netlink.NLMSG_HDRLEN);
        int start = buf.position();
        buf.putInt(0);                        // nlmsg_len, patched by endMessage
        buf.putShort((short) type);           // nlmsg_type
        buf.putShort((short) flags);          // nlmsg_flags
        buf.putInt(seq);                      // nlmsg_seq
        buf.putInt(0);                        // nlmsg_pid: 0, the kernel fills in ours
        return start;
    }

    /** A u8 field of a family header. */
    public void putStructU8(int value) {
        ensure(1);
        buf.put((byte) value);
    }

    /** A u16 field of a family header in host order. */
    public void putStructU16(int value) {
        ensure(2);
        buf.putShort((short) value);
    }

    /** A u16 field of a family header in network order (__be16, e.g. nfgenmsg's res_id). */
    public void putStructBe16(int value) {
        ensure(2);
        buf.putShort(toNet16(value));
    }

    /** A u32 / s32 field of a family header in host order (e.g. ifi_index, ifi_flags). */
    public void putStructU32(int value) {
        ensure(4);
        buf.putInt(value);
    }

    public void endMessage(int start) {
        buf.putInt(start, buf.position() - start);
    }

    /** Drops a message begun at {@code start} (e.g. when encoding it failed half way). */
    public void rewind(int start) {
        buf.position(start);
    }

    public int nestStart(int type) {
        ensure(Netlink.NLA_HDRLEN);
        int start = buf.position();
        buf.putShort((short) 0);
        buf.putShort((short) (type | Netlink.NLA_F_NESTED));
        return start;
    }

    public void nestEnd(int start) {
        buf.putShort(start, (short) (buf.position() - start));
    }

    public void putU8(int type, int value) {
        header(type, 1);
        buf.put((byte) value);
        pad(1);
    }

    public void putU16(int type, int value) {
        header(type, 2);
        buf.putShort(toNet16(value));
        pad(2);
    }

    public void putU32(int type, long value) {
        header(type, 4);
        buf.putInt(toNet32((int) value));
        pad(4);
    }

    /** A u16 in host order (rtnetlink). */
    public void putHostU16(int type, int value) {
        header(type, 2);
        buf.putShort((short) value);
        pad(2);
    }

    /** A u32 in host order (rtnetlink, e.g. IFLA_MTU). */
    public void putHostU32(int type, long value) {
        header(type, 4);
        buf.putInt((int) value);
        pad(4);
    }

    public void putU64(int type, long value) {
        header(type, 8);
        buf.putLong(buf.order() == ByteOrder.BIG_ENDIAN ? value : Long.reverseBytes(value));
    }

    public void putBytes(int type, byte[] value) {
        header(type, value.length);
        buf.put(value);
        pad(value.length);
    }

    /** {@code len} bytes of {@code src} from {@code off}, as {@link #putBytes(int, byte[])} without a copy. */
    public void putBytes(int type, byte[] src, int off, int len) {
        header(type, len);
        buf.put(src, off, len);
        pad(len);
    }

    /** A nested attribute of two u8 bytes, as the kernel's struct nf_ct_tcp_flags {flags, mask}. */
    public void putU8Pair(int type, int first, int second) {
        header(type, 2);
        buf.put((byte) first);
        buf.put((byte) second);
        pad(2);
    }

    /** A NUL-terminated string, as the kernel's NLA_NUL_STRING / nla_put_string. */
    public void putString(int type, String value) {
        byte[] b = value.getBytes(StandardCharsets.US_ASCII);
        header(type, b.length + 1);
        buf.put(b);
        buf.put((byte) 0);
        pad(b.length + 1);
    }

    private void header(int type, int payloadLen) {
        ensure(Netlink.NLA_HDRLEN + Netlink.align(payloadLen));
        buf.putShort((short) (Netlink.NLA_HDRLEN + payloadLen));
        buf.putShort((short) type);
    }

    private void pad(int payloadLen) {
        for (int i = payloadLen; i < Netlink.align(payloadLen); i++) {
            buf.put((byte) 0);
        }
    }

    private short toNet16(int v) {
        short s = (short) v;
        return buf.order() == ByteOrder.BIG_ENDIAN ? s : Short.reverseBytes(s);
    }

    private int toNet32(int v) {
        return buf.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            int cap = Math.max(buf.capacity() * 2, buf.position() + more);
            ByteBuffer bigger = ByteBuffer.allocate(cap).order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
