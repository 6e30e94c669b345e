package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;
import static io.hactl.sync.sys.Sockets.*;
import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.NatRange;
import io.hactl.sync.conntrack.ProtoInfo;
import io.hactl.sync.conntrack.TcpInfo;
import io.hactl.sync.conntrack.Tuple;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;

/**
 * The request side of an {@link InMemoryConntrackKernel}: what netlink_rcv_skb(), nfnetlink and
 * ctnetlink (net/netfilter/nf_conntrack_netlink.c, 6.18) do with the messages of one send.
 *
 * <p>Messages are handled in order. One whose length does not fit ends the send unanswered, as
 * in netlink_rcv_skb(). Every other request is answered with NLMSG_ERROR when it fails or asks
 * for an ack; a request that cannot be parsed fails with EINVAL and is counted. Called under the
 * kernel's lock.
 */
final class FakeCtnetlink {
    /** Bytes of dump entries per datagram: the kernel fills dump skbs of a few pages. */
    static final int DUMP_DATAGRAM_BYTES = 16 * 1024;
    /** Returned by a handler that started a dump: netlink_dump_start() suppresses the ack (-EINTR). */
    private static final int DUMP_STARTED = -1;
    /** Status bits that exist (__IPS_MAX_BIT is 16 in 6.18). */
    private static final long STATUS_BITS = 0xffff;

    private final InMemoryConntrackKernel kernel;
    private final FakeConntrackTable table;
    /** Unknown attributes in requests land here; nothing reads them. */
    private final DecodeStats requestStats = new DecodeStats();

    FakeCtnetlink(InMemoryConntrackKernel kernel, FakeConntrackTable table) {
        this.kernel = kernel;
        this.table = table;
    }

    void process(FakeNetlinkSocket from, ByteBuffer messages) {
        ByteBuffer buf = ByteBuffer.allocate(messages.remaining()).order(ByteOrder.nativeOrder());
        buf.put(messages);
        buf.flip();
        int off = 0;
        while (buf.limit() - off >= NLMSG_HDRLEN) {
            int len = buf.getInt(off);
            if (len < NLMSG_HDRLEN || len > buf.limit() - off) {
                kernel.countMalformed();
                return;
            }
            NlMsg msg = new NlMsg(off, len, Short.toUnsignedInt(buf.getShort(off + 4)),
                    Short.toUnsignedInt(buf.getShort(off + 6)), buf.getInt(off + 8), from.portId(), NFGENMSG_LEN);
            int errno = 0;
            // only requests are handled, and control messages are skipped (netlink_rcv_skb)
            if ((msg.flags() & NLM_F_REQUEST) != 0 && msg.type() >= NLMSG_MIN_TYPE) {
                errno = handle(from, buf, msg);
            }
            if (errno != DUMP_STARTED && (errno != 0 || (msg.flags() & NLM_F_ACK) != 0)) {
                from.deliver(FakeKernelMessages.ack(buf, off, len, errno, from.portId(),
                        from.netlinkOption(NETLINK_CAP_ACK)), true);
            }
            off += align(len);
        }
    }

    private int handle(FakeNetlinkSocket from, ByteBuffer buf, NlMsg msg) {
        if (msg.length() < NLMSG_HDRLEN + NFGENMSG_LEN) {
            return malformed();
        }
        if (!Ctnl.isCtnetlink(msg.type())) {
            return Errno.EOPNOTSUPP; // other nfnetlink subsystems are not modelled
        }
        int family = Byte.toUnsignedInt(buf.get(msg.offset() + NLMSG_HDRLEN));
        int version = Byte.toUnsignedInt(buf.get(msg.offset() + NLMSG_HDRLEN + 1));
        return switch (Ctnl.ctType(msg.type())) {
            case IPCTNL_MSG_CT_NEW -> newConntrack(from, buf, msg, family);
            case IPCTNL_MSG_CT_GET, IPCTNL_MSG_CT_GET_CTRZERO -> getConntrack(from, buf, msg, family);
            case IPCTNL_MSG_CT_DELETE -> deleteConntrack(from, buf, msg, family, version);
            case IPCTNL_MSG_CT_GET_STATS -> {
                from.deliver(FakeKernelMessages.stats(msg.seq(), from.portId(), table.size(), kernel.maxEntries()), true);
                yield 0;
            }
            default -> Errno.EOPNOTSUPP; // per-cpu stats, dying and unconfirmed lists: not modelled
        };
    }

