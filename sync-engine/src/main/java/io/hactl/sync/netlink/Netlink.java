package io.hactl.sync.netlink;

/**
 * Generic netlink constants, for any netlink family (NETLINK_NETFILTER, NETLINK_ROUTE, ...).
 *
 * <p>Translated from the uapi header {@code linux/netlink.h} installed under /usr/include. Every
 * constant carries its kernel name; the numbers are the kernel's ABI and never change.
 */
public final class Netlink {
    private Netlink() {}

    // ---- protocols: the third argument of socket(AF_NETLINK, SOCK_RAW, protocol) ----
    public static final int NETLINK_ROUTE = 0;        // NETLINK_ROUTE: links, addresses, routes (rtnetlink)
    public static final int NETLINK_NETFILTER = 12;   // NETLINK_NETFILTER: nfnetlink (ctnetlink, ...)

    // ---- socket options at level SOL_NETLINK ----
    public static final int SOL_NETLINK = 270;            // SOL_NETLINK (linux/socket.h)
    public static final int NETLINK_ADD_MEMBERSHIP = 1;   // NETLINK_ADD_MEMBERSHIP
    public static final int NETLINK_DROP_MEMBERSHIP = 2;  // NETLINK_DROP_MEMBERSHIP
    public static final int NETLINK_BROADCAST_ERROR = 4;  // NETLINK_BROADCAST_ERROR
    public static final int NETLINK_NO_ENOBUFS = 5;       // NETLINK_NO_ENOBUFS
    public static final int NETLINK_CAP_ACK = 10;         // NETLINK_CAP_ACK
    public static final int NETLINK_EXT_ACK = 11;         // NETLINK_EXT_ACK

    // ---- message header: struct nlmsghdr ----
    public static final int NLMSG_HDRLEN = 16;        // NLMSG_HDRLEN (struct nlmsghdr)
    public static final int NLMSG_ALIGNTO = 4;        // NLMSG_ALIGNTO
    public static final int NLMSG_NOOP = 0x1;         // NLMSG_NOOP
    public static final int NLMSG_ERROR = 0x2;        // NLMSG_ERROR
    public static final int NLMSG_DONE = 0x3;         // NLMSG_DONE
    public static final int NLMSG_OVERRUN = 0x4;      // NLMSG_OVERRUN
    public static final int NLMSG_MIN_TYPE = 0x10;    // NLMSG_MIN_TYPE: types below are control messages
    public static final int NLM_F_REQUEST = 0x01;     // NLM_F_REQUEST
    public static final int NLM_F_MULTI = 0x02;       // NLM_F_MULTI
    public static final int NLM_F_ACK = 0x04;         // NLM_F_ACK
    public static final int NLM_F_ECHO = 0x08;        // NLM_F_ECHO
    public static final int NLM_F_DUMP_INTR = 0x10;   // NLM_F_DUMP_INTR
    public static final int NLM_F_ROOT = 0x100;       // NLM_F_ROOT
    public static final int NLM_F_MATCH = 0x200;      // NLM_F_MATCH
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH; // NLM_F_DUMP
    public static final int NLM_F_REPLACE = 0x100;    // NLM_F_REPLACE (new requests)
    public static final int NLM_F_EXCL = 0x200;       // NLM_F_EXCL
    public static final int NLM_F_CREATE = 0x400;     // NLM_F_CREATE
    public static final int NLM_F_CAPPED = 0x100;     // NLM_F_CAPPED (ack flags)

    // ---- attributes: struct nlattr ----
    public static final int NLA_HDRLEN = 4;           // NLA_HDRLEN
    public static final int NLA_ALIGNTO = 4;          // NLA_ALIGNTO
    public static final int NLA_F_NESTED = 1 << 15;   // NLA_F_NESTED
    public static final int NLA_F_NET_BYTEORDER = 1 << 14; // NLA_F_NET_BYTEORDER
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff; // NLA_TYPE_MASK

    /** NLMSG_ALIGN / NLA_ALIGN: both align to 4 bytes. */
    public static int align(int len) {
        return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
    }
}
