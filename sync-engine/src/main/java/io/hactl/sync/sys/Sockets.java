package io.hactl.sync.sys;

/**
 * Socket-level constants for the libc calls in {@link LibC}: address families, socket types,
 * SOL_SOCKET, IPPROTO_IP and IPPROTO_IPV6 options, address sizes, AF_PACKET protocol numbers,
 * send/receive and poll flags, IP protocol numbers.
 *
 * <p>Translated from {@code bits/socket.h} / {@code linux/socket.h}, {@code asm-generic/socket.h}
 * and {@code netinet/in.h} (IANA protocol numbers). Every constant carries its C name; the
 * numbers are the Linux ABI (x86-64, arm64) and never change.
 */
public final class Sockets {
    private Sockets() {}

    // ---- address families: linux/socket.h ----
    public static final int AF_UNSPEC = 0;            // AF_UNSPEC
    public static final int AF_INET = 2;              // AF_INET
    public static final int AF_INET6 = 10;            // AF_INET6
    public static final int AF_NETLINK = 16;          // AF_NETLINK
    public static final int AF_PACKET = 17;           // AF_PACKET

    // ---- socket types: bits/socket_type.h ----
    public static final int SOCK_DGRAM = 2;           // SOCK_DGRAM
    public static final int SOCK_RAW = 3;             // SOCK_RAW
    public static final int SOCK_NONBLOCK = 04000;    // SOCK_NONBLOCK
    public static final int SOCK_CLOEXEC = 02000000;  // SOCK_CLOEXEC

    // ---- options at level SOL_SOCKET: asm-generic/socket.h ----
    public static final int SOL_SOCKET = 1;           // SOL_SOCKET
    public static final int SO_SNDBUF = 7;            // SO_SNDBUF
    public static final int SO_RCVBUF = 8;            // SO_RCVBUF
    public static final int SO_RCVTIMEO = 20;         // SO_RCVTIMEO_OLD (struct timeval on 64-bit)
    public static final int SO_BINDTODEVICE = 25;     // SO_BINDTODEVICE (interface name, NUL-terminated)
    public static final int SO_ATTACH_FILTER = 26;    // SO_ATTACH_FILTER (classic BPF, struct sock_fprog)
    public static final int SO_SNDBUFFORCE = 32;      // SO_SNDBUFFORCE
    public static final int SO_RCVBUFFORCE = 33;      // SO_RCVBUFFORCE
    public static final int SO_TIMESTAMPNS = 35;      // SO_TIMESTAMPNS_OLD (struct timespec on 64-bit)
    public static final int SCM_TIMESTAMPNS = SO_TIMESTAMPNS; // its control message

    // ---- send/recv flags: bits/socket.h ----
    public static final int MSG_TRUNC = 0x20;         // MSG_TRUNC
    public static final int MSG_DONTWAIT = 0x40;      // MSG_DONTWAIT
    public static final int MSG_WAITFORONE = 0x10000; // MSG_WAITFORONE (recvmmsg: wait for the first datagram only)

    // ---- options at level IPPROTO_IP: linux/in.h ----
    public static final int IPPROTO_IP = 0;           // IPPROTO_IP (as a socket option level)
    public static final int IP_TTL = 2;               // IP_TTL (int)
    public static final int IP_FREEBIND = 15;         // IP_FREEBIND (int): bind to an address not (yet) usable
    public static final int IP_MULTICAST_IF = 32;     // IP_MULTICAST_IF (struct ip_mreqn)
    public static final int IP_MULTICAST_TTL = 33;    // IP_MULTICAST_TTL (int or u8)
    public static final int IP_MULTICAST_LOOP = 34;   // IP_MULTICAST_LOOP (int or u8)
    public static final int IP_ADD_MEMBERSHIP = 35;   // IP_ADD_MEMBERSHIP (struct ip_mreqn)
    public static final int IP_MREQN_LEN = 12;        // sizeof(struct ip_mreqn): group, address, ifindex