    // ---------------------------------------------------------------- IPCTNL_MSG_CT_NEW

    private int newConntrack(FakeNetlinkSocket from, ByteBuffer buf, NlMsg msg, int family) {
        BitSet present;
        Flow req;
        try {
            present = presentAttributes(buf, msg);
            req = FlowCodec.decode(buf, msg.attrStart(), msg.end(), requestStats);
        } catch (DecodeException e) {
            return malformed();
        }
        if (family != AF_INET && family != AF_INET6) {
            return Errno.EOPNOTSUPP;
        }
        if (req.family() != family) {
            return Errno.EINVAL; // ctnetlink_parse_tuple finds no address of the request's family
        }
        FlowEvent.Type event;
        Flow existing = table.find(req.orig(), req.zone());
        int errno;
        if (existing == null) {
            if ((msg.flags() & NLM_F_CREATE) == 0) {
                return Errno.ENOENT;
            }
            if (!present.get(CTA_TUPLE_REPLY)) {
                return Errno.EINVAL; // creating needs both tuples
            }
            errno = create(req, present);
            event = FlowEvent.Type.NEW;
        } else {
            if ((msg.flags() & NLM_F_EXCL) != 0) {
                return Errno.EEXIST;
            }
            errno = update(existing, req, present);
            event = FlowEvent.Type.UPDATE;
        }
        if (errno == 0) {
            Flow key = existing != null ? existing : req; // a request may name an entry by its reply tuple
            Flow stored = table.findByOrig(key.orig(), key.zone());
            kernel.emit(event, stored, from.portId(), echo(from, msg));
        }
        return errno;
    }

    /** ctnetlink_create_conntrack(), in its order of checks. */
    private int create(Flow req, BitSet present) {
        if (table.size() >= kernel.maxEntries()) {
            return Errno.ENOMEM; // nf_conntrack_alloc() on a full table
        }
        if (!present.get(CTA_TIMEOUT)) {
            return Errno.EINVAL;
        }
        long status = 0;
        Tuple reply = req.reply();
        if (req.helper() != null) {
            status |= IPS_HELPER;
        }
        if (req.snat() != null) {
            if (natFamilyDiffers(req.snat(), req.orig())) {
                return Errno.EINVAL;
            }
            // source NAT rewrites where the reply goes; nf_nat_setup_info() maps the inverse of the
            // reply tuple given, and sets IPS_SRC_NAT only when that changes it
            Tuple mapped = new Tuple(reply.src(), req.snat().minIp(), reply.protocol(), reply.srcPort(),
                    natPort(reply, req.snat(), reply.dstPort()), reply.icmpType(), reply.icmpCode(), reply.icmpId());
            status |= (mapped.equals(reply) ? 0 : IPS_SRC_NAT) | IPS_SRC_NAT_DONE;
            reply = mapped;
        }
        if (req.dnat() != null) {
            if (natFamilyDiffers(req.dnat(), req.orig())) {
                return Errno.EINVAL;
            }
            Tuple mapped = new Tuple(req.dnat().minIp(), reply.dst(), reply.protocol(),
                    natPort(reply, req.dnat(), reply.srcPort()), reply.dstPort(), reply.icmpType(), reply.icmpCode(),
                    reply.icmpId());
            status |= (mapped.equals(reply) ? 0 : IPS_DST_NAT) | IPS_DST_NAT_DONE;
            reply = mapped;
        }
        status |= IPS_CONFIRMED; // set before the requested status is applied, hence EBUSY without it
        if (present.get(CTA_STATUS)) {
            status = changeStatus(status, req.status());
            if (status < 0) {
                return Errno.EBUSY;
            }
        }
        if (req.seqAdjOrig() != null || req.seqAdjReply() != null) {
            status |= IPS_SEQ_ADJUST;
        }
        ProtoInfo protoInfo = req.protoInfo();
        if (protoInfo == null && req.orig().protocol() == Tuple.TCP) {
            protoInfo = TcpInfo.ofState(TcpInfo.NONE); // ct->proto is zeroed before CTA_PROTOINFO applies
        }
        if (req.master() != null) {
            if (table.find(req.master(), req.zone()) == null) {
                return Errno.ENOENT;
            }
            status |= IPS_EXPECTED;
        }
        if (table.clashes(req.orig(), reply, req.zone())) {
            return Errno.EEXIST; // nf_conntrack_hash_check_insert: either direction taken
        }
        table.insert(req.toBuilder().reply(reply).status(status).protoInfo(protoInfo)
                .mark(present.get(CTA_MARK) ? req.mark() : 0).snat(null).dnat(null).id(table.nextId()).build());
        return 0;
    }

