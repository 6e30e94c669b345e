package io.hactl.sync.wire;

import io.hactl.sync.conntrack.Tuple;

/**
 * The pinned numbers of hactl's compact flow encoding ({@link CompactFlow}), the form in which
 * both caches hold flows and in which peers exchange them. These are hactl's own wire numbers:
 * never renumbered; a change of layout takes a new format byte.
 *
 * <p>Layout of format 1, big-endian, A = 4 (IPv4) or 16 (IPv6) address bytes:
 * <pre>
 * -- key: identifies the flow (original tuple + zone) --
 * u8   format            FORMAT_V1
 * u8   family            FAMILY_IPV4 | FAMILY_IPV6
 * u8   protocol          IP protocol number
 * u16  zone
 * A    orig source address
 * A    orig destination address
 * ids  ports: u16 src, u16 dst        (TCP, UDP, UDP-Lite, SCTP, DCCP, GRE)
 *      icmp:  u8 type, u8 code, u16 id (ICMP, ICMPv6)
 *      nothing                         (any other protocol)
 * -- state --
 * u16  presence          PRESENT_* bits; unknown bits are rejected
 * u32  status            IPS_* bits
 * then each part whose bit is set, in bit order:
 * REPLY           A src, A dst, ids           (family and protocol of orig)
 * REPLY_INVERSE   no bytes: the reply tuple is orig.inverse()
 * TIMEOUT         u32 seconds
 * MARK            u32
 * PROTOINFO       TCP:  u8 state, u8 wscale orig, u8 wscale reply, u8 flags orig, u8 flags reply
 *                 SCTP: u8 state, u32 vtag orig, u32 vtag reply
 *                 DCCP: u8 state, u8 role, u64 handshake seq
 * MASTER          u8 family, u8 protocol, A src, A dst, ids
 * SNAT, DNAT      u8 family, A min ip, A max ip, u16 min port, u16 max port
 * SEQADJ_ORIG, SEQADJ_REPLY   u32 correction pos, u32 offset before, u32 offset after
 * HELPER          u8 length (1..), UTF-8 name
 * LABELS          u8 length (0..16), label bitmap: bit i in byte i/8, least significant bit
 *                 first; no trailing zero byte
 * SYNPROXY        u32 isn, u32 its, u32 tsoff
 * </pre>
 *
 * <p>Every flow has exactly one encoding (decoding rejects the non-canonical alternatives), so
 * two encodings are equal exactly when the flows are equal apart from the kernel id.
 */
public final class CompactFormat {
    private CompactFormat() {}

    /** Leading byte of format 1 (this layout). */
    public static final int FORMAT_V1 = 1;

    /** Family byte for IPv4: the kernel's AF_INET (linux/socket.h). */
    public static final int FAMILY_IPV4 = 2;
    /** Family byte for IPv6: the kernel's AF_INET6 (linux/socket.h). */
    public static final int FAMILY_IPV6 = 10;

    // ---- presence bits (u16 after the key) ----
    /** An explicit reply tuple follows (it differs from orig.inverse()). */
    public static final int PRESENT_REPLY = 1 << 0;
    /** The reply tuple is orig.inverse(); no bytes. */
    public static final int PRESENT_REPLY_INVERSE = 1 << 1;
    public static final int PRESENT_TIMEOUT = 1 << 2;
    public static final int PRESENT_MARK = 1 << 3;
    public static final int PRESENT_PROTOINFO = 1 << 4;
    public static final int PRESENT_MASTER = 1 << 5;
    public static final int PRESENT_SNAT = 1 << 6;
    public static final int PRESENT_DNAT = 1 << 7;
    public static final int PRESENT_SEQADJ_ORIG = 1 << 8;
    public static final int PRESENT_SEQADJ_REPLY = 1 << 9;
    public static final int PRESENT_HELPER = 1 << 10;
    public static final int PRESENT_LABELS = 1 << 11;
    public static final int PRESENT_SYNPROXY = 1 << 12;
    /** Every bit format 1 knows; any other bit is rejected. */
    public static final int PRESENT_KNOWN = (1 << 13) - 1;

    // ---- sizes ----
    /** Format, family, protocol and zone: the fixed start of the key. */
    public static final int KEY_HEADER_BYTES = 5;
    /** The longest key: IPv6 addresses and 4 bytes of ports or ICMP ids. */
    public static final int MAX_KEY_BYTES = KEY_HEADER_BYTES + 16 + 16 + 4;
    /** Presence and status, always present after the key. */
    public static final int STATE_HEADER_BYTES = 2 + 4;
    /** Longest label bitmap (NF_CT_LABELS_MAX_SIZE, linux/netfilter/nf_conntrack_labels.h). */
    public static final int MAX_LABEL_BYTES = 16;

    /** Address bytes of a family byte, or -1 for an unknown family. */
    public static int addressBytes(int family) {
        return switch (family) {
            case FAMILY_IPV4 -> 4;
            case FAMILY_IPV6 -> 16;
            default -> -1;
        };
    }

    /** Bytes of ports or ICMP type/code/id that follow the addresses of a tuple of {@code protocol}. */
    public static int idBytes(int protocol) {
        return Tuple.hasPorts(protocol) || Tuple.isIcmp(protocol) ? 4 : 0;
    }
}
