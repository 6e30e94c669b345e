package io.hactl.sync.conntrack;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One direction of a connection as the kernel tracks it: addresses, layer-4 protocol and the
 * protocol's identifiers (ports for TCP/UDP/SCTP/DCCP/UDP-Lite/GRE, type/code/id for ICMP and
 * ICMPv6, nothing for other protocols).
 *
 * <p>Fields that do not apply to the protocol must be zero, so that two tuples describing the
 * same connection are always equal.
 */
public record Tuple(InetAddress src, InetAddress dst, int protocol,
                    int srcPort, int dstPort, int icmpType, int icmpCode, int icmpId) {

    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int DCCP = 33;
    public static final int GRE = 47;
    public static final int ICMPV6 = 58;
    public static final int SCTP = 132;
    public static final int UDPLITE = 136;

    public Tuple {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        if (src.getClass() != dst.getClass()) {
            throw new IllegalArgumentException("src " + src.getHostAddress() + " and dst "
                    + dst.getHostAddress() + " are of different address families");
        }
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol " + protocol + " is not 0..255");
        }
        Values.checkU16("srcPort", srcPort);
        Values.checkU16("dstPort", dstPort);
        Values.checkU8("icmpType", icmpType);
        Values.checkU8("icmpCode", icmpCode);
        Values.checkU16("icmpId", icmpId);
        if (!hasPorts(protocol) && (srcPort != 0 || dstPort != 0)) {
            throw new IllegalArgumentException("protocol " + protocol + " has no ports");
        }
        if (!isIcmp(protocol) && (icmpType != 0 || icmpCode != 0 || icmpId != 0)) {
            throw new IllegalArgumentException("protocol " + protocol + " has no ICMP type/code/id");
        }
    }

    public static Tuple tcp(InetAddress src, InetAddress dst, int srcPort, int dstPort) {
        return new Tuple(src, dst, TCP, srcPort, dstPort, 0, 0, 0);
    }

    public static Tuple udp(InetAddress src, InetAddress dst, int srcPort, int dstPort) {
        return new Tuple(src, dst, UDP, srcPort, dstPort, 0, 0, 0);
    }

    public static Tuple ports(InetAddress src, InetAddress dst, int protocol, int srcPort, int dstPort) {
        return new Tuple(src, dst, protocol, srcPort, dstPort, 0, 0, 0);
    }

    /** ICMP or ICMPv6 (chosen by the address family). */
    public static Tuple icmp(InetAddress src, InetAddress dst, int type, int code, int id) {
        int proto = src instanceof Inet6Address ? ICMPV6 : ICMP;
        return new Tuple(src, dst, proto, 0, 0, type, code, id);
    }

    /** A protocol the kernel tracks by addresses only (generic tracker). */
    public static Tuple other(InetAddress src, InetAddress dst, int protocol) {
        return new Tuple(src, dst, protocol, 0, 0, 0, 0, 0);
    }

    public static boolean hasPorts(int protocol) {
        return protocol == TCP || protocol == UDP || protocol == SCTP || protocol == DCCP
                || protocol == UDPLITE || protocol == GRE;
    }

    public static boolean isIcmp(int protocol) {
        return protocol == ICMP || protocol == ICMPV6;
    }

    public boolean isIpv6() {
        return src instanceof Inet6Address;
    }

    public boolean isIpv4() {
        return src instanceof Inet4Address;
    }

    /**
     * The tuple of the other direction, as the kernel computes it for an un-NATed connection:
     * addresses and ports swapped; for ICMP echo the request type becomes the reply type.
     */
    public Tuple inverse() {
        if (isIcmp(protocol)) {
            return new Tuple(dst, src, protocol, 0, 0, invertIcmpType(), icmpCode, icmpId);
        }
        return new Tuple(dst, src, protocol, dstPort, srcPort, 0, 0, 0);
    }

    private int invertIcmpType() {
        if (protocol == ICMP) {
            return switch (icmpType) {
                case 8 -> 0;    // echo request -> echo reply
                case 0 -> 8;
                case 13 -> 14;  // timestamp
                case 14 -> 13;
                case 15 -> 16;  // info request
                case 16 -> 15;
                case 17 -> 18;  // address mask
                case 18 -> 17;
                default -> icmpType;
            };
        }
        return switch (icmpType) {
            case 128 -> 129;    // echo request -> echo reply
            case 129 -> 128;
            case 139 -> 140;    // node information query
            case 140 -> 139;
            default -> icmpType;
        };
    }

    @Override
    public String toString() {
        String p = switch (protocol) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMP -> "icmp";
            case ICMPV6 -> "icmpv6";
            case SCTP -> "sctp";
            case DCCP -> "dccp";
            case UDPLITE -> "udplite";
            case GRE -> "gre";
            default -> "proto" + protocol;
        };
        StringBuilder sb = new StringBuilder(p).append(" src=").append(src.getHostAddress())
                .append(" dst=").append(dst.getHostAddress());
        if (hasPorts(protocol)) {
            sb.append(" sport=").append(srcPort).append(" dport=").append(dstPort);
        } else if (isIcmp(protocol)) {
            sb.append(" type=").append(icmpType).append(" code=").append(icmpCode).append(" id=").append(icmpId);
        }
        return sb.toString();
    }

}
