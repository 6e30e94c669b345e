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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The encoding half of {@link CompactFlow}: writes a {@link Flow} in hactl's compact form, its
 * size computed first so that one exact array is allocated. The mirror of {@link CompactDecoder};
 * the layout is in {@link CompactFormat}.
 */
final class CompactEncoder {
    private CompactEncoder() {}

    /**
     * Encodes {@code f}. Throws IllegalArgumentException only for a helper name that is not valid
     * Unicode (an unpaired surrogate), which no kernel produces.
     */
    static byte[] encode(Flow f) {
        Tuple orig = f.orig();
        int presence = 0;
        if (f.reply() != null) {
            presence |= f.reply().equals(orig.inverse()) ? PRESENT_REPLY_INVERSE : PRESENT_REPLY;
        }
        presence |= f.timeout() != Flow.ABSENT ? PRESENT_TIMEOUT : 0;
        presence |= f.mark() != Flow.ABSENT ? PRESENT_MARK : 0;
        presence |= f.protoInfo() != null ? PRESENT_PROTOINFO : 0;
        presence |= f.master() != null ? PRESENT_MASTER : 0;
        presence |= f.snat() != null ? PRESENT_SNAT : 0;
        presence |= f.dnat() != null ? PRESENT_DNAT : 0;
        presence |= f.seqAdjOrig() != null ? PRESENT_SEQADJ_ORIG : 0;
        presence |= f.seqAdjReply() != null ? PRESENT_SEQADJ_REPLY : 0;
        presence |= f.helper() != null ? PRESENT_HELPER : 0;
        presence |= f.synproxy() != null ? PRESENT_SYNPROXY : 0;
        BitSet labelSet = f.labels(); // a copy: read it once
        presence |= labelSet != null ? PRESENT_LABELS : 0;
        byte[] helper = f.helper() != null ? helperBytes(f.helper()) : null;
        byte[] labels = labelSet != null ? labelSet.toByteArray() : null; // trimmed: canonical

        int alen = orig.isIpv6() ? 16 : 4;
        int tupleBody = 2 * alen + idBytes(orig.protocol());
        int size = KEY_HEADER_BYTES + tupleBody + STATE_HEADER_BYTES;
        size += (presence & PRESENT_REPLY) != 0 ? tupleBody : 0;
        size += (presence & PRESENT_TIMEOUT) != 0 ? 4 : 0;
        size += (presence & PRESENT_MARK) != 0 ? 4 : 0;
        size += protoInfoBytes(f.protoInfo());
        if (f.master() != null) {
            Tuple m = f.master();
            size += 2 + 2 * (m.isIpv6() ? 16 : 4) + idBytes(m.protocol());
        }
        size += natBytes(f.snat()) + natBytes(f.dnat());
        size += (f.seqAdjOrig() != null ? 12 : 0) + (f.seqAdjReply() != null ? 12 : 0);
        size += helper != null ? 1 + helper.length : 0;
        size += labels != null ? 1 + labels.length : 0;
        size += f.synproxy() != null ? 12 : 0;

        ByteBuffer b = ByteBuffer.allocate(size);
        writeKey(b, orig, f.zone());
        b.putShort((short) presence);
        b.putInt((int) f.status());
        if ((presence & PRESENT_REPLY) != 0) {
            writeTupleBody(b, f.reply());
        }
        if (f.timeout() != Flow.ABSENT) {
            b.putInt((int) f.timeout());
        }
        if (f.mark() != Flow.ABSENT) {
            b.putInt((int) f.mark());
        }
        writeProtoInfo(b, f.protoInfo());
        if (f.master() != null) {
            b.put((byte) family(f.master())).put((byte) f.master().protocol());
            writeTupleBody(b, f.master());
        }
        writeNat(b, f.snat());
        writeNat(b, f.dnat());
        writeSeqAdj(b, f.seqAdjOrig());
        writeSeqAdj(b, f.seqAdjReply());
        if (helper != null) {
            b.put((byte) helper.length).put(helper);
        }
        if (labels != null) {
            b.put((byte) labels.length).put(labels);
        }
        if (f.synproxy() != null) {
            Synproxy s = f.synproxy();
            b.putInt((int) s.isn()).putInt((int) s.its()).putInt((int) s.tsoff());
        }
        if (b.hasRemaining()) {
            throw new IllegalStateException("compact size " + size + " overestimated by " + b.remaining());
        }
        return b.array();
    }

    /** Length of the key of the flow with original tuple {@code orig}. */
    static int keyLength(Tuple orig) {
        return KEY_HEADER_BYTES + 2 * (orig.isIpv6() ? 16 : 4) + idBytes(orig.protocol());
    }

    /** Writes the key prefix: format, family, protocol, zone, original tuple. */
    static void writeKey(ByteBuffer b, Tuple orig, int zone) {
        b.put((byte) FORMAT_V1).put((byte) family(orig)).put((byte) orig.protocol()).putShort((short) zone);
        writeTupleBody(b, orig);
    }

    private static int family(Tuple t) {
        return t.isIpv6() ? FAMILY_IPV6 : FAMILY_IPV4;
    }

    private static void writeTupleBody(ByteBuffer b, Tuple t) {
        b.put(t.src().getAddress()).put(t.dst().getAddress());
        if (Tuple.hasPorts(t.protocol())) {
            b.putShort((short) t.srcPort()).putShort((short) t.dstPort());
        } else if (Tuple.isIcmp(t.protocol())) {
            b.put((byte) t.icmpType()).put((byte) t.icmpCode()).putShort((short) t.icmpId());
        }
    }

    private static int protoInfoBytes(ProtoInfo p) {
        if (p instanceof TcpInfo) {
            return 5;
        } else if (p instanceof SctpInfo) {
            return 9;
        } else if (p instanceof DccpInfo) {
            return 10;
        }
        return 0;
    }

    private static void writeProtoInfo(ByteBuffer b, ProtoInfo p) {
        if (p instanceof TcpInfo t) {
            b.put((byte) t.state()).put((byte) t.wscaleOrig()).put((byte) t.wscaleReply())
                    .put((byte) t.flagsOrig()).put((byte) t.flagsReply());
        } else if (p instanceof SctpInfo s) {
            b.put((byte) s.state()).putInt((int) s.vtagOrig()).putInt((int) s.vtagReply());
        } else if (p instanceof DccpInfo d) {
            b.put((byte) d.state()).put((byte) d.role()).putLong(d.handshakeSeq());
        }
    }

    private static int natBytes(NatRange n) {
        return n == null ? 0 : 1 + 2 * n.minIp().getAddress().length + 4;
    }

    private static void writeNat(ByteBuffer b, NatRange n) {
        if (n != null) {
            b.put((byte) (n.minIp() instanceof Inet6Address ? FAMILY_IPV6 : FAMILY_IPV4));
            b.put(n.minIp().getAddress()).put(n.maxIp().getAddress());
            b.putShort((short) n.minPort()).putShort((short) n.maxPort());
        }
    }

    private static void writeSeqAdj(ByteBuffer b, SeqAdj s) {
        if (s != null) {
            b.putInt((int) s.correctionPos()).putInt((int) s.offsetBefore()).putInt((int) s.offsetAfter());
        }
    }

    private static byte[] helperBytes(String helper) {
        try {
            ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(helper));
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("helper name '" + helper + "' is not valid Unicode", e);
        }
    }
}
