package io.hactl.sync.ctnetlink;

import static io.hactl.sync.sys.Sockets.*;
import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.AttrWriter;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.Tuple;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Encodes and decodes a {@link Tuple} as a nested CTA_TUPLE_* attribute. */
public final class TupleCodec {
    private TupleCodec() {}

    public static void encode(AttrWriter w, int attrType, Tuple t) {
        if (!Tuple.isIcmp(t.protocol())) {
            byte[] src = t.src().getAddress();
            encode(w, attrType, t.isIpv6(), src, 0, t.dst().getAddress(), 0, src.length,
                    t.protocol(), t.srcPort(), t.dstPort());
            return;
        }
        int tuple = w.nestStart(attrType);
        byte[] src = t.src().getAddress();
        ip(w, t.isIpv6(), src, 0, t.dst().getAddress(), 0, src.length);
        int proto = w.nestStart(CTA_TUPLE_PROTO);
        w.putU8(CTA_PROTO_NUM, t.protocol());
        if (t.protocol() == IPPROTO_ICMP) {
            w.putU16(CTA_PROTO_ICMP_ID, t.icmpId());
            w.putU8(CTA_PROTO_ICMP_TYPE, t.icmpType());
            w.putU8(CTA_PROTO_ICMP_CODE, t.icmpCode());
        } else {
            w.putU16(CTA_PROTO_ICMPV6_ID, t.icmpId());
            w.putU8(CTA_PROTO_ICMPV6_TYPE, t.icmpType());
            w.putU8(CTA_PROTO_ICMPV6_CODE, t.icmpCode());
        }
        w.nestEnd(proto);
        w.nestEnd(tuple);
    }

    /**
     * Writes a tuple of a protocol other than ICMP / ICMPv6 from raw addresses ({@code alen}
     * bytes each, at {@code srcOff} of {@code src} and {@code dstOff} of {@code dst}), without
     * building a {@link Tuple}: the ports are written when the protocol has them
     * ({@link Tuple#hasPorts}), ignored otherwise. The bytes are those of
     * {@link #encode(AttrWriter, int, Tuple)} for the same tuple.
     */
    public static void encode(AttrWriter w, int attrType, boolean ipv6, byte[] src, int srcOff, byte[] dst, int dstOff,
                              int alen, int protocol, int srcPort, int dstPort) {
        if (Tuple.isIcmp(protocol)) {
            throw new IllegalArgumentException("ICMP tuples carry id, type and code: encode them from a Tuple");
        }
        int tuple = w.nestStart(attrType);
        ip(w, ipv6, src, srcOff, dst, dstOff, alen);
        int proto = w.nestStart(CTA_TUPLE_PROTO);
        w.putU8(CTA_PROTO_NUM, protocol);
        if (Tuple.hasPorts(protocol)) {
            w.putU16(CTA_PROTO_SRC_PORT, srcPort);
            w.putU16(CTA_PROTO_DST_PORT, dstPort);
        }
        w.nestEnd(proto);
        w.nestEnd(tuple);
    }

    private static void ip(AttrWriter w, boolean ipv6, byte[] src, int srcOff, byte[] dst, int dstOff, int alen) {
        int ip = w.nestStart(CTA_TUPLE_IP);
        w.putBytes(ipv6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, src, srcOff, alen);
        w.putBytes(ipv6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, dst, dstOff, alen);
        w.nestEnd(ip);
    }

    /**
     * The source and destination address of the CTA_TUPLE_IP the reader {@code parent} stands
     * on (either null when absent); other attributes are counted in {@code stats} as unknown
     * when it is given. An error goes to {@code parent}.
     */
    static byte[][] addresses(AttrReader parent, DecodeStats stats) {
        AttrReader ip = parent.nested("CTA_TUPLE_IP");
        byte[][] both = new byte[2][];
        while (ip.next()) {
            switch (ip.type()) {
                case CTA_IP_V4_SRC -> both[0] = ip.bytes("CTA_IP_V4_SRC", 4);
                case CTA_IP_V4_DST -> both[1] = ip.bytes("CTA_IP_V4_DST", 4);
                case CTA_IP_V6_SRC -> both[0] = ip.bytes("CTA_IP_V6_SRC", 16);
                case CTA_IP_V6_DST -> both[1] = ip.bytes("CTA_IP_V6_DST", 16);
                default -> {
                    if (stats != null) {
                        stats.unknownAttributes.incrementAndGet();
                    }
                }
            }
        }
        parent.absorb(ip);
        return both;
    }

