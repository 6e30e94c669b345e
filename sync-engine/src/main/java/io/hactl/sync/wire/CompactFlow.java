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
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;

/**
 * hactl's compact binary form of a {@link Flow}: how the caches hold flows and how peers carry
 * them. A stateless mirror pair, {@link #encode} and {@link #decode}; the layout and its pinned
 * numbers are in {@link CompactFormat}.
 *
 * <p>The key (format, family, protocol, zone, original tuple) comes first, so a cache can hash and
 * compare a prefix of the bytes without decoding. Optional parts are announced in a presence
 * bitmask and cost nothing when absent: an IPv4 TCP flow in ESTABLISHED with an un-NATed reply
 * takes 36 bytes. The kernel's entry id is not encoded (it is meaningless on another node).
 *
 * <p>Because the same bytes come from the peer, decoding trusts nothing: every length is checked
 * before it is read, every value against its range, unknown format bytes and presence bits are
 * rejected, and so are non-canonical forms (so equal flows always have equal bytes). All of it is
 * reported as a {@link CompactFlowException} naming the field.
 */
public final class CompactFlow {
    private CompactFlow() {}

    // ---- encode ----

    /**
     * Encodes {@code f}. Throws IllegalArgumentException only for a helper name that is not valid
     * Unicode (an unpaired surrogate), which no kernel produces.
     */
    public static byte[] encode(Flow f) {
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

    /** The key of the flow with original tuple {@code orig} in {@code zone}: the prefix of its encoding. */
    public static byte[] encodeKey(Tuple orig, int zone) {
        byte[] out = new byte[keyLength(orig)];
        encodeKey(orig, zone, out);
        return out;
    }

    /** Writes the key into {@code dst} (at least {@link CompactFormat#MAX_KEY_BYTES} long); returns its length. */
    public static int encodeKey(Tuple orig, int zone, byte[] dst) {
        if (zone < 0 || zone > 0xffff) {
            throw new IllegalArgumentException("zone " + zone + " is not 0..65535");
        }
        ByteBuffer b = ByteBuffer.wrap(dst);
        writeKey(b, orig, zone);
        return b.position();
    }

    private static int keyLength(Tuple orig) {
        return KEY_HEADER_BYTES + 2 * (orig.isIpv6() ? 16 : 4) + idBytes(orig.protocol());
    }

    private static void writeKey(ByteBuffer b, Tuple orig, int zone) {
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

    // ---- trusted helpers for the caches (bytes this class produced) ----

    /** Length of the key prefix of an encoding produced by {@link #encode}. */
    public static int keyLength(byte[] encoded) {
        return KEY_HEADER_BYTES + 2 * addressBytes(Byte.toUnsignedInt(encoded[1])) + idBytes(Byte.toUnsignedInt(encoded[2]));
    }

    /**
     * Whether {@code key} is a key prefix of format 1 ({@link #encodeKey}): a known family and
     * exactly the length its family and protocol give. Checks bytes from the peer.
     */
    public static boolean isKey(byte[] key) {
        if (key.length < KEY_HEADER_BYTES || key[0] != FORMAT_V1) {
            return false;
        }
        int addr = addressBytes(Byte.toUnsignedInt(key[1]));
        return addr > 0 && key.length == KEY_HEADER_BYTES + 2 * addr + idBytes(Byte.toUnsignedInt(key[2]));
    }

    /**
     * Whether two encodings produced by {@link #encode} of the same key differ at most in their
     * timeout: the flow is the same, only its time ran on (or traffic refreshed it). Both must
     * carry a timeout; anything else that differs (state, status, mark, NAT) is a change.
     */
    public static boolean sameButTimeout(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int k = keyLength(a);
        int presence = (Byte.toUnsignedInt(a[k]) << 8) | Byte.toUnsignedInt(a[k + 1]);
        if ((presence & PRESENT_TIMEOUT) == 0 || k + 1 >= b.length
                || presence != ((Byte.toUnsignedInt(b[k]) << 8) | Byte.toUnsignedInt(b[k + 1]))) {
            return false;
        }
        int at = k + STATE_HEADER_BYTES + ((presence & PRESENT_REPLY) != 0 ? k - KEY_HEADER_BYTES : 0);
        return Arrays.equals(a, 0, at, b, 0, at) && Arrays.equals(a, at + 4, a.length, b, at + 4, b.length);
    }

    /** Whether an encoding produced by {@link #encode} carries a master tuple (a related flow). */
    public static boolean hasMaster(byte[] encoded) {
        int k = keyLength(encoded);
        int presence = (Byte.toUnsignedInt(encoded[k]) << 8) | Byte.toUnsignedInt(encoded[k + 1]);
        return (presence & PRESENT_MASTER) != 0;
    }

    // ---- the common shape, checked and read without decoding ----

    private static final int COMMON_PARTS = PRESENT_REPLY_INVERSE | PRESENT_TIMEOUT | PRESENT_MARK | PRESENT_PROTOINFO;

    /**
     * Whether {@code enc} is a well-formed encoding of the common shape: IPv4 or IPv6, a protocol
     * with ports or without ids (not ICMP), no explicit reply tuple, at most a timeout, a mark and
     * (TCP only) the TCP state; no master, NAT, sequence adjustment, helper, labels or synproxy.
     * When true, {@link #decode} accepts it; when false it may still be well-formed in another
     * shape, which only {@code decode} can tell. Allocates nothing: the receive and commit paths
     * check this first and decode only the rest.
     */
    public static boolean isCommonShape(byte[] enc) {
        if (enc.length < KEY_HEADER_BYTES + 8 + STATE_HEADER_BYTES || enc[0] != FORMAT_V1) {
            return false;
        }
        int alen = addressBytes(enc[1] & 0xff);
        int protocol = enc[2] & 0xff;
        if (alen < 0 || Tuple.isIcmp(protocol)) {
            return false;
        }
        int keyLen = KEY_HEADER_BYTES + 2 * alen + idBytes(protocol);
        if (enc.length < keyLen + STATE_HEADER_BYTES) {
            return false;
        }
        int presence = ((enc[keyLen] & 0xff) << 8) | (enc[keyLen + 1] & 0xff);
        if ((presence & ~COMMON_PARTS) != 0) {
            return false;
        }
        int len = keyLen + STATE_HEADER_BYTES + ((presence & PRESENT_TIMEOUT) != 0 ? 4 : 0)
                + ((presence & PRESENT_MARK) != 0 ? 4 : 0);
        if ((presence & PRESENT_PROTOINFO) != 0) {
            if (protocol != Tuple.TCP || enc.length != len + 5 || (enc[len] & 0xff) >= TcpInfo.MAX) {
                return false;
            }
            len += 5;
        }
        return enc.length == len;
    }

    /** Checks an encoding from the peer: throws what {@link #decode} would, builds nothing for the common shape. */
    public static void check(byte[] enc) throws CompactFlowException {
        if (!isCommonShape(enc)) {
            decode(enc);
        }
    }

    // ---- decode ----

    /** Decodes one whole encoding; trailing bytes are an error. */
    public static Flow decode(byte[] encoded) throws CompactFlowException {
        return decode(ByteBuffer.wrap(encoded));
    }

    /**
     * Decodes the bytes between {@code buf}'s position and limit, which must hold exactly one
     * encoded flow. The buffer's position, limit and byte order are left as they were.
     */
    public static Flow decode(ByteBuffer buf) throws CompactFlowException {
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
