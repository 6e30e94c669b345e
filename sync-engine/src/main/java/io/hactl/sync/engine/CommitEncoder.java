package io.hactl.sync.engine;

import static io.hactl.sync.sys.Sockets.*;
import static io.hactl.sync.wire.CompactFormat.*;
import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.ctnetlink.FlowCodec;

/**
 * Writes the CT_NEW attributes of a commit straight from a flow's compact encoding, planned as
 * {@link CommitPlanner} plans it: the bytes {@code FlowCodec.encode(planner.plan(decode(enc)))}
 * would write, without building the flow. The common shape (IPv4 or IPv6, a protocol with ports
 * or none, reply tuple the inverse of the original, TCP state or no protocol state, no master,
 * NAT, sequence adjustment, helper, labels or synproxy) is transcoded directly; anything else
 * takes the decode, plan and encode path.
 */
final class CommitEncoder {
    private final CommitPlanner planner;

    CommitEncoder(CommitPlanner planner) {
        this.planner = planner;
    }

    /** The address family of an encoding (AF_INET or AF_INET6), for the message header. */
    static int family(byte[] enc) {
        return enc[1] & 0xff;
    }

    /** Writes the attributes of {@code enc} as updated at {@code updatedAt}, committed at {@code now}. */
    void write(AttrWriter w, byte[] enc, long updatedAt, long now) throws CompactFlowException {
        if (!CompactFlow.isCommonShape(enc)) {
            FlowCodec.encode(w, planner.plan(CompactFlow.decode(enc), updatedAt, now));
            return;
        }
        int family = family(enc);
        int protocol = enc[2] & 0xff;
        int alen = addressBytes(family);
        boolean ports = Tuple.hasPorts(protocol);
        int keyLen = KEY_HEADER_BYTES + 2 * alen + (ports ? 4 : 0);
        int presence = u16(enc, keyLen);
        int zone = u16(enc, 3);
        int src = KEY_HEADER_BYTES;
        int dst = src + alen;
        int id = dst + alen;
        tuple(w, CTA_TUPLE_ORIG, enc, family, alen, protocol, ports, src, dst, id, false);
        tuple(w, CTA_TUPLE_REPLY, enc, family, alen, protocol, ports, dst, src, id, true);
        if (zone != 0) {
            w.putU16(CTA_ZONE, zone);
        }
        int at = keyLen + 2;
        w.putU32(CTA_STATUS, FlowCodec.writableStatus(u32(enc, at)));
        at += 4;
        long received = -1;
        if ((presence & PRESENT_TIMEOUT) != 0) {
            received = u32(enc, at);
            at += 4;
        }
        w.putU32(CTA_TIMEOUT, planner.timeout(received, updatedAt, now));
        long mark = io.hactl.sync.conntrack.Flow.ABSENT;
        if ((presence & PRESENT_MARK) != 0) {
            mark = u32(enc, at);
            at += 4;
        }
        w.putU32(CTA_MARK, planner.mark(mark));
        if ((presence & PRESENT_PROTOINFO) != 0) {
            int liberal = planner.windowTracking() ? 0 : IP_CT_TCP_FLAG_BE_LIBERAL;
            int pi = w.nestStart(CTA_PROTOINFO);
            int tcp = w.nestStart(CTA_PROTOINFO_TCP);
            w.putU8(CTA_PROTOINFO_TCP_STATE, enc[at] & 0xff);
            w.putU8(CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, enc[at + 1] & 0xff);
            w.putU8(CTA_PROTOINFO_TCP_WSCALE_REPLY, enc[at + 2] & 0xff);
            w.putU8Pair(CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, (enc[at + 3] & 0xff) | liberal, 0xff);
            w.putU8Pair(CTA_PROTOINFO_TCP_FLAGS_REPLY, (enc[at + 4] & 0xff) | liberal, 0xff);
            w.nestEnd(tcp);
            w.nestEnd(pi);
        }
    }

    /** A tuple from the encoding; the reply swaps addresses (given swapped) and ports. */
    private static void tuple(AttrWriter w, int type, byte[] enc, int family, int alen, int protocol, boolean ports,
                              int src, int dst, int id, boolean swapPorts) {
        int tuple = w.nestStart(type);
        int ip = w.nestStart(CTA_TUPLE_IP);
        w.putBytes(family == FAMILY_IPV6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, enc, src, alen);
        w.putBytes(family == FAMILY_IPV6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, enc, dst, alen);
        w.nestEnd(ip);
        int proto = w.nestStart(CTA_TUPLE_PROTO);
        w.putU8(CTA_PROTO_NUM, protocol);
        if (ports) {
            int sport = u16(enc, id);
            int dport = u16(enc, id + 2);
            w.putU16(CTA_PROTO_SRC_PORT, swapPorts ? dport : sport);
            w.putU16(CTA_PROTO_DST_PORT, swapPorts ? sport : dport);
        }
        w.nestEnd(proto);
        w.nestEnd(tuple);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
