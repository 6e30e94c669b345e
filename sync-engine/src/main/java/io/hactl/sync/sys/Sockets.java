package io.hactl.sync.sys;

/**
 * Socket-level constants for the libc calls in {@link LibC}: address families, socket types,
 * SOL_SOCKET options, send/receive flags and IP protocol numbers.
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

    // ---- socket types: bits/socket_type.h ----
    public static final int SOCK_RAW = 3;             // SOCK_RAW
    public static final int SOCK_CLOEXEC = 02000000;  // SOCK_CLOEXEC

    // ---- options at level SOL_SOCKET: asm-generic/socket.h ----
    public static final int SOL_SOCKET = 1;           // SOL_SOCKET
    public static final int SO_SNDBUF = 7;            // SO_SNDBUF
    public static final int SO_RCVBUF = 8;            // SO_RCVBUF
    public static final int SO_RCVTIMEO = 20;         // SO_RCVTIMEO_OLD (struct timeval on 64-bit)
    public static final int SO_ATTACH_FILTER = 26;    // SO_ATTACH_FILTER (classic BPF, struct sock_fprog)
    public static final int SO_SNDBUFFORCE = 32;      // SO_SNDBUFFORCE
    public static final int SO_RCVBUFFORCE = 33;      // SO_RCVBUFFORCE

    // ---- send/recv flags: bits/socket.h ----
    public static final int MSG_TRUNC = 0x20;         // MSG_TRUNC
    public static final int MSG_DONTWAIT = 0x40;      // MSG_DONTWAIT

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