    /**
     * Decodes the payload of a CTA_TUPLE_* attribute the reader {@code parent} stands on. Returns
     * null and leaves the reason in {@code parent.error()} when it is malformed.
     */
    public static Tuple decode(AttrReader parent, String name, DecodeStats stats) {
        AttrReader r = parent.nested(name);
        byte[] src = null;
        byte[] dst = null;
        int proto = -1;
        int sport = 0, dport = 0, type = 0, code = 0, id = 0;
        while (r.next()) {
            switch (r.type()) {
                case CTA_TUPLE_IP -> {
                    byte[][] both = addresses(r, stats);
                    src = both[0] == null ? src : both[0];
                    dst = both[1] == null ? dst : both[1];
                }
                case CTA_TUPLE_PROTO -> {
                    AttrReader p = r.nested("CTA_TUPLE_PROTO");
                    while (p.next()) {
                        switch (p.type()) {
                            case CTA_PROTO_NUM -> proto = p.u8("CTA_PROTO_NUM");
                            case CTA_PROTO_SRC_PORT -> sport = p.u16("CTA_PROTO_SRC_PORT");
                            case CTA_PROTO_DST_PORT -> dport = p.u16("CTA_PROTO_DST_PORT");
                            case CTA_PROTO_ICMP_ID -> id = p.u16("CTA_PROTO_ICMP_ID");
                            case CTA_PROTO_ICMP_TYPE -> type = p.u8("CTA_PROTO_ICMP_TYPE");
                            case CTA_PROTO_ICMP_CODE -> code = p.u8("CTA_PROTO_ICMP_CODE");
                            case CTA_PROTO_ICMPV6_ID -> id = p.u16("CTA_PROTO_ICMPV6_ID");
                            case CTA_PROTO_ICMPV6_TYPE -> type = p.u8("CTA_PROTO_ICMPV6_TYPE");
                            case CTA_PROTO_ICMPV6_CODE -> code = p.u8("CTA_PROTO_ICMPV6_CODE");
                            default -> stats.unknownAttributes.incrementAndGet();
                        }
                    }
                    r.absorb(p);
                }
                case CTA_TUPLE_ZONE -> { /* directional zones: not used by hactl */ }
                default -> stats.unknownAttributes.incrementAndGet();
            }
        }
        if (!parent.absorb(r)) {
            return null;
        }
        if (src == null || dst == null) {
            parent.fail(name + ": missing CTA_TUPLE_IP source or destination");
            return null;
        }
        if (src.length != dst.length) {
            parent.fail(name + ": source and destination of different families");
            return null;
        }
        if (proto < 0) {
            parent.fail(name + ": missing CTA_PROTO_NUM");
            return null;
        }
        InetAddress s = address(src);
        InetAddress d = address(dst);
        if (Tuple.hasPorts(proto)) {
            return Tuple.ports(s, d, proto, sport, dport);
        }
        if (Tuple.isIcmp(proto)) {
            return new Tuple(s, d, proto, 0, 0, type, code, id);
        }
        return Tuple.other(s, d, proto);
    }

    static InetAddress address(byte[] raw) {
        try {
            // A 16-byte address stays an Inet6Address even when IPv4-mapped (::ffff:a.b.c.d):
            // InetAddress.getByAddress would turn it into an Inet4Address, changing the flow's
            // family and failing the Tuple check when only one side of the tuple is mapped.
            if (raw.length == 16) {
                return Inet6Address.getByAddress(null, raw, -1);
            }
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + raw.length + " bytes", e); // lengths checked by caller
        }
    }
}
