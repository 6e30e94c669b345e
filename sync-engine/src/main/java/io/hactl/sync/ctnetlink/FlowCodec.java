package io.hactl.sync.ctnetlink;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.TcpInfo;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Encodes a {@link Flow} into ctnetlink attributes and decodes the attributes of a conntrack
 * message back into a Flow (the decoding half is {@link FlowDecoder}). Stateless; decode counts
 * what it skips in a {@link DecodeStats}.
 *
 * <p>Attributes from the kernel that this codec does not know are skipped and counted (the kernel
 * keeps adding them); known ones hactl does not replicate (counters, use, timestamps, secctx) are
 * skipped silently.
 */
public final class FlowCodec {
    private FlowCodec() {}

    /**
     * Status bits that may not be written: the kernel refuses a request that would change
     * IPS_EXPECTED or IPS_DYING, and owns the template/untracked/offload bits.
     */
    static final long STATUS_NOT_WRITTEN = IPS_EXPECTED | IPS_DYING | IPS_TEMPLATE | IPS_UNTRACKED
            | IPS_OFFLOAD | IPS_HW_OFFLOAD;

    /**
     * The status to send for a create or update. IPS_CONFIRMED is always set: the kernel
     * (6.x) answers EBUSY to a CT_NEW whose status lacks it, and an update must not try to clear it.
     */
    public static long writableStatus(long status) {
        return (status & ~STATUS_NOT_WRITTEN) | IPS_CONFIRMED;
    }

    /**
     * Writes the attributes of a CT_NEW (create or update) request for {@code f}. The commit
     * writes the same bytes from a flow's compact encoding without building the flow, through
     * the pieces below ({@link TupleCodec#encode(AttrWriter, int, boolean, byte[], int, byte[], int, int, int, int, int)},
     * {@link #encodeState}, {@link #encodeTcpInfo}): every attribute layout is written here.
     */
    public static void encode(AttrWriter w, Flow f) {
        TupleCodec.encode(w, CTA_TUPLE_ORIG, f.orig());
        TupleCodec.encode(w, CTA_TUPLE_REPLY, f.replyOrInverse());
        encodeState(w, f.zone(), f.status(), f.timeout(), f.mark());
        if (f.protoInfo() != null) {
            encodeProtoInfo(w, f);
        }
        if (f.master() != null) {
            TupleCodec.encode(w, CTA_TUPLE_MASTER, f.master());
        }
        if (f.snat() != null) {
            encodeNat(w, CTA_NAT_SRC, f.snat());
        }
        if (f.dnat() != null) {
            encodeNat(w, CTA_NAT_DST, f.dnat());
        }
        if (f.seqAdjOrig() != null) {
            encodeSeqAdj(w, CTA_SEQ_ADJ_ORIG, f.seqAdjOrig());
        }
        if (f.seqAdjReply() != null) {
            encodeSeqAdj(w, CTA_SEQ_ADJ_REPLY, f.seqAdjReply());
        }
        if (f.helper() != null) {
            int help = w.nestStart(CTA_HELP);
            w.putString(CTA_HELP_NAME, f.helper());
            w.nestEnd(help);
        }
        BitSet labels = f.labels();
        if (labels != null && !labels.isEmpty()) {
            // Sent only when set: the kernel refuses labels (EOPNOTSUPP) in a namespace where no
            // rule uses them, and an empty set carries no information.
            w.putBytes(CTA_LABELS, labelBytes(labels));
        }
        if (f.synproxy() != null) {
            int s = w.nestStart(CTA_SYNPROXY);
            w.putU32(CTA_SYNPROXY_ISN, f.synproxy().isn());
            w.putU32(CTA_SYNPROXY_ITS, f.synproxy().its());
            w.putU32(CTA_SYNPROXY_TSOFF, f.synproxy().tsoff());
            w.nestEnd(s);
        }
    }

    /**
     * The attributes after the tuples: CTA_ZONE when not 0, CTA_STATUS (made writable),
     * CTA_TIMEOUT and CTA_MARK unless {@link Flow#ABSENT}.
     */
    public static void encodeState(AttrWriter w, int zone, long status, long timeout, long mark) {
        if (zone != 0) {
            w.putU16(CTA_ZONE, zone);
        }
        w.putU32(CTA_STATUS, writableStatus(status));
        if (timeout != Flow.ABSENT) {
            w.putU32(CTA_TIMEOUT, timeout);
        }
        if (mark != Flow.ABSENT) {
            w.putU32(CTA_MARK, mark);
        }
    }

    /**
     * The mark filter of a dump request (IPCTNL_MSG_CT_GET with NLM_F_DUMP): CTA_MARK and
     * CTA_MARK_MASK, so that the kernel (ctnetlink_filter_match) sends only the entries whose
     * {@code mark & mask == value}.
     */
    public static void encodeMarkFilter(AttrWriter w, long value, long mask) {
        if ((value & ~mask) != 0 || mask == 0 || mask > 0xffff_ffffL || value < 0) {
            throw new IllegalArgumentException("mark filter 0x" + Long.toHexString(value) + "/0x" + Long.toHexString(mask)
                    + ": the value must lie within a 32-bit mask");
        }
        w.putU32(CTA_MARK, value);
        w.putU32(CTA_MARK_MASK, mask);
    }

