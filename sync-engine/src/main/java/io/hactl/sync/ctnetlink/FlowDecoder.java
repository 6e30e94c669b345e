package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.ProtoInfo;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.Synproxy;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * The decoding half of {@link FlowCodec}: the attributes of a conntrack message from the kernel
 * back into a {@link Flow}. Attributes it does not know are skipped and counted in
 * {@link DecodeStats} (the kernel keeps adding them); known ones hactl does not replicate
 * (counters, use, timestamps, secctx) are skipped silently. Stateless.
 */
final class FlowDecoder {
    private FlowDecoder() {}

    /**
     * Decodes the attributes in {@code msg} from {@code start} to {@code end} (the part of a
     * conntrack message after nlmsghdr and nfgenmsg).
     */
    static Flow decode(ByteBuffer msg, int start, int end, DecodeStats stats) throws DecodeException {
        AttrReader r = new AttrReader(msg, start, end, "conntrack");
        Tuple orig = null;
        Tuple reply = null;
        Tuple master = null;
        int zone = 0;
        long status = 0, timeout = Flow.ABSENT, mark = Flow.ABSENT, id = Flow.ABSENT;
        ProtoInfo protoInfo = null;
        NatRange snat = null, dnat = null;
        SeqAdj seqOrig = null, seqReply = null;
        String helper = null;
        BitSet labels = null;
        Synproxy synproxy = null;
        while (r.next()) {
            switch (r.type()) {
                case CTA_TUPLE_ORIG -> orig = TupleCodec.decode(r, "CTA_TUPLE_ORIG", stats);
                case CTA_TUPLE_REPLY -> reply = TupleCodec.decode(r, "CTA_TUPLE_REPLY", stats);
                case CTA_TUPLE_MASTER -> master = TupleCodec.decode(r, "CTA_TUPLE_MASTER", stats);
                case CTA_STATUS -> status = r.u32("CTA_STATUS");
                case CTA_TIMEOUT -> timeout = r.u32("CTA_TIMEOUT");
                case CTA_MARK -> mark = r.u32("CTA_MARK");
                case CTA_ID -> id = r.u32("CTA_ID");
                case CTA_ZONE -> zone = r.u16("CTA_ZONE");
                case CTA_PROTOINFO -> protoInfo = decodeProtoInfo(r, stats);
                case CTA_NAT_SRC -> snat = decodeNat(r, "CTA_NAT_SRC", stats);
                case CTA_NAT_DST -> dnat = decodeNat(r, "CTA_NAT_DST", stats);
                case CTA_SEQ_ADJ_ORIG -> seqOrig = decodeSeqAdj(r, "CTA_SEQ_ADJ_ORIG", stats);
                case CTA_SEQ_ADJ_REPLY -> seqReply = decodeSeqAdj(r, "CTA_SEQ_ADJ_REPLY", stats);
                case CTA_HELP -> helper = decodeHelper(r, stats);
                case CTA_LABELS -> labels = BitSet.valueOf(r.raw());
                case CTA_SYNPROXY -> synproxy = decodeSynproxy(r, stats);
                case CTA_COUNTERS_ORIG, CTA_COUNTERS_REPLY, CTA_USE, CTA_SECMARK, CTA_SECCTX, CTA_TIMESTAMP,
                        CTA_MARK_MASK, CTA_LABELS_MASK, CTA_FILTER, CTA_STATUS_MASK -> { /* not replicated */ }
                default -> stats.unknownAttributes.incrementAndGet();
            }
        }
        if (r.error() != null) {
            throw new DecodeException(r.error());
        }
        if (orig == null) {
            throw new DecodeException("conntrack: missing CTA_TUPLE_ORIG");
        }
        try {
            return new Flow(orig, reply, zone, status, timeout, mark, protoInfo,
                    master, snat, dnat, seqOrig, seqReply, helper, labels, synproxy, id);
        } catch (IllegalArgumentException e) {
            throw new DecodeException("conntrack: " + e.getMessage());
        }
    }

