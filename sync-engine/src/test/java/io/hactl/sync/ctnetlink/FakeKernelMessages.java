package io.hactl.sync.ctnetlink;

import io.hactl.sync.netlink.Netlink;
import static io.hactl.sync.netlink.Netlink.*;
import static io.hactl.sync.sys.Sockets.*;
import io.hactl.sync.netlink.AttrWriter;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.TcpInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

/**
 * Builds the messages the kernel sends: conntrack entries as ctnetlink_fill_info() and
 * ctnetlink_conntrack_event() lay them out (net/netfilter/nf_conntrack_netlink.c), stats,
 * NLMSG_DONE and NLMSG_ERROR as netlink_ack() does (net/netlink/af_netlink.c).
 *
 * <p>Written apart from {@link FlowCodec#encode}, which builds requests: the kernel's answers
 * differ from requests (CTA_ID, CTA_USE, no NAT ranges, the TCP flag mask zero), and the fake
 * should not share a codec bug with the code it tests.
 */
final class FakeKernelMessages {
    private FakeKernelMessages() {}

    /** struct nlmsgerr: the error code before the echoed request. */
    private static final int NLMSGERR_CODE_LEN = 4;
    /** An NLMSG_DONE: header and the dump's error code. */
    static final int DONE_LENGTH = NLMSG_HDRLEN + 4;

    /**
     * Appends one IPCTNL_MSG_CT_NEW / _DELETE message for entry {@code e}. A destroy event
     * carries no protocol state or helper, the mark only when set, and the timeout only when
     * some is left (ctnetlink_dump_timeout skips a zero one): a deleted entry's, not an expired one's.
     */
    static void putEntry(AttrWriter w, int ctType, int flags, int seq, int pid, Flow e, boolean destroy) {
        int m = Nfgenmsg.begin(w, ctMessageType(ctType), flags, seq, e.family(), 0);
        TupleCodec.encode(w, CTA_TUPLE_ORIG, e.orig());
        TupleCodec.encode(w, CTA_TUPLE_REPLY, e.reply());
        if (e.zone() != 0) {
            w.putU16(CTA_ZONE, e.zone());
        }
        w.putU32(CTA_STATUS, e.status());
        if (!destroy || e.timeout() > 0) {
            w.putU32(CTA_TIMEOUT, e.timeout());
        }
        if (!destroy) {
            putProtoInfo(w, e);
            if (e.helper() != null) {
                int help = w.nestStart(CTA_HELP);
                w.putString(CTA_HELP_NAME, e.helper());
                w.nestEnd(help);
            }
        }
        long mark = e.mark() == Flow.ABSENT ? 0 : e.mark();
        if (!destroy || mark != 0) {
            w.putU32(CTA_MARK, mark);
        }
        BitSet labels = e.labels();
        if (labels != null && !labels.isEmpty()) {
            w.putBytes(CTA_LABELS, FlowCodec.labelBytes(labels));
        }
        w.putU32(CTA_ID, e.id());
        if (!destroy) {
            w.putU32(CTA_USE, 1);
        }
        if (e.master() != null) {
            TupleCodec.encode(w, CTA_TUPLE_MASTER, e.master());
        }
        putSeqAdj(w, CTA_SEQ_ADJ_ORIG, e.seqAdjOrig());
        putSeqAdj(w, CTA_SEQ_ADJ_REPLY, e.seqAdjReply());
        if (e.synproxy() != null) {
            int s = w.nestStart(CTA_SYNPROXY);
            w.putU32(CTA_SYNPROXY_ISN, e.synproxy().isn());
            w.putU32(CTA_SYNPROXY_ITS, e.synproxy().its());
            w.putU32(CTA_SYNPROXY_TSOFF, e.synproxy().tsoff());
            w.nestEnd(s);
        }
        w.endMessage(m);
        setPid(w, m, pid);
    }

