package io.hactl.sync.ctnetlink;

/**
 * Kernel constants for netlink and ctnetlink, one holder for the whole protocol.
 *
 * <p>Translated from the uapi headers installed under /usr/include: {@code linux/netlink.h},
 * {@code linux/netfilter/nfnetlink.h}, {@code linux/netfilter/nfnetlink_conntrack.h},
 * {@code linux/netfilter/nf_conntrack_common.h}, {@code linux/netfilter/nf_conntrack_tcp.h}
 * and {@code asm-generic/socket.h}. Every constant carries its kernel name; the numbers are the
 * kernel's ABI and never change.
 */
public final class Ctnl {
    private Ctnl() {}

    // ---- sockets: linux/socket.h, asm-generic/socket.h, linux/netlink.h ----
    public static final int AF_UNSPEC = 0;            // AF_UNSPEC
    public static final int AF_INET = 2;              // AF_INET
    public static final int AF_NETLINK = 16;          // AF_NETLINK
    public static final int AF_INET6 = 10;            // AF_INET6
    public static final int SOCK_RAW = 3;             // SOCK_RAW
    public static final int SOCK_CLOEXEC = 02000000;  // SOCK_CLOEXEC
    public static final int NETLINK_NETFILTER = 12;   // NETLINK_NETFILTER
    public static final int SOL_SOCKET = 1;           // SOL_SOCKET
    public static final int SO_SNDBUF = 7;            // SO_SNDBUF
    public static final int SO_RCVBUF = 8;            // SO_RCVBUF
    public static final int SO_RCVTIMEO = 20;         // SO_RCVTIMEO_OLD (struct timeval on 64-bit)
    public static final int SO_ATTACH_FILTER = 26;    // SO_ATTACH_FILTER (classic BPF, struct sock_fprog)
    public static final int SO_SNDBUFFORCE = 32;      // SO_SNDBUFFORCE
    public static final int SO_RCVBUFFORCE = 33;      // SO_RCVBUFFORCE
    public static final int SOL_NETLINK = 270;        // SOL_NETLINK
    public static final int NETLINK_ADD_MEMBERSHIP = 1;   // NETLINK_ADD_MEMBERSHIP
    public static final int NETLINK_DROP_MEMBERSHIP = 2;  // NETLINK_DROP_MEMBERSHIP
    public static final int NETLINK_BROADCAST_ERROR = 4;  // NETLINK_BROADCAST_ERROR
    public static final int NETLINK_NO_ENOBUFS = 5;       // NETLINK_NO_ENOBUFS
    public static final int NETLINK_CAP_ACK = 10;         // NETLINK_CAP_ACK
    public static final int NETLINK_EXT_ACK = 11;         // NETLINK_EXT_ACK
    public static final int MSG_TRUNC = 0x20;             // MSG_TRUNC
    public static final int MSG_DONTWAIT = 0x40;          // MSG_DONTWAIT

    // ---- netlink message header: linux/netlink.h ----
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

    // ---- attributes: linux/netlink.h ----
    public static final int NLA_HDRLEN = 4;           // NLA_HDRLEN
    public static final int NLA_ALIGNTO = 4;          // NLA_ALIGNTO
    public static final int NLA_F_NESTED = 1 << 15;   // NLA_F_NESTED
    public static final int NLA_F_NET_BYTEORDER = 1 << 14; // NLA_F_NET_BYTEORDER
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff; // NLA_TYPE_MASK

    // ---- nfnetlink: linux/netfilter/nfnetlink.h ----
    public static final int NFGENMSG_LEN = 4;         // sizeof(struct nfgenmsg)
    public static final int NFNETLINK_V0 = 0;         // NFNETLINK_V0
    public static final int NFNL_SUBSYS_CTNETLINK = 1; // NFNL_SUBSYS_CTNETLINK
    public static final int NFNLGRP_CONNTRACK_NEW = 1;     // NFNLGRP_CONNTRACK_NEW
    public static final int NFNLGRP_CONNTRACK_UPDATE = 2;  // NFNLGRP_CONNTRACK_UPDATE
    public static final int NFNLGRP_CONNTRACK_DESTROY = 3; // NFNLGRP_CONNTRACK_DESTROY