    private static ProtoInfo decodeProtoInfo(AttrReader parent, DecodeStats stats) {
        AttrReader r = parent.nested("CTA_PROTOINFO");
        ProtoInfo result = null;
        while (r.next()) {
            switch (r.type()) {
                case CTA_PROTOINFO_TCP -> {
                    AttrReader t = r.nested("CTA_PROTOINFO_TCP");
                    int state = 0, wo = 0, wr = 0, fo = 0, fr = 0;
                    while (t.next()) {
                        switch (t.type()) {
                            case CTA_PROTOINFO_TCP_STATE -> state = t.u8("CTA_PROTOINFO_TCP_STATE");
                            case CTA_PROTOINFO_TCP_WSCALE_ORIGINAL -> wo = t.u8("CTA_PROTOINFO_TCP_WSCALE_ORIGINAL");
                            case CTA_PROTOINFO_TCP_WSCALE_REPLY -> wr = t.u8("CTA_PROTOINFO_TCP_WSCALE_REPLY");
                            case CTA_PROTOINFO_TCP_FLAGS_ORIGINAL -> fo = tcpFlags(t, "CTA_PROTOINFO_TCP_FLAGS_ORIGINAL");
                            case CTA_PROTOINFO_TCP_FLAGS_REPLY -> fr = tcpFlags(t, "CTA_PROTOINFO_TCP_FLAGS_REPLY");
                            default -> stats.unknownAttributes.incrementAndGet();
                        }
                    }
                    if (r.absorb(t)) {
                        if (state >= TcpInfo.MAX) {
                            r.fail("CTA_PROTOINFO_TCP_STATE " + state + " is beyond TCP_CONNTRACK_MAX");
                        } else {
                            result = new TcpInfo(state, wo, wr, fo, fr);
                        }
                    }
                }
                case CTA_PROTOINFO_SCTP -> {
                    AttrReader s = r.nested("CTA_PROTOINFO_SCTP");
                    int state = 0;
                    long vo = 0, vr = 0;
                    while (s.next()) {
                        switch (s.type()) {
                            case CTA_PROTOINFO_SCTP_STATE -> state = s.u8("CTA_PROTOINFO_SCTP_STATE");
                            case CTA_PROTOINFO_SCTP_VTAG_ORIGINAL -> vo = s.u32("CTA_PROTOINFO_SCTP_VTAG_ORIGINAL");
                            case CTA_PROTOINFO_SCTP_VTAG_REPLY -> vr = s.u32("CTA_PROTOINFO_SCTP_VTAG_REPLY");
                            default -> stats.unknownAttributes.incrementAndGet();
                        }
                    }
                    if (r.absorb(s)) {
                        result = new SctpInfo(state, vo, vr);
                    }
                }
                case CTA_PROTOINFO_DCCP -> {
                    AttrReader d = r.nested("CTA_PROTOINFO_DCCP");
                    int state = 0, role = 0;
                    long seq = 0;
                    while (d.next()) {
                        switch (d.type()) {
                            case CTA_PROTOINFO_DCCP_STATE -> state = d.u8("CTA_PROTOINFO_DCCP_STATE");
                            case CTA_PROTOINFO_DCCP_ROLE -> role = d.u8("CTA_PROTOINFO_DCCP_ROLE");
                            case CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ -> seq = d.u64("CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ");
                            default -> { /* CTA_PROTOINFO_DCCP_PAD and newer */ }
                        }
                    }
                    if (r.absorb(d)) {
                        result = new DccpInfo(state, role, seq);
                    }
                }
                default -> stats.unknownAttributes.incrementAndGet();
            }
        }
        parent.absorb(r);
        return result;
    }

    private static int tcpFlags(AttrReader t, String name) {
        byte[] b = t.bytes(name, 2);
        return b == null ? 0 : Byte.toUnsignedInt(b[0]);
    }

