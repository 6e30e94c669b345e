package io.hactl.sync.engine;

import static io.hactl.sync.wire.CompactFormat.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.ctnetlink.FlowCodec;
import io.hactl.sync.ctnetlink.TupleCodec;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;

/**
 * Writes the CT_NEW attributes of a commit straight from a flow's compact encoding, planned as
 * {@link CommitPlanner} plans it: the bytes {@code FlowCodec.encode(planner.plan(decode(enc)))}
 * would write, without building the flow. The common shape (IPv4 or IPv6, a protocol with ports
 * or none, reply tuple the inverse of the original, TCP state or no protocol state, no master,
 * NAT, sequence adjustment, helper, labels or synproxy) is transcoded directly; anything else
 * takes the decode, plan and encode path. The attributes themselves are written by
 * {@link FlowCodec} and {@link TupleCodec}, the one Flow-to-netlink encoder: this class only reads
 * the compact fields and applies the plan.
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

    /**
     * Writes the attributes of {@code enc} as updated at {@code updatedAt}, committed at {@code now};
     * returns the timeout written, in seconds.
     */
    long write(AttrWriter w, byte[] enc, long updatedAt, long now) throws CompactFlowException {
        if (!CompactFlow.isCommonShape(enc)) {
            Flow planned = planner.plan(CompactFlow.decode(enc), updatedAt, now);
            FlowCodec.encode(w, planned);
            return planned.timeout();
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
        boolean ipv6 = family == FAMILY_IPV6;
        int sport = ports ? u16(enc, id) : 0;
        int dport = ports ? u16(enc, id + 2) : 0;
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_ORIG, ipv6, enc, src, enc, dst, alen, protocol, sport, dport);
        TupleCodec.encode(w, Ctnl.CTA_TUPLE_REPLY, ipv6, enc, dst, enc, src, alen, protocol, dport, sport);
        int at = keyLen + 2;
        long status = u32(enc, at);
        at += 4;
        long received = -1;
        if ((presence & PRESENT_TIMEOUT) != 0) {
            received = u32(enc, at);
            at += 4;
        }
        long mark = Flow.ABSENT;
        if ((presence & PRESENT_MARK) != 0) {
            mark = u32(enc, at);
            at += 4;
        }
        long timeout = planner.timeout(received, updatedAt, now);
        FlowCodec.encodeState(w, zone, status, timeout, planner.mark(mark));
        if ((presence & PRESENT_PROTOINFO) != 0) {
            int liberal = planner.windowTracking() ? 0 : Ctnl.IP_CT_TCP_FLAG_BE_LIBERAL;
            FlowCodec.encodeTcpInfo(w, enc[at] & 0xff, enc[at + 1] & 0xff, enc[at + 2] & 0xff,
                    (enc[at + 3] & 0xff) | liberal, (enc[at + 4] & 0xff) | liberal);
        }
        return timeout;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