    // ---- message types: enum cntl_msg_types ----
    public static final int IPCTNL_MSG_CT_NEW = 0;        // IPCTNL_MSG_CT_NEW
    public static final int IPCTNL_MSG_CT_GET = 1;        // IPCTNL_MSG_CT_GET
    public static final int IPCTNL_MSG_CT_DELETE = 2;     // IPCTNL_MSG_CT_DELETE
    public static final int IPCTNL_MSG_CT_GET_CTRZERO = 3; // IPCTNL_MSG_CT_GET_CTRZERO
    public static final int IPCTNL_MSG_CT_GET_STATS_CPU = 4; // IPCTNL_MSG_CT_GET_STATS_CPU
    public static final int IPCTNL_MSG_CT_GET_STATS = 5;  // IPCTNL_MSG_CT_GET_STATS

    // ---- enum ctattr_type ----
    public static final int CTA_TUPLE_ORIG = 1;       // CTA_TUPLE_ORIG
    public static final int CTA_TUPLE_REPLY = 2;      // CTA_TUPLE_REPLY
    public static final int CTA_STATUS = 3;           // CTA_STATUS
    public static final int CTA_PROTOINFO = 4;        // CTA_PROTOINFO
    public static final int CTA_HELP = 5;             // CTA_HELP
    public static final int CTA_NAT_SRC = 6;          // CTA_NAT_SRC
    public static final int CTA_TIMEOUT = 7;          // CTA_TIMEOUT
    public static final int CTA_MARK = 8;             // CTA_MARK
    public static final int CTA_COUNTERS_ORIG = 9;    // CTA_COUNTERS_ORIG
    public static final int CTA_COUNTERS_REPLY = 10;  // CTA_COUNTERS_REPLY
    public static final int CTA_USE = 11;             // CTA_USE
    public static final int CTA_ID = 12;              // CTA_ID
    public static final int CTA_NAT_DST = 13;         // CTA_NAT_DST
    public static final int CTA_TUPLE_MASTER = 14;    // CTA_TUPLE_MASTER
    public static final int CTA_SEQ_ADJ_ORIG = 15;    // CTA_SEQ_ADJ_ORIG
    public static final int CTA_SEQ_ADJ_REPLY = 16;   // CTA_SEQ_ADJ_REPLY
    public static final int CTA_SECMARK = 17;         // CTA_SECMARK (obsolete)
    public static final int CTA_ZONE = 18;            // CTA_ZONE
    public static final int CTA_SECCTX = 19;          // CTA_SECCTX
    public static final int CTA_TIMESTAMP = 20;       // CTA_TIMESTAMP
    public static final int CTA_MARK_MASK = 21;       // CTA_MARK_MASK
    public static final int CTA_LABELS = 22;          // CTA_LABELS
    public static final int CTA_LABELS_MASK = 23;     // CTA_LABELS_MASK
    public static final int CTA_SYNPROXY = 24;        // CTA_SYNPROXY
    public static final int CTA_FILTER = 25;          // CTA_FILTER
    public static final int CTA_STATUS_MASK = 26;     // CTA_STATUS_MASK
    /** Highest attribute this codec knows ({@code CTA_MAX} of the headers it was written from). */
    public static final int CTA_MAX = CTA_STATUS_MASK;

    // ---- enum ctattr_tuple ----
    public static final int CTA_TUPLE_IP = 1;         // CTA_TUPLE_IP
    public static final int CTA_TUPLE_PROTO = 2;      // CTA_TUPLE_PROTO
    public static final int CTA_TUPLE_ZONE = 3;       // CTA_TUPLE_ZONE

    // ---- enum ctattr_ip ----
    public static final int CTA_IP_V4_SRC = 1;        // CTA_IP_V4_SRC
    public static final int CTA_IP_V4_DST = 2;        // CTA_IP_V4_DST
    public static final int CTA_IP_V6_SRC = 3;        // CTA_IP_V6_SRC
    public static final int CTA_IP_V6_DST = 4;        // CTA_IP_V6_DST

    // ---- enum ctattr_l4proto ----
    public static final int CTA_PROTO_NUM = 1;        // CTA_PROTO_NUM
    public static final int CTA_PROTO_SRC_PORT = 2;   // CTA_PROTO_SRC_PORT
    public static final int CTA_PROTO_DST_PORT = 3;   // CTA_PROTO_DST_PORT
    public static final int CTA_PROTO_ICMP_ID = 4;    // CTA_PROTO_ICMP_ID
    public static final int CTA_PROTO_ICMP_TYPE = 5;  // CTA_PROTO_ICMP_TYPE
    public static final int CTA_PROTO_ICMP_CODE = 6;  // CTA_PROTO_ICMP_CODE
    public static final int CTA_PROTO_ICMPV6_ID = 7;  // CTA_PROTO_ICMPV6_ID
    public static final int CTA_PROTO_ICMPV6_TYPE = 8; // CTA_PROTO_ICMPV6_TYPE
    public static final int CTA_PROTO_ICMPV6_CODE = 9; // CTA_PROTO_ICMPV6_CODE

