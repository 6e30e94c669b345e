package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;
import static io.hactl.sync.sys.Sockets.*;
import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.filter.FlowFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Operations on the kernel's conntrack table over one ctnetlink request socket: dump, get,
 * create, update, delete, flush, count, and batched writes that put many messages in each
 * system call and still report a result per flow. The request/answer exchange on the socket is
 * {@link RequestSocket}'s, the chunked batches {@link BatchSender}'s; this class builds the requests.
 *
 * <p>Not thread-safe: one caller at a time (the sync engine serialises its kernel writes).
 */
public final class Conntrack implements AutoCloseable {
    /** Receive buffer asked for: holds the error answers of a whole batch chunk with room to spare. */
    public static final int DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;
    /** How long a request may wait for the kernel's answer before it fails with EAGAIN. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final RequestSocket requests;
    private final AttrWriter writer = new AttrWriter(128 * 1024);
    private final BatchSender batches;

    public Conntrack(NetlinkSocket socket, DecodeStats stats) {
        this.requests = new RequestSocket(socket, stats);
        this.batches = new BatchSender(requests, writer);
    }

    /** Opens a request socket on the kernel of the calling thread's network namespace. */
    public static Conntrack open() throws NetlinkException {
        return open(new DecodeStats());
    }

    public static Conntrack open(DecodeStats stats) throws NetlinkException {
        JnaNetlinkSocket s = JnaNetlinkSocket.netfilter();
        try {
            s.setReceiveBufferSize(DEFAULT_RECEIVE_BUFFER);
            s.setSendBufferSize(1024 * 1024);
            // Error answers carry only the request's header, not the whole request.
            s.setNetlinkOption(NETLINK_CAP_ACK, true);
            s.setReceiveTimeout(DEFAULT_TIMEOUT);
        } catch (NetlinkException e) {
            s.close();
            throw e;
        }
        return new Conntrack(s, stats);
    }

    public NetlinkSocket socket() {
        return requests.socket();
    }

    public DecodeStats stats() {
        return requests.stats();
    }

    /** Limits of one batch chunk: at most this many messages and about this many bytes per send. */
    public void setBatchLimits(int messages, int bytes) {
        batches.setLimits(messages, bytes);
    }

    // ---------------------------------------------------------------- reads

    /**
     * Streams every entry of the family (AF_INET, AF_INET6, or AF_UNSPEC for both) to {@code sink}.
     * An entry that cannot be decoded is counted in {@link DecodeStats#malformedMessages} and skipped.
     */
    public long dump(int family, Consumer<Flow> sink) throws NetlinkException {
        return requests.receiveDump(requestDump(family, w -> { }), sink);
    }

