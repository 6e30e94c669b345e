package io.hactl.sync.wire;

import static io.hactl.sync.wire.CompactFormat.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * hactl's compact binary form of a {@link Flow}: how the caches hold flows and how peers carry
 * them. A stateless mirror pair, {@link #encode} and {@link #decode} (written in
 * {@link CompactEncoder} and {@link CompactDecoder}); the layout and its pinned numbers are in
 * {@link CompactFormat}. Here too: the key alone, and what the caches and the receive path read
 * straight off the bytes.
 *
 * <p>The key (format, family, protocol, zone, original tuple) comes first, so a cache can hash and
 * compare a prefix of the bytes without decoding. Optional parts are announced in a presence
 * bitmask and cost nothing when absent: an IPv4 TCP flow in ESTABLISHED with an un-NATed reply
 * takes 36 bytes. The kernel's entry id is not encoded (it is meaningless on another node).
 *
 * <p>Because the same bytes come from the peer, decoding trusts nothing: every length is checked
 * before it is read, every value against its range, unknown format bytes and presence bits are
 * rejected, and so are non-canonical forms (so equal flows always have equal bytes). All of it is
 * reported as a {@link CompactFlowException} naming the field.
 */
public final class CompactFlow {
    private CompactFlow() {}

    // ---- encode ----

    /**
     * Encodes {@code f}. Throws IllegalArgumentException only for a helper name that is not valid
     * Unicode (an unpaired surrogate), which no kernel produces.
     */
    public static byte[] encode(Flow f) {
        return CompactEncoder.encode(f);
    }

    /** The key of the flow with original tuple {@code orig} in {@code zone}: the prefix of its encoding. */
    public static byte[] encodeKey(Tuple orig, int zone) {
        byte[] out = new byte[CompactEncoder.keyLength(orig)];
        encodeKey(orig, zone, out);
        return out;
    }

    /** Writes the key into {@code dst} (at least {@link CompactFormat#MAX_KEY_BYTES} long); returns its length. */
    public static int encodeKey(Tuple orig, int zone, byte[] dst) {
        if (zone < 0 || zone > 0xffff) {
            throw new IllegalArgumentException("zone " + zone + " is not 0..65535");
        }
        ByteBuffer b = ByteBuffer.wrap(dst);
        CompactEncoder.writeKey(b, orig, zone);
        return b.position();
    }

    // ---- trusted helpers for the caches (bytes this class produced) ----

    /** Length of the key prefix of an encoding produced by {@link #encode}. */
    public static int keyLength(byte[] encoded) {
        return keyLength(encoded, 0);
    }

    /** As {@link #keyLength(byte[])} for the encoding at {@code at} in {@code a}. */
    public static int keyLength(byte[] a, int at) {
        return KEY_HEADER_BYTES + 2 * addressBytes(Byte.toUnsignedInt(a[at + 1])) + idBytes(Byte.toUnsignedInt(a[at + 2]));
    }

    /** The IP protocol of an encoding produced by {@link #encode}. */
    public static int protocol(byte[] encoded) {
        return Byte.toUnsignedInt(encoded[2]);
    }

    /** The original direction's source address (network byte order, a copy) of an encoding produced by {@link #encode}. */
    public static byte[] source(byte[] encoded) {
        int n = addressBytes(Byte.toUnsignedInt(encoded[1]));
        return Arrays.copyOfRange(encoded, KEY_HEADER_BYTES, KEY_HEADER_BYTES + n);
    }

    /** The original direction's destination address (network byte order, a copy) of an encoding produced by {@link #encode}. */
    public static byte[] destination(byte[] encoded) {
        int n = addressBytes(Byte.toUnsignedInt(encoded[1]));
        return Arrays.copyOfRange(encoded, KEY_HEADER_BYTES + n, KEY_HEADER_BYTES + 2 * n);
    }

    /**
     * Whether {@code key} is a key prefix of format 1 ({@link #encodeKey}): a known family and
     * exactly the length its family and protocol give. Checks bytes from the peer.
     */
    public static boolean isKey(byte[] key) {
        if (key.length < KEY_HEADER_BYTES || key[0] != FORMAT_V1) {
            return false;
        }
        int addr = addressBytes(Byte.toUnsignedInt(key[1]));
        return addr > 0 && key.length == KEY_HEADER_BYTES + 2 * addr + idBytes(Byte.toUnsignedInt(key[2]));
    }

