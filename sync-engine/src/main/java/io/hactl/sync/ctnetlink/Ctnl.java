package io.hactl.sync.ctnetlink;

/**
 * Kernel constants for nfnetlink and ctnetlink. Generic netlink constants are in
 * {@link io.hactl.sync.netlink.Netlink}, socket-level ones (address families, IP protocols) in
 * {@link io.hactl.sync.sys.Sockets}.
 *
 * <p>Translated from the uapi headers installed under /usr/include:
 * {@code linux/netfilter/nfnetlink.h}, {@code linux/netfilter/nfnetlink_conntrack.h},
 * {@code linux/netfilter/nf_conntrack_common.h} and {@code linux/netfilter/nf_conntrack_tcp.h}.
 * Every constant carries its kernel name; the numbers are the kernel's ABI and never change.
 */
public final class Ctnl {
    private Ctnl() {}

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

    /** The nlmsg_type of a ctnetlink conntrack message: subsystem in the high byte. */
    public static int ctMessageType(int ipctnlMsg) {
        return (NFNL_SUBSYS_CTNETLINK << 8) | ipctnlMsg;
    }

    /** The IPCTNL_MSG_* of an nlmsg_type (its low byte), meaningful when {@link #isCtnetlink} holds. */
    public static int ctType(int nlmsgType) {
        return nlmsgType & 0xff;
    }

    /** Whether an nlmsg_type belongs to the ctnetlink subsystem (NFNL_SUBSYS_ID, the high byte). */
    public static boolean isCtnetlink(int nlmsgType) {
        return (nlmsgType >>> 8) == NFNL_SUBSYS_CTNETLINK;
    }
}