    /** Sends a dump request for {@code family}, {@code attributes} written into it; returns its sequence number. */
    private int requestDump(int family, Consumer<AttrWriter> attributes) throws NetlinkException {
        int s = requests.nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET), NLM_F_REQUEST | NLM_F_DUMP, s, family, 0);
        attributes.accept(writer);
        writer.endMessage(m);
        requests.send(writer.flipped());
        return s;
    }

    /**
     * As {@link #dump(int, Consumer)}, only the entries whose {@code mark & mask == value}: the
     * kernel filters (CTA_MARK and CTA_MARK_MASK in the request), so the others never cross the socket.
     */
    public long dumpMarked(int family, long value, long mask, Consumer<Flow> sink) throws NetlinkException {
        return requests.receiveDump(requestDump(family, w -> FlowCodec.encodeMarkFilter(w, value, mask)), sink);
    }

    /**
     * Counts the entries of the family that {@code filter} accepts, reading only what it judges of
     * each (no flow is decoded). An entry that cannot be read is counted in
     * {@link DecodeStats#malformedMessages} and not in the result.
     */
    public long count(int family, FlowFilter filter) throws NetlinkException {
        return requests.receiveDumpMessages(requestDump(family, w -> { }), msg -> {
            if (!Ctnl.isCtnetlink(msg.type())) {
                requests.stats().unexpectedMessages.incrementAndGet();
                return false;
            }
            return FilterFields.accepted(filter, requests.rx(), msg.attrStart(), msg.end(), requests.stats());
        });
    }

    public List<Flow> dump(int family) throws NetlinkException {
        List<Flow> out = new ArrayList<>();
        dump(family, out::add);
        return out;
    }

    /** The entry whose original tuple (and zone) is given, if the kernel has it. */
    public Optional<Flow> get(Tuple orig, int zone) throws NetlinkException {
        int s = requests.nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET), NLM_F_REQUEST | NLM_F_ACK, s, family(orig), 0);
        TupleCodec.encode(writer, CTA_TUPLE_ORIG, orig);
        if (zone != 0) {
            writer.putU16(CTA_ZONE, zone);
        }
        writer.endMessage(m);
        requests.send(writer.flipped());
        Flow[] found = new Flow[1];
        int errno = requests.awaitAck(s, msg -> found[0] = requests.decodeFlow(msg));
        if (errno == Errno.ENOENT) {
            return Optional.empty();
        }
        if (errno != 0) {
            throw new NetlinkException("get " + orig, errno);
        }
        return Optional.ofNullable(found[0]);
    }

    /** Number of entries in this namespace's table (IPCTNL_MSG_CT_GET_STATS, CTA_STATS_GLOBAL_ENTRIES). */
    public long count() throws NetlinkException {
        int s = requests.nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET_STATS), NLM_F_REQUEST | NLM_F_ACK, s, AF_UNSPEC, 0);
        writer.endMessage(m);
        requests.send(writer.flipped());
        long[] entries = {-1};
        int errno = requests.awaitAck(s, msg -> {
            AttrReader r = new AttrReader(requests.rx(), msg.attrStart(), msg.end(), "stats");
            while (r.next()) {
                if (r.type() == CTA_STATS_GLOBAL_ENTRIES) {
                    entries[0] = r.u32("CTA_STATS_GLOBAL_ENTRIES");
                }
            }
            if (r.error() != null) {
                requests.stats().malformedMessages.incrementAndGet();
            }
        });
        if (errno != 0) {
            throw new NetlinkException("count entries", errno);
        }
        if (entries[0] < 0) {
            throw new NetlinkException("count entries", Errno.EIO, "no CTA_STATS_GLOBAL_ENTRIES in the answer");
        }
        return entries[0];
    }

    // ---------------------------------------------------------------- single writes

    /** Creates the entry; fails with EEXIST when it exists. The flow needs a timeout. */
    public void create(Flow f) throws NetlinkException {
        write(f, BatchMode.CREATE, "create");
    }

    /** Updates an existing entry; fails with ENOENT when there is none. */
    public void update(Flow f) throws NetlinkException {
        write(f, BatchMode.UPDATE, "update");
    }

    private void write(Flow f, BatchMode mode, String what) throws NetlinkException {
        int s = requests.nextSeq();
        writer.clear();
        encodeNew(writer, f, mode, s, NLM_F_ACK);
        requests.send(writer.flipped());
        int errno = requests.awaitAck(s, null);
        if (errno != 0) {
            throw new NetlinkException(what + " " + f.orig(), errno);
        }
    }

    /** Deletes the entry with this original tuple and zone; fails with ENOENT when there is none. */
    public void delete(Tuple orig, int zone) throws NetlinkException {
        int s = requests.nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST | NLM_F_ACK, s, family(orig), 0);
        TupleCodec.encode(writer, CTA_TUPLE_ORIG, orig);
        if (zone != 0) {
            writer.putU16(CTA_ZONE, zone);
        }
        writer.endMessage(m);
        requests.send(writer.flipped());
        int errno = requests.awaitAck(s, null);
        if (errno != 0) {
            throw new NetlinkException("delete " + orig, errno);
        }
    }

    /** Removes every entry of the family (AF_UNSPEC: all families) from the kernel table. */
    public void flush(int family) throws NetlinkException {
        int s = requests.nextSeq();
        writer.clear();
        // ctnetlink honours the family of a flush only when nfgen version is 1 (older kernels
        // flushed every family whatever the request said); AF_UNSPEC flushes all.
        int version = family == AF_UNSPEC ? NFNETLINK_V0 : 1;
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST | NLM_F_ACK, s, family, version, 0);
        writer.endMessage(m);
        requests.send(writer.flipped());
        int errno = requests.awaitAck(s, null);
        if (errno != 0) {
            throw new NetlinkException("flush conntrack table", errno);
        }
    }

    // ---------------------------------------------------------------- batched writes

    /**
     * Writes all flows with as few system calls as possible: up to the batch limits of messages
     * go out in one send without per-message acks; only the last message of each chunk asks for
     * an ack, which marks the point where every earlier error answer has arrived (the kernel
     * handles a chunk's messages in order, synchronously within the send). A flow without an
     * error answer succeeded.
     */
    public BatchResult batch(List<Flow> flows, BatchMode mode) throws NetlinkException {
        return batches.run(flows.size(), (w, i, s) -> encodeNew(w, flows.get(i), mode, s, 0));
    }

    /** Writes the attributes of the i-th CT_NEW request of a batch straight into the message. */
    public interface NewRequests {
        /** The address family of request {@code i} (AF_INET or AF_INET6). */
        int family(int i);

        /** Writes the attributes of request {@code i} (everything after the nfgenmsg header). */
        void write(AttrWriter w, int i);
    }

    /**
     * As {@link #batch}, for requests that write their own attributes (a commit transcodes the
     * external cache's encodings without building flows).
     */
    public BatchResult batch(int n, BatchMode mode, NewRequests requests) throws NetlinkException {
        return batches.run(n, (w, i, s) -> {
            int m = Nfgenmsg.begin(w, ctMessageType(IPCTNL_MSG_CT_NEW), NLM_F_REQUEST | mode.flags, s,
                    requests.family(i), 0);
            requests.write(w, i);
            w.endMessage(m);
        });
    }

    /**
     * Deletes the entries with these original tuples (and zones) in batches, like {@link #batch}:
     * a flow already gone answers ENOENT.
     */
    public BatchResult batchDelete(List<Flow> flows) throws NetlinkException {
        return batches.run(flows.size(), (w, i, s) -> {
            Flow f = flows.get(i);
            int m = Nfgenmsg.begin(w, ctMessageType(IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST, s, f.family(), 0);
            TupleCodec.encode(w, CTA_TUPLE_ORIG, f.orig());
            if (f.zone() != 0) {
                w.putU16(CTA_ZONE, f.zone());
            }
            w.endMessage(m);
        });
    }

    // ---------------------------------------------------------------- helpers

    private static void encodeNew(AttrWriter w, Flow f, BatchMode mode, int s, int extraFlags) {
        int m = Nfgenmsg.begin(w, ctMessageType(IPCTNL_MSG_CT_NEW), NLM_F_REQUEST | mode.flags | extraFlags,
                s, f.family(), 0);
        FlowCodec.encode(w, f);
        w.endMessage(m);
    }

    private static int family(Tuple t) {
        return t.isIpv6() ? AF_INET6 : AF_INET;
    }

    @Override
    public void close() {
        batches.close();
        requests.close();
    }

    @Override
    public String toString() {
        return "Conntrack[port " + requests.socket().portId() + ", batch " + batches.messageLimit() + " msgs/"
                + batches.byteLimit() + " B]";
    }
}