    // ---- enum ctattr_protoinfo and its members ----
    public static final int CTA_PROTOINFO_TCP = 1;    // CTA_PROTOINFO_TCP
    public static final int CTA_PROTOINFO_DCCP = 2;   // CTA_PROTOINFO_DCCP
    public static final int CTA_PROTOINFO_SCTP = 3;   // CTA_PROTOINFO_SCTP
    public static final int CTA_PROTOINFO_TCP_STATE = 1;          // CTA_PROTOINFO_TCP_STATE
    public static final int CTA_PROTOINFO_TCP_WSCALE_ORIGINAL = 2; // CTA_PROTOINFO_TCP_WSCALE_ORIGINAL
    public static final int CTA_PROTOINFO_TCP_WSCALE_REPLY = 3;   // CTA_PROTOINFO_TCP_WSCALE_REPLY
    public static final int CTA_PROTOINFO_TCP_FLAGS_ORIGINAL = 4; // CTA_PROTOINFO_TCP_FLAGS_ORIGINAL
    public static final int CTA_PROTOINFO_TCP_FLAGS_REPLY = 5;    // CTA_PROTOINFO_TCP_FLAGS_REPLY
    public static final int CTA_PROTOINFO_DCCP_STATE = 1;         // CTA_PROTOINFO_DCCP_STATE
    public static final int CTA_PROTOINFO_DCCP_ROLE = 2;          // CTA_PROTOINFO_DCCP_ROLE
    public static final int CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ = 3; // CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ
    public static final int CTA_PROTOINFO_SCTP_STATE = 1;         // CTA_PROTOINFO_SCTP_STATE
    public static final int CTA_PROTOINFO_SCTP_VTAG_ORIGINAL = 2; // CTA_PROTOINFO_SCTP_VTAG_ORIGINAL
    public static final int CTA_PROTOINFO_SCTP_VTAG_REPLY = 3;    // CTA_PROTOINFO_SCTP_VTAG_REPLY

    // ---- enum ctattr_nat, ctattr_protonat ----
    public static final int CTA_NAT_V4_MINIP = 1;     // CTA_NAT_V4_MINIP
    public static final int CTA_NAT_V4_MAXIP = 2;     // CTA_NAT_V4_MAXIP
    public static final int CTA_NAT_PROTO = 3;        // CTA_NAT_PROTO
    public static final int CTA_NAT_V6_MINIP = 4;     // CTA_NAT_V6_MINIP
    public static final int CTA_NAT_V6_MAXIP = 5;     // CTA_NAT_V6_MAXIP
    public static final int CTA_PROTONAT_PORT_MIN = 1; // CTA_PROTONAT_PORT_MIN
    public static final int CTA_PROTONAT_PORT_MAX = 2; // CTA_PROTONAT_PORT_MAX

    // ---- enum ctattr_seqadj ----
    public static final int CTA_SEQADJ_CORRECTION_POS = 1; // CTA_SEQADJ_CORRECTION_POS
    public static final int CTA_SEQADJ_OFFSET_BEFORE = 2;  // CTA_SEQADJ_OFFSET_BEFORE
    public static final int CTA_SEQADJ_OFFSET_AFTER = 3;   // CTA_SEQADJ_OFFSET_AFTER

    // ---- enum ctattr_synproxy ----
    public static final int CTA_SYNPROXY_ISN = 1;     // CTA_SYNPROXY_ISN
    public static final int CTA_SYNPROXY_ITS = 2;     // CTA_SYNPROXY_ITS
    public static final int CTA_SYNPROXY_TSOFF = 3;   // CTA_SYNPROXY_TSOFF

    // ---- enum ctattr_help ----
    public static final int CTA_HELP_NAME = 1;        // CTA_HELP_NAME