    // ---- options at level IPPROTO_IPV6: linux/in6.h ----
    public static final int IPPROTO_IPV6 = 41;        // IPPROTO_IPV6 (as a socket option level)
    public static final int IPV6_UNICAST_HOPS = 16;   // IPV6_UNICAST_HOPS (int)
    public static final int IPV6_MULTICAST_IF = 17;   // IPV6_MULTICAST_IF (int ifindex)
    public static final int IPV6_MULTICAST_HOPS = 18; // IPV6_MULTICAST_HOPS (int)
    public static final int IPV6_MULTICAST_LOOP = 19; // IPV6_MULTICAST_LOOP (int)
    public static final int IPV6_ADD_MEMBERSHIP = 20; // IPV6_ADD_MEMBERSHIP = IPV6_JOIN_GROUP (struct ipv6_mreq)
    public static final int IPV6_MREQ_LEN = 20;       // sizeof(struct ipv6_mreq): group, ifindex
    public static final int IPV6_RECVPKTINFO = 49;    // IPV6_RECVPKTINFO (int): ask for IPV6_PKTINFO cmsgs
    public static final int IPV6_PKTINFO = 50;        // IPV6_PKTINFO (cmsg: struct in6_pktinfo)
    public static final int IPV6_RECVHOPLIMIT = 51;   // IPV6_RECVHOPLIMIT (int): ask for IPV6_HOPLIMIT cmsgs
    public static final int IPV6_HOPLIMIT = 52;       // IPV6_HOPLIMIT (cmsg: int)
    public static final int IPV6_FREEBIND = 78;       // IPV6_FREEBIND (int): bind to an address not (yet) usable

    // ---- options at level IPPROTO_ICMPV6: linux/icmpv6.h ----
    public static final int ICMPV6_FILTER = 1;        // ICMPV6_FILTER (struct icmp6_filter: 256 bits, set = block)
    public static final int ICMPV6_FILTER_LEN = 32;   // sizeof(struct icmp6_filter)

    // ---- socket address sizes: linux/in.h, linux/in6.h, linux/if_packet.h ----
    public static final int SOCKADDR_IN_LEN = 16;     // sizeof(struct sockaddr_in)
    public static final int SOCKADDR_IN6_LEN = 28;    // sizeof(struct sockaddr_in6)
    public static final int SOCKADDR_LL_LEN = 20;     // sizeof(struct sockaddr_ll)

    // ---- Ethernet protocol numbers for AF_PACKET: linux/if_ether.h ----
    public static final int ETH_P_ALL = 0x0003;       // ETH_P_ALL: every packet
    public static final int ETH_P_IP = 0x0800;        // ETH_P_IP
    public static final int ETH_P_ARP = 0x0806;       // ETH_P_ARP
    public static final int ETH_P_IPV6 = 0x86DD;      // ETH_P_IPV6

    // ---- poll(2) events: asm-generic/poll.h ----
    public static final short POLLIN = 0x0001;        // POLLIN
    public static final short POLLERR = 0x0008;       // POLLERR
    public static final short POLLHUP = 0x0010;       // POLLHUP
    public static final short POLLNVAL = 0x0020;      // POLLNVAL

    // ---- IP protocol numbers: netinet/in.h (IANA) ----
    public static final int IPPROTO_ICMP = 1;         // IPPROTO_ICMP
    public static final int IPPROTO_TCP = 6;          // IPPROTO_TCP
    public static final int IPPROTO_UDP = 17;         // IPPROTO_UDP
    public static final int IPPROTO_DCCP = 33;        // IPPROTO_DCCP
    public static final int IPPROTO_GRE = 47;         // IPPROTO_GRE
    public static final int IPPROTO_ICMPV6 = 58;      // IPPROTO_ICMPV6
    public static final int IPPROTO_SCTP = 132;       // IPPROTO_SCTP
    public static final int IPPROTO_UDPLITE = 136;    // IPPROTO_UDPLITE
}
