package io.hactl.sync.netlink;

/**
 * rtnetlink (NETLINK_ROUTE) constants for links and addresses: message types, the family
 * headers' sizes, attributes and flags.
 *
 * <p>Translated from the uapi headers {@code linux/rtnetlink.h}, {@code linux/if_link.h},
 * {@code linux/if_addr.h} and {@code linux/if.h} under /usr/include. Every constant carries its
 * kernel name; the numbers are the kernel's ABI and never change. rtnetlink's attributes are in
 * host byte order, except addresses, which are in network order.
 */
public final class Rtnetlink {
    private Rtnetlink() {}

    // ---- message types: linux/rtnetlink.h ----
    public static final int RTM_NEWLINK = 16;         // RTM_NEWLINK
    public static final int RTM_DELLINK = 17;         // RTM_DELLINK
    public static final int RTM_GETLINK = 18;         // RTM_GETLINK
    public static final int RTM_NEWADDR = 20;         // RTM_NEWADDR
    public static final int RTM_DELADDR = 21;         // RTM_DELADDR
    public static final int RTM_GETADDR = 22;         // RTM_GETADDR

    // ---- family headers ----
    public static final int IFINFOMSG_LEN = 16;       // sizeof(struct ifinfomsg): family, pad, type, index, flags, change
    public static final int IFADDRMSG_LEN = 8;        // sizeof(struct ifaddrmsg): family, prefixlen, flags, scope, index

    // ---- link attributes: linux/if_link.h (enum IFLA_*) ----
    public static final int IFLA_ADDRESS = 1;         // IFLA_ADDRESS: link-layer address (MAC)
    public static final int IFLA_BROADCAST = 2;       // IFLA_BROADCAST
    public static final int IFLA_IFNAME = 3;          // IFLA_IFNAME: NUL-terminated name
    public static final int IFLA_MTU = 4;             // IFLA_MTU: u32
    public static final int IFLA_OPERSTATE = 16;      // IFLA_OPERSTATE: u8, RFC 2863 state (IF_OPER_*)

    // ---- operational states: linux/if.h (enum IF_OPER_*) ----
    public static final int IF_OPER_UNKNOWN = 0;      // IF_OPER_UNKNOWN
    public static final int IF_OPER_DOWN = 2;         // IF_OPER_DOWN
    public static final int IF_OPER_LOWERLAYERDOWN = 3; // IF_OPER_LOWERLAYERDOWN
    public static final int IF_OPER_UP = 6;           // IF_OPER_UP

    // ---- link flags (ifi_flags): linux/if.h (enum net_device_flags) ----
    public static final int IFF_UP = 1 << 0;          // IFF_UP: administratively up
    public static final int IFF_LOOPBACK = 1 << 3;    // IFF_LOOPBACK
    public static final int IFF_RUNNING = 1 << 6;     // IFF_RUNNING: RFC 2863 OPER_UP
    public static final int IFF_LOWER_UP = 1 << 16;   // IFF_LOWER_UP: carrier

    // ---- address attributes: linux/if_addr.h (enum IFA_*) ----
    public static final int IFA_ADDRESS = 1;          // IFA_ADDRESS: prefix (or peer) address
    public static final int IFA_LOCAL = 2;            // IFA_LOCAL: the local address
    public static final int IFA_LABEL = 3;            // IFA_LABEL
    public static final int IFA_FLAGS = 8;            // IFA_FLAGS: u32, extends ifa_flags

    // ---- address flags: linux/if_addr.h ----
    public static final int IFA_F_NODAD = 0x02;       // IFA_F_NODAD: no duplicate address detection
    public static final int IFA_F_TENTATIVE = 0x40;   // IFA_F_TENTATIVE
    public static final int IFA_F_PERMANENT = 0x80;   // IFA_F_PERMANENT

    // ---- address scopes: linux/rtnetlink.h (enum rt_scope_t) ----
    public static final int RT_SCOPE_UNIVERSE = 0;    // RT_SCOPE_UNIVERSE
    public static final int RT_SCOPE_LINK = 253;      // RT_SCOPE_LINK
    public static final int RT_SCOPE_HOST = 254;      // RT_SCOPE_HOST
}
