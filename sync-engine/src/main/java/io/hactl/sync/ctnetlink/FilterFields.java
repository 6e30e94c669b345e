package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.filter.FlowFilter;
import io.hactl.sync.netlink.AttrReader;
import java.nio.ByteBuffer;

/**
 * What a {@link FlowFilter} judges of a conntrack message, read off its attributes without
 * decoding the flow: the original direction's protocol and addresses, and the TCP state when the
 * filter looks at it. A count of the table reads every entry: decoded into flows, each left
 * some 820 bytes of garbage behind; read so, about 310 (the readers and the addresses).
 */
final class FilterFields {
    private FilterFields() {}

    /**
     * Whether {@code filter} accepts the entry whose attributes lie in {@code msg} from
     * {@code start} to {@code end}; false, and {@code stats} counts it, when it is malformed.
     */
    static boolean accepted(FlowFilter filter, ByteBuffer msg, int start, int end, DecodeStats stats) {
        AttrReader r = new AttrReader(msg, start, end, "conntrack");
        int protocol = -1;
        byte[] src = null;
        byte[] dst = null;
        int tcpState = -1;
        boolean addresses = !filter.ignore().isEmpty();
        while (r.next()) {
            if (r.type() == CTA_TUPLE_ORIG) {
                AttrReader t = r.nested("CTA_TUPLE_ORIG");
                while (t.next()) {
                    if (t.type() == CTA_TUPLE_PROTO) {
                        protocol = nestedU8(t, "CTA_TUPLE_PROTO", CTA_PROTO_NUM, "CTA_PROTO_NUM", protocol);
                    } else if (t.type() == CTA_TUPLE_IP && addresses) {
                        byte[][] both = TupleCodec.addresses(t, null);
                        src = both[0];
                        dst = both[1];
                    }
                }
                r.absorb(t);
            } else if (r.type() == CTA_PROTOINFO) {
                AttrReader pi = r.nested("CTA_PROTOINFO");
                while (pi.next()) {
                    if (pi.type() == CTA_PROTOINFO_TCP) {
                        tcpState = nestedU8(pi, "CTA_PROTOINFO_TCP", CTA_PROTOINFO_TCP_STATE, "CTA_PROTOINFO_TCP_STATE",
                                tcpState);
                    }
                }
                r.absorb(pi);
            }
        }
        if (r.error() != null || protocol < 0 || addresses && (src == null || dst == null)) {
            stats.malformedMessages.incrementAndGet();
            return false;
        }
        return filter.accepts(protocol, src, dst, tcpState);
    }

    /**
     * The u8 attribute {@code type} ({@code name}) inside the nested attribute {@code nest} the
     * reader {@code parent} stands on; {@code otherwise} when it holds none. An error goes to
     * {@code parent}.
     */
    private static int nestedU8(AttrReader parent, String nest, int type, String name, int otherwise) {
        AttrReader r = parent.nested(nest);
        int value = otherwise;
        while (r.next()) {
            if (r.type() == type) {
                value = r.u8(name);
            }
        }
        parent.absorb(r);
        return value;
    }
}
