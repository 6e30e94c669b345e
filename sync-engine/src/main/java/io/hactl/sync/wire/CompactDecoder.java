package io.hactl.sync.wire;

import static io.hactl.sync.wire.CompactFormat.*;

import io.hactl.sync.conntrack.DccpInfo;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.ProtoInfo;
import io.hactl.sync.conntrack.SctpInfo;
import io.hactl.sync.conntrack.SeqAdj;
import io.hactl.sync.conntrack.Synproxy;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The decoding half of {@link CompactFlow}: reads an encoding that may come from the peer, so it
 * trusts nothing: every length is checked before it is read, every value against its range,
 * unknown format bytes and presence bits and non-canonical forms are rejected, each as a
 * {@link CompactFlowException} naming the field. The mirror of {@link CompactEncoder}.
 */
final class CompactDecoder {
    private CompactDecoder() {}

    /**
     * Decodes the bytes between {@code buf}'s position and limit, which must hold exactly one
     * encoded flow. The buffer's position, limit and byte order are left as they were.
     */
    static Flow decode(ByteBuffer buf) throws CompactFlowException {
        CompactReader r = new CompactReader(buf);
        int format = r.u8("format");
        if (format != FORMAT_V1) {
            throw new CompactFlowException("format", "unknown format byte " + format + ", expected " + FORMAT_V1);
        }
        int family = r.u8("family");
        int alen = addressBytes(family);
        if (alen < 0) {
            throw new CompactFlowException("family", "unknown family " + family);
        }
        int protocol = r.u8("protocol");
        int zone = r.u16("zone");
        Tuple orig = readTupleBody(r, "orig", alen, protocol);

        int presence = r.u16("presence");
        if ((presence & ~PRESENT_KNOWN) != 0) {
            throw new CompactFlowException("presence", "unknown bits 0x" + Integer.toHexString(presence & ~PRESENT_KNOWN));
        }
        if ((presence & PRESENT_REPLY) != 0 && (presence & PRESENT_REPLY_INVERSE) != 0) {
            throw new CompactFlowException("presence", "both REPLY and REPLY_INVERSE set");
        }
        long status = r.u32("status");
        Tuple reply = null;
        if ((presence & PRESENT_REPLY) != 0) {
            reply = readTupleBody(r, "reply", alen, protocol);
            if (reply.equals(orig.inverse())) {
                throw new CompactFlowException("reply", "equals the inverse of orig; must be sent as REPLY_INVERSE");
            }
        } else if ((presence & PRESENT_REPLY_INVERSE) != 0) {
            reply = orig.inverse();
        }
        long timeout = (presence & PRESENT_TIMEOUT) != 0 ? r.u32("timeout") : Flow.ABSENT;
        long mark = (presence & PRESENT_MARK) != 0 ? r.u32("mark") : Flow.ABSENT;
        ProtoInfo protoInfo = (presence & PRESENT_PROTOINFO) != 0 ? readProtoInfo(r, protocol) : null;
        Tuple master = (presence & PRESENT_MASTER) != 0 ? readTuple(r, "master") : null;
        NatRange snat = (presence & PRESENT_SNAT) != 0 ? readNat(r, "snat") : null;
        NatRange dnat = (presence & PRESENT_DNAT) != 0 ? readNat(r, "dnat") : null;
        SeqAdj seqOrig = (presence & PRESENT_SEQADJ_ORIG) != 0 ? readSeqAdj(r, "seqadj.orig") : null;
        SeqAdj seqReply = (presence & PRESENT_SEQADJ_REPLY) != 0 ? readSeqAdj(r, "seqadj.reply") : null;
        String helper = (presence & PRESENT_HELPER) != 0 ? readHelper(r) : null;
        BitSet labels = (presence & PRESENT_LABELS) != 0 ? readLabels(r) : null;
        Synproxy synproxy = null;
        if ((presence & PRESENT_SYNPROXY) != 0) {
            long isn = r.u32("synproxy.isn");
            long its = r.u32("synproxy.its");
            long tsoff = r.u32("synproxy.tsoff");
            synproxy = new Synproxy(isn, its, tsoff); // u32 reads are always in range
        }
        if (r.remaining() != 0) {
            throw new CompactFlowException("trailing", r.remaining() + " bytes after the last part at offset " + r.offset());
        }
        try {
            return new Flow(orig, reply, zone, status, timeout, mark, protoInfo, master, snat, dnat,
                    seqOrig, seqReply, helper, labels, synproxy, Flow.ABSENT);
        } catch (IllegalArgumentException e) {
            throw new CompactFlowException("flow", e.getMessage());
        }
    }

