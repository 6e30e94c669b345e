package io.hactl.sync.conntrack;

import java.util.BitSet;
import java.util.Objects;

/**
 * One conntrack entry: everything hactl reads from or writes to the kernel's table.
 *
 * <p>Optional parts are {@code null} when absent; optional numbers use {@link #ABSENT}. Counters,
 * use count, secmark and timestamps are deliberately not modelled: they are not replicated.
 *
 * @param orig         original-direction tuple (the cache key together with {@code zone})
 * @param reply        reply-direction tuple; {@code null} means "the inverse of orig" when writing
 * @param zone         conntrack zone (CTA_ZONE), 0 for the default zone
 * @param status       IPS_* status bits (CTA_STATUS), unsigned 32 bits
 * @param timeout      seconds left (CTA_TIMEOUT), or ABSENT
 * @param mark         connection mark (CTA_MARK), unsigned 32 bits, or ABSENT
 * @param protoInfo    TCP/SCTP/DCCP state, or null
 * @param master       the master connection's original tuple for related flows (CTA_TUPLE_MASTER), or null
 * @param snat         source NAT to set up on create (CTA_NAT_SRC), or null
 * @param dnat         destination NAT to set up on create (CTA_NAT_DST), or null
 * @param seqAdjOrig   sequence adjustment, original direction, or null
 * @param seqAdjReply  sequence adjustment, reply direction, or null
 * @param helper       name of the conntrack helper (CTA_HELP / CTA_HELP_NAME), or null
 * @param labels       connection labels (CTA_LABELS), or null
 * @param synproxy     SYN proxy state, or null
 * @param id           the kernel's entry id (CTA_ID), or ABSENT; read-only, never written
 */
public record Flow(Tuple orig, Tuple reply, int zone, long status, long timeout, long mark,
                   ProtoInfo protoInfo, Tuple master, NatRange snat, NatRange dnat,
                   SeqAdj seqAdjOrig, SeqAdj seqAdjReply, String helper, BitSet labels,
                   Synproxy synproxy, long id) {

    /** Marks an optional number as not present. */
    public static final long ABSENT = -1;
    /** Bytes of CTA_LABELS the kernel uses (NF_CT_LABELS_MAX_SIZE: 128 bits). */
    public static final int LABELS_BYTES = 16;

    public Flow {
        Objects.requireNonNull(orig, "orig");
        if (reply != null && reply.isIpv6() != orig.isIpv6()) {
            throw new IllegalArgumentException("reply tuple family differs from orig");
        }
        if (reply != null && reply.protocol() != orig.protocol()) {
            throw new IllegalArgumentException("reply tuple protocol differs from orig");
        }
        Values.checkU16("zone", zone);
        Values.checkU32("status", status);
        if (timeout != ABSENT) {
            Values.checkU32("timeout", timeout);
        }
        if (mark != ABSENT) {
            Values.checkU32("mark", mark);
        }
        if (protoInfo instanceof TcpInfo && orig.protocol() != Tuple.TCP
                || protoInfo instanceof SctpInfo && orig.protocol() != Tuple.SCTP
                || protoInfo instanceof DccpInfo && orig.protocol() != Tuple.DCCP) {
            throw new IllegalArgumentException(protoInfo.getClass().getSimpleName()
                    + " does not fit protocol " + orig.protocol());
        }
        if (labels != null) {
            if (labels.length() > LABELS_BYTES * 8) {
                throw new IllegalArgumentException("labels use bit " + (labels.length() - 1) + ", max is 127");
            }
            labels = (BitSet) labels.clone();
        }
        if (helper != null && (helper.isEmpty() || helper.length() > 15)) {
            throw new IllegalArgumentException("helper name '" + helper + "' must be 1..15 characters");
        }
    }

    @Override
    public BitSet labels() {
        return labels == null ? null : (BitSet) labels.clone();
    }

    public int family() {
        return orig.isIpv6() ? 10 : 2;
    }

    /** Reply tuple as given, or the inverse of the original tuple. */
    public Tuple replyOrInverse() {
        return reply != null ? reply : orig.inverse();
    }

    public boolean hasStatus(long bits) {
        return (status & bits) == bits;
    }

    public TcpInfo tcp() {
        return protoInfo instanceof TcpInfo t ? t : null;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(Tuple orig) {
        return new Builder(orig);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(orig.toString());
        if (protoInfo instanceof TcpInfo t) {
            sb.append(' ').append(TcpInfo.stateName(t.state()));
        }
        if (timeout != ABSENT) {
            sb.append(" timeout=").append(timeout);
        }
        sb.append(" status=0x").append(Long.toHexString(status));
        if (reply != null) {
            sb.append(" [reply ").append(reply.src().getHostAddress()).append(" -> ")
                    .append(reply.dst().getHostAddress());
            if (Tuple.hasPorts(reply.protocol())) {
                sb.append(' ').append(reply.srcPort()).append(" -> ").append(reply.dstPort());
            }
            sb.append(']');
        }
        if (zone != 0) {
            sb.append(" zone=").append(zone);
        }
        if (mark != ABSENT && mark != 0) {
            sb.append(" mark=").append(mark);
        }
        if (helper != null) {
            sb.append(" helper=").append(helper);
        }
        return sb.toString();
    }

    /** Mutable builder; {@link #build()} validates through the record's constructor. */
    public static final class Builder {
        private Tuple orig;
        private Tuple reply;
        private int zone;
        private long status;
        private long timeout = ABSENT;
        private long mark = ABSENT;
        private ProtoInfo protoInfo;
        private Tuple master;
        private NatRange snat;
        private NatRange dnat;
        private SeqAdj seqAdjOrig;
        private SeqAdj seqAdjReply;
        private String helper;
        private BitSet labels;
        private Synproxy synproxy;
        private long id = ABSENT;

        private Builder(Tuple orig) {
            this.orig = orig;
        }

        private Builder(Flow f) {
            orig = f.orig;
            reply = f.reply;
            zone = f.zone;
            status = f.status;
            timeout = f.timeout;
            mark = f.mark;
            protoInfo = f.protoInfo;
            master = f.master;
            snat = f.snat;
            dnat = f.dnat;
            seqAdjOrig = f.seqAdjOrig;
            seqAdjReply = f.seqAdjReply;
            helper = f.helper;
            labels = f.labels;
            synproxy = f.synproxy;
            id = f.id;
        }

        public Builder orig(Tuple v) { orig = v; return this; }
        public Builder reply(Tuple v) { reply = v; return this; }
        public Builder zone(int v) { zone = v; return this; }
        public Builder status(long v) { status = v; return this; }
        public Builder timeout(long v) { timeout = v; return this; }
        public Builder mark(long v) { mark = v; return this; }
        public Builder protoInfo(ProtoInfo v) { protoInfo = v; return this; }
        public Builder master(Tuple v) { master = v; return this; }
        public Builder snat(NatRange v) { snat = v; return this; }
        public Builder dnat(NatRange v) { dnat = v; return this; }
        public Builder seqAdjOrig(SeqAdj v) { seqAdjOrig = v; return this; }
        public Builder seqAdjReply(SeqAdj v) { seqAdjReply = v; return this; }
        public Builder helper(String v) { helper = v; return this; }
        public Builder labels(BitSet v) { labels = v; return this; }
        public Builder synproxy(Synproxy v) { synproxy = v; return this; }
        public Builder id(long v) { id = v; return this; }

        public Flow build() {
            return new Flow(orig, reply, zone, status, timeout, mark, protoInfo, master, snat, dnat,
                    seqAdjOrig, seqAdjReply, helper, labels, synproxy, id);
        }
    }
}