    private static void putProtoInfo(AttrWriter w, Flow e) {
        if (e.protoInfo() == null) {
            return;
        }
        int pi = w.nestStart(CTA_PROTOINFO);
        if (e.protoInfo() instanceof TcpInfo t) {
            int tcp = w.nestStart(CTA_PROTOINFO_TCP);
            w.putU8(CTA_PROTOINFO_TCP_STATE, t.state());
            w.putU8(CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, t.wscaleOrig());
            w.putU8(CTA_PROTOINFO_TCP_WSCALE_REPLY, t.wscaleReply());
            // tcp_to_nlattr(): struct nf_ct_tcp_flags with the mask left zero
            w.putBytes(CTA_PROTOINFO_TCP_FLAGS_ORIGINAL, new byte[] {(byte) t.flagsOrig(), 0});
            w.putBytes(CTA_PROTOINFO_TCP_FLAGS_REPLY, new byte[] {(byte) t.flagsReply(), 0});
            w.nestEnd(tcp);
        } else if (e.protoInfo() instanceof SctpInfo s) {
            int sctp = w.nestStart(CTA_PROTOINFO_SCTP);
            w.putU8(CTA_PROTOINFO_SCTP_STATE, s.state());
            w.putU32(CTA_PROTOINFO_SCTP_VTAG_ORIGINAL, s.vtagOrig());
            w.putU32(CTA_PROTOINFO_SCTP_VTAG_REPLY, s.vtagReply());
            w.nestEnd(sctp);
        } else if (e.protoInfo() instanceof DccpInfo d) {
            int dccp = w.nestStart(CTA_PROTOINFO_DCCP);
            w.putU8(CTA_PROTOINFO_DCCP_STATE, d.state());
            w.putU8(CTA_PROTOINFO_DCCP_ROLE, d.role());
            w.putU64(CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ, d.handshakeSeq());
            w.nestEnd(dccp);
        }
        w.nestEnd(pi);
    }

    private static void putSeqAdj(AttrWriter w, int type, SeqAdj s) {
        if (s == null) {
            return;
        }
        int n = w.nestStart(type);
        w.putU32(CTA_SEQADJ_CORRECTION_POS, s.correctionPos());
        w.putU32(CTA_SEQADJ_OFFSET_BEFORE, s.offsetBefore());
        w.putU32(CTA_SEQADJ_OFFSET_AFTER, s.offsetAfter());
        w.nestEnd(n);
    }

    /** ctnetlink_stat_ct_fill_info(): entries and the table's limit, NLM_F_MULTI as the kernel sets it. */
    static byte[] stats(int seq, int pid, long entries, long maxEntries) {
        AttrWriter w = new AttrWriter(64);
        int m = Nfgenmsg.begin(w, ctMessageType(IPCTNL_MSG_CT_GET_STATS), NLM_F_MULTI, seq, AF_UNSPEC, 0);
        w.putU32(CTA_STATS_GLOBAL_ENTRIES, entries);
        w.putU32(CTA_STATS_GLOBAL_MAX_ENTRIES, maxEntries);
        w.endMessage(m);
        setPid(w, m, pid);
        return w.toByteArray();
    }

    /** Appends the NLMSG_DONE that ends a dump. */
    static void putDone(AttrWriter w, int seq, int pid) {
        int m = w.beginMessage(NLMSG_DONE, NLM_F_MULTI, seq);
        w.putStructU32(0);                    // its payload: the dump's error code
        w.endMessage(m);
        setPid(w, m, pid);
    }

    /**
     * netlink_ack(): NLMSG_ERROR with the negative errno and the request's header, or the whole
     * request for an error when the socket did not set NETLINK_CAP_ACK. An ack (errno 0) always
     * carries just the header and NLM_F_CAPPED.
     */
    static byte[] ack(ByteBuffer request, int offset, int length, int errno, int pid, boolean capAck) {
        boolean whole = errno != 0 && !capAck;
        int echoed = whole ? length : NLMSG_HDRLEN;
        int total = NLMSG_HDRLEN + NLMSGERR_CODE_LEN + echoed;
        ByteBuffer b = ByteBuffer.allocate(Netlink.align(total)).order(ByteOrder.nativeOrder());
        b.putInt(total);
        b.putShort((short) NLMSG_ERROR);
        b.putShort((short) (whole ? 0 : NLM_F_CAPPED));
        b.putInt(request.getInt(offset + 8)); // the request's nlmsg_seq
        b.putInt(pid);
        b.putInt(-errno);
        for (int i = 0; i < echoed; i++) {
            b.put(request.get(offset + i));
        }
        return b.array();
    }

    /** nlmsg_pid of a message the kernel sends: the port it answers, or that caused an event. */
    private static void setPid(AttrWriter w, int messageStart, int pid) {
        // flipped() shares the writer's bytes, so this rewrites the header in place
        w.flipped().putInt(messageStart + 12, pid);
    }
}