    /** A tuple with its own family and protocol bytes (the master tuple). */
    private static Tuple readTuple(CompactReader r, String field) throws CompactFlowException {
        int family = r.u8(field + ".family");
        int alen = addressBytes(family);
        if (alen < 0) {
            throw new CompactFlowException(field + ".family", "unknown family " + family);
        }
        int protocol = r.u8(field + ".protocol");
        return readTupleBody(r, field, alen, protocol);
    }

    private static Tuple readTupleBody(CompactReader r, String field, int alen, int protocol)
            throws CompactFlowException {
        r.prefix(field); // names like "orig.src" are built only if an error needs them
        try {
            InetAddress src = address(r.bytes(".src", alen));
            InetAddress dst = address(r.bytes(".dst", alen));
            if (Tuple.hasPorts(protocol)) {
                int sport = r.u16(".sport");
                int dport = r.u16(".dport");
                return Tuple.ports(src, dst, protocol, sport, dport);
            }
            if (Tuple.isIcmp(protocol)) {
                int type = r.u8(".icmp.type");
                int code = r.u8(".icmp.code");
                int id = r.u16(".icmp.id");
                return new Tuple(src, dst, protocol, 0, 0, type, code, id);
            }
            return Tuple.other(src, dst, protocol); // every value read fits the record's ranges
        } finally {
            r.prefix(null);
        }
    }

    private static ProtoInfo readProtoInfo(CompactReader r, int protocol) throws CompactFlowException {
        switch (protocol) {
            case Tuple.TCP -> {
                int state = r.u8("protoinfo.tcp.state");
                if (state >= TcpInfo.MAX) {
                    throw new CompactFlowException("protoinfo.tcp.state", state + " is not 0.." + (TcpInfo.MAX - 1));
                }
                int wscaleOrig = r.u8("protoinfo.tcp.wscale_orig");
                int wscaleReply = r.u8("protoinfo.tcp.wscale_reply");
                int flagsOrig = r.u8("protoinfo.tcp.flags_orig");
                int flagsReply = r.u8("protoinfo.tcp.flags_reply");
                return new TcpInfo(state, wscaleOrig, wscaleReply, flagsOrig, flagsReply);
            }
            case Tuple.SCTP -> {
                int state = r.u8("protoinfo.sctp.state");
                long vtagOrig = r.u32("protoinfo.sctp.vtag_orig");
                long vtagReply = r.u32("protoinfo.sctp.vtag_reply");
                return new SctpInfo(state, vtagOrig, vtagReply);
            }
            case Tuple.DCCP -> {
                int state = r.u8("protoinfo.dccp.state");
                int role = r.u8("protoinfo.dccp.role");
                long seq = r.u64("protoinfo.dccp.handshake_seq");
                return new DccpInfo(state, role, seq);
            }
            default -> throw new CompactFlowException("protoinfo", "protocol " + protocol + " carries no protoinfo");
        }
    }

    private static NatRange readNat(CompactReader r, String field) throws CompactFlowException {
        int family = r.u8(field + ".family");
        int alen = addressBytes(family);
        if (alen < 0) {
            throw new CompactFlowException(field + ".family", "unknown family " + family);
        }
        InetAddress min = address(r.bytes(field + ".min_ip", alen));
        InetAddress max = address(r.bytes(field + ".max_ip", alen));
        int minPort = r.u16(field + ".min_port");
        int maxPort = r.u16(field + ".max_port");
        return new NatRange(min, max, minPort, maxPort);
    }

    private static SeqAdj readSeqAdj(CompactReader r, String field) throws CompactFlowException {
        long pos = r.u32(field + ".correction_pos");
        long before = r.u32(field + ".offset_before");
        long after = r.u32(field + ".offset_after");
        return new SeqAdj(pos, before, after);
    }

    private static String readHelper(CompactReader r) throws CompactFlowException {
        int len = r.u8("helper.length");
        if (len == 0) {
            throw new CompactFlowException("helper", "empty name");
        }
        byte[] raw = r.bytes("helper", len);
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new CompactFlowException("helper", "name of " + len + " bytes is not UTF-8");
        }
        if (name.length() > 15) {
            throw new CompactFlowException("helper", "name of " + name.length() + " characters, max is 15");
        }
        return name;
    }

    private static BitSet readLabels(CompactReader r) throws CompactFlowException {
        int len = r.u8("labels.length");
        if (len > MAX_LABEL_BYTES) {
            throw new CompactFlowException("labels", "length " + len + ", max is " + MAX_LABEL_BYTES);
        }
        byte[] raw = r.bytes("labels", len);
        if (len > 0 && raw[len - 1] == 0) {
            throw new CompactFlowException("labels", "last byte is zero (not the shortest form)");
        }
        return BitSet.valueOf(raw);
    }

    private static InetAddress address(byte[] raw) {
        try {
            // Inet6Address.getByAddress keeps a v4-mapped address IPv6; InetAddress.getByAddress would not
            return raw.length == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + raw.length + " bytes", e); // lengths come from addressBytes
        }
    }
}