    /**
     * ctnetlink_change_conntrack(): changes apply one after another, and those made before a
     * failing one stay, as in the kernel.
     */
    private int update(Flow existing, Flow req, BitSet present) {
        if (req.snat() != null || req.dnat() != null || req.master() != null) {
            return Errno.EOPNOTSUPP; // NAT and master only for new entries
        }
        Flow.Builder b = existing.toBuilder();
        int errno = applyChanges(existing, req, present, b);
        table.replace(b.build());
        return errno;
    }

    private static int applyChanges(Flow existing, Flow req, BitSet present, Flow.Builder b) {
        if (req.helper() != null) {
            if (existing.helper() == null) {
                return Errno.EOPNOTSUPP; // a helper cannot be set on an existing entry
            }
            if (!existing.helper().equals(req.helper())) {
                return Errno.EBUSY;
            }
        }
        if (present.get(CTA_TIMEOUT)) {
            b.timeout(req.timeout());
        }
        long status = existing.status();
        if (present.get(CTA_STATUS)) {
            status = changeStatus(status, req.status());
            if (status < 0) {
                return Errno.EBUSY;
            }
            b.status(status);
        }
        if (req.protoInfo() != null) {
            b.protoInfo(req.protoInfo());
        }
        if (present.get(CTA_MARK)) {
            b.mark(req.mark());
        }
        if (req.seqAdjOrig() != null || req.seqAdjReply() != null) {
            if (req.seqAdjOrig() != null) {
                b.seqAdjOrig(req.seqAdjOrig());
            }
            if (req.seqAdjReply() != null) {
                b.seqAdjReply(req.seqAdjReply());
            }
            b.status(status | IPS_SEQ_ADJUST);
        }
        if (req.synproxy() != null) {
            b.synproxy(req.synproxy());
        }
        if (req.labels() != null) {
            b.labels(req.labels());
        }
        return 0;
    }

    /**
     * nf_ct_change_status_common(): the new status, or -1 for EBUSY when the request would change
     * IPS_EXPECTED, IPS_CONFIRMED or IPS_DYING, or clear IPS_SEEN_REPLY or IPS_ASSURED. Bits in
     * IPS_UNCHANGEABLE_MASK are ignored and nothing is cleared.
     */
    static long changeStatus(long current, long wanted) {
        long d = current ^ wanted;
        if ((d & (IPS_EXPECTED | IPS_CONFIRMED | IPS_DYING)) != 0
                || (d & IPS_SEEN_REPLY) != 0 && (wanted & IPS_SEEN_REPLY) == 0
                || (d & IPS_ASSURED) != 0 && (wanted & IPS_ASSURED) == 0) {
            return -1;
        }
        return current | (wanted & ~IPS_UNCHANGEABLE_MASK & STATUS_BITS);
    }

    private static boolean natFamilyDiffers(NatRange nat, Tuple t) {
        return (nat.minIp().getAddress().length == 16) != t.isIpv6();
    }