    private static NatRange decodeNat(AttrReader parent, String name, DecodeStats stats) {
        AttrReader r = parent.nested(name);
        byte[] min = null, max = null;
        int pmin = 0, pmax = 0;
        while (r.next()) {
            switch (r.type()) {
                case CTA_NAT_V4_MINIP -> min = r.bytes("CTA_NAT_V4_MINIP", 4);
                case CTA_NAT_V4_MAXIP -> max = r.bytes("CTA_NAT_V4_MAXIP", 4);
                case CTA_NAT_V6_MINIP -> min = r.bytes("CTA_NAT_V6_MINIP", 16);
                case CTA_NAT_V6_MAXIP -> max = r.bytes("CTA_NAT_V6_MAXIP", 16);
                case CTA_NAT_PROTO -> {
                    AttrReader p = r.nested("CTA_NAT_PROTO");
                    while (p.next()) {
                        switch (p.type()) {
                            case CTA_PROTONAT_PORT_MIN -> pmin = p.u16("CTA_PROTONAT_PORT_MIN");
                            case CTA_PROTONAT_PORT_MAX -> pmax = p.u16("CTA_PROTONAT_PORT_MAX");
                            default -> stats.unknownAttributes.incrementAndGet();
                        }
                    }
                    r.absorb(p);
                }
                default -> stats.unknownAttributes.incrementAndGet();
            }
        }
        if (!parent.absorb(r)) {
            return null;
        }
        if (min == null) {
            parent.fail(name + ": missing minimum address");
            return null;
        }
        InetAddress lo = TupleCodec.address(min);
        InetAddress hi = max == null ? lo : TupleCodec.address(max);
        if (lo.getClass() != hi.getClass()) {
            parent.fail(name + ": minimum and maximum address of different families");
            return null;
        }
        return new NatRange(lo, hi, pmin, pmax);
    }

    private static SeqAdj decodeSeqAdj(AttrReader parent, String name, DecodeStats stats) {
        AttrReader r = parent.nested(name);
        long pos = 0, before = 0, after = 0;
        while (r.next()) {
            switch (r.type()) {
                case CTA_SEQADJ_CORRECTION_POS -> pos = r.u32("CTA_SEQADJ_CORRECTION_POS");
                case CTA_SEQADJ_OFFSET_BEFORE -> before = r.u32("CTA_SEQADJ_OFFSET_BEFORE");
                case CTA_SEQADJ_OFFSET_AFTER -> after = r.u32("CTA_SEQADJ_OFFSET_AFTER");
                default -> stats.unknownAttributes.incrementAndGet();
            }
        }
        return parent.absorb(r) ? new SeqAdj(pos, before, after) : null;
    }

    private static String decodeHelper(AttrReader parent, DecodeStats stats) {
        AttrReader r = parent.nested("CTA_HELP");
        String name = null;
        while (r.next()) {
            switch (r.type()) {
                case CTA_HELP_NAME -> name = r.string("CTA_HELP_NAME");
                default -> { /* CTA_HELP_INFO: helper private data, not replicated */ }
            }
        }
        if (!parent.absorb(r)) {
            return null;
        }
        if (name != null && (name.isEmpty() || name.length() > 15)) {
            parent.fail("CTA_HELP_NAME '" + name + "' is not 1..15 characters");
            return null;
        }
        return name;
    }

    private static Synproxy decodeSynproxy(AttrReader parent, DecodeStats stats) {
        AttrReader r = parent.nested("CTA_SYNPROXY");
        long isn = 0, its = 0, tsoff = 0;
        while (r.next()) {
            switch (r.type()) {
                case CTA_SYNPROXY_ISN -> isn = r.u32("CTA_SYNPROXY_ISN");
                case CTA_SYNPROXY_ITS -> its = r.u32("CTA_SYNPROXY_ITS");
                case CTA_SYNPROXY_TSOFF -> tsoff = r.u32("CTA_SYNPROXY_TSOFF");
                default -> stats.unknownAttributes.incrementAndGet();
            }
        }
        if (!parent.absorb(r)) {
            return null;
        }
        // ctnetlink gives every flow it creates (a commit's, conntrack -I's) a synproxy extension,
        // and dumps it as zeros when the SYNPROXY target never used it: that carries nothing a
        // commit would not get anyway, so it is kept as absent (which keeps such flows in the
        // caches' compact common shape, and 12 bytes shorter on the wire)
        return isn == 0 && its == 0 && tsoff == 0 ? null : new Synproxy(isn, its, tsoff);
    }
}