    // ---- enum ctattr_stats_global ----
    public static final int CTA_STATS_GLOBAL_ENTRIES = 1;     // CTA_STATS_GLOBAL_ENTRIES
    public static final int CTA_STATS_GLOBAL_MAX_ENTRIES = 2; // CTA_STATS_GLOBAL_MAX_ENTRIES

    // ---- status bits: enum ip_conntrack_status (nf_conntrack_common.h) ----
    public static final long IPS_EXPECTED = 1 << 0;     // IPS_EXPECTED
    public static final long IPS_SEEN_REPLY = 1 << 1;   // IPS_SEEN_REPLY
    public static final long IPS_ASSURED = 1 << 2;      // IPS_ASSURED
    public static final long IPS_CONFIRMED = 1 << 3;    // IPS_CONFIRMED
    public static final long IPS_SRC_NAT = 1 << 4;      // IPS_SRC_NAT
    public static final long IPS_DST_NAT = 1 << 5;      // IPS_DST_NAT
    public static final long IPS_SEQ_ADJUST = 1 << 6;   // IPS_SEQ_ADJUST
    public static final long IPS_SRC_NAT_DONE = 1 << 7; // IPS_SRC_NAT_DONE
    public static final long IPS_DST_NAT_DONE = 1 << 8; // IPS_DST_NAT_DONE
    public static final long IPS_DYING = 1 << 9;        // IPS_DYING
    public static final long IPS_FIXED_TIMEOUT = 1 << 10; // IPS_FIXED_TIMEOUT
    public static final long IPS_TEMPLATE = 1 << 11;    // IPS_TEMPLATE
    public static final long IPS_UNTRACKED = 1 << 12;   // IPS_UNTRACKED
    public static final long IPS_HELPER = 1 << 13;      // IPS_HELPER
    public static final long IPS_OFFLOAD = 1 << 14;     // IPS_OFFLOAD
    public static final long IPS_HW_OFFLOAD = 1 << 15;  // IPS_HW_OFFLOAD
    /** IPS_UNCHANGEABLE_MASK: bits userspace may not set or clear through ctnetlink. */
    public static final long IPS_UNCHANGEABLE_MASK = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE | IPS_SRC_NAT
            | IPS_DST_NAT | IPS_EXPECTED | IPS_CONFIRMED | IPS_DYING | IPS_SEQ_ADJUST | IPS_TEMPLATE
            | IPS_UNTRACKED | IPS_OFFLOAD | IPS_HW_OFFLOAD;

    // ---- TCP window tracking flags: nf_conntrack_tcp.h ----
    public static final int IP_CT_TCP_FLAG_WINDOW_SCALE = 0x01;         // IP_CT_TCP_FLAG_WINDOW_SCALE
    public static final int IP_CT_TCP_FLAG_SACK_PERM = 0x02;            // IP_CT_TCP_FLAG_SACK_PERM
    public static final int IP_CT_TCP_FLAG_CLOSE_INIT = 0x04;           // IP_CT_TCP_FLAG_CLOSE_INIT
    public static final int IP_CT_TCP_FLAG_BE_LIBERAL = 0x08;           // IP_CT_TCP_FLAG_BE_LIBERAL
    public static final int IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED = 0x10;  // IP_CT_TCP_FLAG_DATA_UNACKNOWLEDGED
    public static final int IP_CT_TCP_FLAG_MAXACK_SET = 0x20;           // IP_CT_TCP_FLAG_MAXACK_SET

    // ---- IP protocol numbers: netinet/in.h (IANA) ----
    public static final int IPPROTO_ICMP = 1;         // IPPROTO_ICMP
    public static final int IPPROTO_TCP = 6;          // IPPROTO_TCP
    public static final int IPPROTO_UDP = 17;         // IPPROTO_UDP
    public static final int IPPROTO_DCCP = 33;        // IPPROTO_DCCP
    public static final int IPPROTO_GRE = 47;         // IPPROTO_GRE
    public static final int IPPROTO_ICMPV6 = 58;      // IPPROTO_ICMPV6
    public static final int IPPROTO_SCTP = 132;       // IPPROTO_SCTP
    public static final int IPPROTO_UDPLITE = 136;    // IPPROTO_UDPLITE

    /** The nlmsg_type of a ctnetlink conntrack message: subsystem in the high byte. */
    public static int ctMessageType(int ipctnlMsg) {
        return (NFNL_SUBSYS_CTNETLINK << 8) | ipctnlMsg;
    }

    public static int align(int len) {
        return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
    }
}