    private static int natPort(Tuple t, NatRange nat, int unchanged) {
        return Tuple.hasPorts(t.protocol()) && nat.minPort() != 0 ? nat.minPort() : unchanged;
    }

    // ---------------------------------------------------------------- IPCTNL_MSG_CT_GET

    private int getConntrack(FakeNetlinkSocket from, ByteBuffer buf, NlMsg msg, int family) {
        if ((msg.flags() & NLM_F_DUMP) != 0) {
            long[] markFilter;
            try {
                markFilter = markFilter(buf, msg);
            } catch (DecodeException e) {
                return malformed();
            }
            if (markFilter == null) {
                return Errno.EINVAL;
            }
            dump(from, msg.seq(), family, markFilter[0], markFilter[1]);
            return DUMP_STARTED;
        }
        Lookup l;
        try {
            l = Lookup.parse(buf, msg, requestStats);
        } catch (DecodeException e) {
            return malformed();
        }
        if (l.tuple() == null) {
            return Errno.EINVAL;
        }
        int errno = l.checkFamily(family);
        if (errno != 0) {
            return errno;
        }
        Flow e = table.find(l.tuple(), l.zone());
        if (e == null) {
            return Errno.ENOENT;
        }
        AttrWriter w = new AttrWriter(512);
        // ctnetlink_fill_info() sets NLM_F_MULTI whenever it answers a port, even here
        FakeKernelMessages.putEntry(w, IPCTNL_MSG_CT_NEW, NLM_F_MULTI, msg.seq(), from.portId(), e, false);
        from.deliver(w.toByteArray(), true);
        return 0;
    }

    /**
     * ctnetlink_filter_parse_mark(): {value, mask} of a dump request; CTA_MARK alone filters on
     * the whole mark, neither filters nothing ({0, 0}), CTA_MARK_MASK alone is refused (null).
     */
    private static long[] markFilter(ByteBuffer buf, NlMsg msg) throws DecodeException {
        AttrReader r = new AttrReader(buf, msg.attrStart(), msg.end(), "ctnetlink dump request");
        long value = -1;
        long mask = -1;
        while (r.next()) {
            switch (r.type()) {
                case CTA_MARK -> value = r.u32("CTA_MARK");
                case CTA_MARK_MASK -> mask = r.u32("CTA_MARK_MASK");
                default -> { /* other filters (CTA_FILTER, CTA_STATUS, zone) are not modelled */ }
            }
        }
        if (r.error() != null) {
            throw new DecodeException(r.error());
        }
        if (value < 0) {
            return mask < 0 ? new long[] {0, 0} : null;
        }
        return new long[] {value, mask < 0 ? 0xffff_ffffL : mask};
    }

    /**
     * ctnetlink_dump_table(): every entry of the family (AF_UNSPEC: all) whose {@code mark & mask}
     * is {@code markValue}, several per datagram, then NLMSG_DONE in the last one when it fits.
     */
    private void dump(FakeNetlinkSocket from, int seq, int family, long markValue, long markMask) {
        ByteArrayOutputStream datagram = new ByteArrayOutputStream(DUMP_DATAGRAM_BYTES);
        AttrWriter w = new AttrWriter(512);
        for (Flow e : table.snapshot()) {
            if (family != AF_UNSPEC && e.family() != family) {
                continue;
            }
            if (((e.mark() == Flow.ABSENT ? 0 : e.mark()) & markMask) != markValue) {
                continue;
            }
            w.clear();
            FakeKernelMessages.putEntry(w, IPCTNL_MSG_CT_NEW, NLM_F_MULTI, seq, from.portId(), e, false);
            if (datagram.size() > 0 && datagram.size() + w.size() > DUMP_DATAGRAM_BYTES) {
                from.deliver(datagram.toByteArray(), false);
                datagram.reset();
            }
            datagram.writeBytes(w.toByteArray());
        }
        if (datagram.size() > 0 && datagram.size() + FakeKernelMessages.DONE_LENGTH > DUMP_DATAGRAM_BYTES) {
            from.deliver(datagram.toByteArray(), false);
            datagram.reset();
        }
        w.clear();
        FakeKernelMessages.putDone(w, seq, from.portId());
        datagram.writeBytes(w.toByteArray());
        from.deliver(datagram.toByteArray(), false);
    }