    /**
     * Whether two encodings produced by {@link #encode} of the same key differ at most in their
     * timeout: the flow is the same, only its time ran on (or traffic refreshed it). Both must
     * carry a timeout; anything else that differs (state, status, mark, NAT) is a change.
     */
    public static boolean sameButTimeout(byte[] a, byte[] b) {
        return sameButTimeout(a, a.length, b);
    }

    /** As {@link #sameButTimeout(byte[], byte[])} for the encoding in the first {@code aLength} bytes of {@code a}. */
    public static boolean sameButTimeout(byte[] a, int aLength, byte[] b) {
        if (aLength != b.length) {
            return false;
        }
        int k = keyLength(a);
        int presence = (Byte.toUnsignedInt(a[k]) << 8) | Byte.toUnsignedInt(a[k + 1]);
        if ((presence & PRESENT_TIMEOUT) == 0 || k + 1 >= b.length
                || presence != ((Byte.toUnsignedInt(b[k]) << 8) | Byte.toUnsignedInt(b[k + 1]))) {
            return false;
        }
        int at = k + STATE_HEADER_BYTES + ((presence & PRESENT_REPLY) != 0 ? k - KEY_HEADER_BYTES : 0);
        return Arrays.equals(a, 0, at, b, 0, at) && Arrays.equals(a, at + 4, aLength, b, at + 4, b.length);
    }

    /** Whether an encoding produced by {@link #encode} carries a master tuple (a related flow). */
    public static boolean hasMaster(byte[] encoded) {
        return hasMaster(encoded, 0);
    }

    /** As {@link #hasMaster(byte[])} for the encoding at {@code at} in {@code a}. */
    public static boolean hasMaster(byte[] a, int at) {
        int k = at + keyLength(a, at);
        int presence = (Byte.toUnsignedInt(a[k]) << 8) | Byte.toUnsignedInt(a[k + 1]);
        return (presence & PRESENT_MASTER) != 0;
    }

    // ---- the common shape, checked and read without decoding ----

    private static final int COMMON_PARTS = PRESENT_REPLY_INVERSE | PRESENT_TIMEOUT | PRESENT_MARK | PRESENT_PROTOINFO;

    /**
     * Whether {@code enc} is a well-formed encoding of the common shape: IPv4 or IPv6, a protocol
     * with ports or without ids (not ICMP), no explicit reply tuple, at most a timeout, a mark and
     * (TCP only) the TCP state; no master, NAT, sequence adjustment, helper, labels or synproxy.
     * When true, {@link #decode} accepts it; when false it may still be well-formed in another
     * shape, which only {@code decode} can tell. Allocates nothing: the receive and commit paths
     * check this first and decode only the rest.
     */
    public static boolean isCommonShape(byte[] enc) {
        if (enc.length < KEY_HEADER_BYTES + 8 + STATE_HEADER_BYTES || enc[0] != FORMAT_V1) {
            return false;
        }
        int alen = addressBytes(enc[1] & 0xff);
        int protocol = enc[2] & 0xff;
        if (alen < 0 || Tuple.isIcmp(protocol)) {
            return false;
        }
        int keyLen = KEY_HEADER_BYTES + 2 * alen + idBytes(protocol);
        if (enc.length < keyLen + STATE_HEADER_BYTES) {
            return false;
        }
        int presence = ((enc[keyLen] & 0xff) << 8) | (enc[keyLen + 1] & 0xff);
        if ((presence & ~COMMON_PARTS) != 0) {
            return false;
        }
        int len = keyLen + STATE_HEADER_BYTES + ((presence & PRESENT_TIMEOUT) != 0 ? 4 : 0)
                + ((presence & PRESENT_MARK) != 0 ? 4 : 0);
        if ((presence & PRESENT_PROTOINFO) != 0) {
            if (protocol != Tuple.TCP || enc.length != len + 5 || (enc[len] & 0xff) >= TcpInfo.MAX) {
                return false;
            }
            len += 5;
        }
        return enc.length == len;
    }

    /** Checks an encoding from the peer: throws what {@link #decode} would, builds nothing for the common shape. */
    public static void check(byte[] enc) throws CompactFlowException {
        if (!isCommonShape(enc)) {
            decode(enc);
        }
    }
    // ---- decode ----

    /** Decodes one whole encoding; trailing bytes are an error. */
    public static Flow decode(byte[] encoded) throws CompactFlowException {
        return CompactDecoder.decode(ByteBuffer.wrap(encoded));
    }

    /**
     * Decodes the bytes between {@code buf}'s position and limit, which must hold exactly one
     * encoded flow. The buffer's position, limit and byte order are left as they were.
     */
    public static Flow decode(ByteBuffer buf) throws CompactFlowException {
        return CompactDecoder.decode(buf);
    }
}