    /** CTA_PROTOINFO holding CTA_PROTOINFO_TCP, the TCP state and window tracking flags. */
    public static void encodeTcpInfo(AttrWriter w, int state, int wscaleOrig, int wscaleReply, int flagsOrig,
                                     int flagsReply) {
        int pi = w.nestStart(CTA_PROTOINFO);
        encodeTcp(w, state, wscaleOrig, wscaleReply, flagsOrig, flagsReply);
        w.nestEnd(pi);
    }

    private static void encodeTcp(AttrWriter w, int state, int wscaleOrig, int wscaleReply, int flagsOrig,
                                  int flagsReply) {
        int tcp = w.nestStart(CTA_PROTOINFO_TCP);
        w.putU8(CTA_PROTOINFO_TCP_STATE, state);
        w.putU8(CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, wscaleOrig);
        w.putU8(CTA_PROTOINFO_TCP_WSCALE_REPLY, wscaleReply);
        // struct nf_ct_tcp_flags { __u8 flags; __u8 mask; }: mask 0xff sets exactly these flags
        w.putU8Pair(CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, flagsOrig, 0xff);
        w.putU8Pair(CTA_PROTOINFO_TCP_FLAGS_REPLY, flagsReply, 0xff);
        w.nestEnd(tcp);
    }

    private static void encodeProtoInfo(AttrWriter w, Flow f) {
        int pi = w.nestStart(CTA_PROTOINFO);
        if (f.protoInfo() instanceof TcpInfo t) {
            encodeTcp(w, t.state(), t.wscaleOrig(), t.wscaleReply(), t.flagsOrig(), t.flagsReply());
        } else if (f.protoInfo() instanceof SctpInfo s) {
            int sctp = w.nestStart(CTA_PROTOINFO_SCTP);
            w.putU8(CTA_PROTOINFO_SCTP_STATE, s.state());
            w.putU32(CTA_PROTOINFO_SCTP_VTAG_ORIGINAL, s.vtagOrig());
            w.putU32(CTA_PROTOINFO_SCTP_VTAG_REPLY, s.vtagReply());
            w.nestEnd(sctp);
        } else if (f.protoInfo() instanceof DccpInfo d) {
            int dccp = w.nestStart(CTA_PROTOINFO_DCCP);
            w.putU8(CTA_PROTOINFO_DCCP_STATE, d.state());
            w.putU8(CTA_PROTOINFO_DCCP_ROLE, d.role());
            w.putU64(CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ, d.handshakeSeq());
            w.nestEnd(dccp);
        }
        w.nestEnd(pi);
    }

    private static void encodeNat(AttrWriter w, int attrType, NatRange n) {
        int nat = w.nestStart(attrType);
        boolean v6 = n.minIp().getAddress().length == 16;
        w.putBytes(v6 ? CTA_NAT_V6_MINIP : CTA_NAT_V4_MINIP, n.minIp().getAddress());
        w.putBytes(v6 ? CTA_NAT_V6_MAXIP : CTA_NAT_V4_MAXIP, n.maxIp().getAddress());
        if (n.minPort() != 0 || n.maxPort() != 0) {
            int proto = w.nestStart(CTA_NAT_PROTO);
            w.putU16(CTA_PROTONAT_PORT_MIN, n.minPort());
            w.putU16(CTA_PROTONAT_PORT_MAX, n.maxPort());
            w.nestEnd(proto);
        }
        w.nestEnd(nat);
    }

    private static void encodeSeqAdj(AttrWriter w, int attrType, SeqAdj s) {
        int n = w.nestStart(attrType);
        w.putU32(CTA_SEQADJ_CORRECTION_POS, s.correctionPos());
        w.putU32(CTA_SEQADJ_OFFSET_BEFORE, s.offsetBefore());
        w.putU32(CTA_SEQADJ_OFFSET_AFTER, s.offsetAfter());
        w.nestEnd(n);
    }

    static byte[] labelBytes(BitSet labels) {
        byte[] out = new byte[Flow.LABELS_BYTES];
        byte[] b = labels.toByteArray(); // little-endian bit order, as the kernel's unsigned long bitmap on LE hosts
        System.arraycopy(b, 0, out, 0, Math.min(b.length, out.length));
        return out;
    }

    /**
     * Decodes the attributes in {@code msg} from {@code start} to {@code end} (the part of a
     * conntrack message after nlmsghdr and nfgenmsg).
     */
    public static Flow decode(ByteBuffer msg, int start, int end, DecodeStats stats) throws DecodeException {
        return FlowDecoder.decode(msg, start, end, stats);
    }
}