    // ---------------------------------------------------------------- IPCTNL_MSG_CT_DELETE

    private int deleteConntrack(FakeNetlinkSocket from, ByteBuffer buf, NlMsg msg, int family, int version) {
        Lookup l;
        try {
            l = Lookup.parse(buf, msg, requestStats);
        } catch (DecodeException e) {
            return malformed();
        }
        if (l.tuple() == null) {
            // a flush honours the family only with nfgen version 1 (ctnetlink_del_conntrack)
            int only = version != 0 ? family : AF_UNSPEC;
            for (Flow e : table.snapshot()) {
                if (only == AF_UNSPEC || e.family() == only) {
                    table.remove(e);
                    kernel.emit(FlowEvent.Type.DESTROY, e, from.portId(), echo(from, msg));
                }
            }
            return 0;
        }
        int errno = l.checkFamily(family);
        if (errno != 0) {
            return errno;
        }
        Flow e = table.find(l.tuple(), l.zone());
        if (e == null || l.id() != Flow.ABSENT && l.id() != e.id()) {
            return Errno.ENOENT;
        }
        table.remove(e);
        kernel.emit(FlowEvent.Type.DESTROY, e, from.portId(), echo(from, msg));
        return 0;
    }

    // ---------------------------------------------------------------- parsing

    /** The attribute types present at the top level of a request; throws when they do not parse. */
    private static BitSet presentAttributes(ByteBuffer buf, NlMsg msg) throws DecodeException {
        AttrReader r = new AttrReader(buf, msg.attrStart(), msg.end(), "ctnetlink request");
        BitSet present = new BitSet();
        while (r.next()) {
            present.set(r.type());
        }
        if (r.error() != null) {
            throw new DecodeException(r.error());
        }
        return present;
    }

    /** With NLM_F_ECHO the requester gets its own event by unicast instead of by multicast (nlmsg_notify). */
    private static FakeNetlinkSocket echo(FakeNetlinkSocket from, NlMsg msg) {
        return (msg.flags() & NLM_F_ECHO) != 0 ? from : null;
    }

    private int malformed() {
        kernel.countMalformed();
        return Errno.EINVAL;
    }

    /** The tuple, zone and id of a CT_GET or CT_DELETE request (CTA_TUPLE_ORIG preferred over REPLY). */
    private record Lookup(Tuple tuple, int zone, long id) {

        static Lookup parse(ByteBuffer buf, NlMsg msg, DecodeStats stats) throws DecodeException {
            AttrReader r = new AttrReader(buf, msg.attrStart(), msg.end(), "ctnetlink request");
            Tuple orig = null;
            Tuple reply = null;
            int zone = 0;
            long id = Flow.ABSENT;
            while (r.next()) {
                switch (r.type()) {
                    case CTA_TUPLE_ORIG -> orig = TupleCodec.decode(r, "CTA_TUPLE_ORIG", stats);
                    case CTA_TUPLE_REPLY -> reply = TupleCodec.decode(r, "CTA_TUPLE_REPLY", stats);
                    case CTA_ZONE -> zone = r.u16("CTA_ZONE");
                    case CTA_ID -> id = r.u32("CTA_ID");
                    default -> { /* filters (CTA_MARK, CTA_STATUS, ...) are not modelled */ }
                }
            }
            if (r.error() != null) {
                throw new DecodeException(r.error());
            }
            return new Lookup(orig != null ? orig : reply, zone, id);
        }

        /** ctnetlink_parse_tuple(): EOPNOTSUPP for a family other than IPv4/IPv6, EINVAL when the tuple's differs. */
        int checkFamily(int family) {
            if (family != AF_INET && family != AF_INET6) {
                return Errno.EOPNOTSUPP;
            }
            return (family == AF_INET6) == tuple.isIpv6() ? 0 : Errno.EINVAL;
        }
    }
}
