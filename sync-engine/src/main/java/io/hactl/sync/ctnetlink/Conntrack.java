package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;
import static io.hactl.sync.sys.Sockets.*;
import io.hactl.sync.netlink.AttrReader;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.JnaNetlinkSocket;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.NlMsg;

import static io.hactl.sync.ctnetlink.Ctnl.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.Tuple;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Operations on the kernel's conntrack table over one ctnetlink request socket: dump, get,
 * create, update, delete, flush, count, and batched writes that put many messages in each
 * system call and still report a result per flow.
 *
 * <p>Not thread-safe: one caller at a time (the sync engine serialises its kernel writes).
 */
public final class Conntrack implements AutoCloseable {
    /** Receive buffer asked for: holds the error answers of a whole batch chunk with room to spare. */
    public static final int DEFAULT_RECEIVE_BUFFER = 8 * 1024 * 1024;
    /** How long a request may wait for the kernel's answer before it fails with EAGAIN. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final NetlinkSocket socket;
    private final DecodeStats stats;
    private final AttrWriter writer = new AttrWriter(128 * 1024);
    /** The second buffer and the thread of a batch's encoding (see runBatch), made on first need. */
    private AttrWriter spare;
    private java.util.concurrent.ExecutorService encoderThread;
    private final ByteBuffer rx = ByteBuffer.allocate(256 * 1024).order(ByteOrder.nativeOrder());
    private int seq = 1;
    private int batchMessages = 256;
    private int batchBytes = 96 * 1024;

    public Conntrack(NetlinkSocket socket, DecodeStats stats) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.stats = Objects.requireNonNull(stats, "stats");
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
        return socket;
    }

    public DecodeStats stats() {
        return stats;
    }

    /** Limits of one batch chunk: at most this many messages and about this many bytes per send. */
    public void setBatchLimits(int messages, int bytes) {
        if (messages < 1 || bytes < 1024) {
            throw new IllegalArgumentException("batch limits " + messages + " messages / " + bytes + " bytes too small");
        }
        this.batchMessages = messages;
        this.batchBytes = bytes;
    }

    // ---------------------------------------------------------------- reads

    /**
     * Streams every entry of the family (AF_INET, AF_INET6, or AF_UNSPEC for both) to {@code sink}.
     * An entry that cannot be decoded is counted in {@link DecodeStats#malformedMessages} and skipped.
     */
    public long dump(int family, Consumer<Flow> sink) throws NetlinkException {
        int s = nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET), NLM_F_REQUEST | NLM_F_DUMP, s, family, 0);
        writer.endMessage(m);
        return receiveDump(s, sink);
    }

    /**
     * As {@link #dump(int, Consumer)}, only the entries whose {@code mark & mask == value}: the
     * kernel filters (CTA_MARK and CTA_MARK_MASK in the request), so the others never cross the socket.
     */
    public long dumpMarked(int family, long value, long mask, Consumer<Flow> sink) throws NetlinkException {
        int s = nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET), NLM_F_REQUEST | NLM_F_DUMP, s, family, 0);
        FlowCodec.encodeMarkFilter(writer, value, mask);
        writer.endMessage(m);
        return receiveDump(s, sink);
    }

    private long receiveDump(int s, Consumer<Flow> sink) throws NetlinkException {
        socket.send(writer.flipped());
        long n = 0;
        while (true) {
            socket.receive(rx);
            int off = 0;
            while (off < rx.limit()) {
                NlMsg msg = readHeader(off, "dump");
                if (msg == null) {
                    break;
                }
                off = msg.next();
                if (msg.seq() != s) {
                    continue;
                }
                if (msg.type() == NLMSG_DONE) {
                    return n;
                }
                if (msg.type() == NLMSG_ERROR) {
                    int errno = msg.errno(rx);
                    if (errno != 0) {
                        throw new NetlinkException("dump conntrack table", errno);
                    }
                    continue;
                }
                Flow f = decodeFlow(msg);
                if (f != null) {
                    sink.accept(f);
                    n++;
                }
            }
        }
    }

    public List<Flow> dump(int family) throws NetlinkException {
        List<Flow> out = new ArrayList<>();
        dump(family, out::add);
        return out;
    }

    /** The entry whose original tuple (and zone) is given, if the kernel has it. */
    public Optional<Flow> get(Tuple orig, int zone) throws NetlinkException {
        int s = nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET), NLM_F_REQUEST | NLM_F_ACK, s, family(orig), 0);
        TupleCodec.encode(writer, CTA_TUPLE_ORIG, orig);
        if (zone != 0) {
            writer.putU16(CTA_ZONE, zone);
        }
        writer.endMessage(m);
        socket.send(writer.flipped());
        Flow[] found = new Flow[1];
        int errno = awaitAck(s, msg -> found[0] = decodeFlow(msg));
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
        int s = nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_GET_STATS), NLM_F_REQUEST | NLM_F_ACK, s, AF_UNSPEC, 0);
        writer.endMessage(m);
        socket.send(writer.flipped());
        long[] entries = {-1};
        int errno = awaitAck(s, msg -> {
            AttrReader r = new AttrReader(rx, msg.attrStart(), msg.end(), "stats");
            while (r.next()) {
                if (r.type() == CTA_STATS_GLOBAL_ENTRIES) {
                    entries[0] = r.u32("CTA_STATS_GLOBAL_ENTRIES");
                }
            }
            if (r.error() != null) {
                stats.malformedMessages.incrementAndGet();
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
        int s = nextSeq();
        writer.clear();
        encodeNew(writer, f, mode, s, NLM_F_ACK);
        socket.send(writer.flipped());
        int errno = awaitAck(s, null);
        if (errno != 0) {
            throw new NetlinkException(what + " " + f.orig(), errno);
        }
    }

    /** Deletes the entry with this original tuple and zone; fails with ENOENT when there is none. */
    public void delete(Tuple orig, int zone) throws NetlinkException {
        int s = nextSeq();
        writer.clear();
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST | NLM_F_ACK, s, family(orig), 0);
        TupleCodec.encode(writer, CTA_TUPLE_ORIG, orig);
        if (zone != 0) {
            writer.putU16(CTA_ZONE, zone);
        }
        writer.endMessage(m);
        socket.send(writer.flipped());
        int errno = awaitAck(s, null);
        if (errno != 0) {
            throw new NetlinkException("delete " + orig, errno);
        }
    }

    /** Removes every entry of the family (AF_UNSPEC: all families) from the kernel table. */
    public void flush(int family) throws NetlinkException {
        int s = nextSeq();
        writer.clear();
        // ctnetlink honours the family of a flush only when nfgen version is 1 (older kernels
        // flushed every family whatever the request said); AF_UNSPEC flushes all.
        int version = family == AF_UNSPEC ? NFNETLINK_V0 : 1;
        int m = Nfgenmsg.begin(writer, ctMessageType(IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST | NLM_F_ACK, s, family, version, 0);
        writer.endMessage(m);
        socket.send(writer.flipped());
        int errno = awaitAck(s, null);
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
        return runBatch(flows.size(), (w, i, s) -> encodeNew(w, flows.get(i), mode, s, 0));
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
        return runBatch(n, (w, i, s) -> {
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
        return runBatch(flows.size(), (w, i, s) -> {
            Flow f = flows.get(i);
            int m = Nfgenmsg.begin(w, ctMessageType(IPCTNL_MSG_CT_DELETE), NLM_F_REQUEST, s, f.family(), 0);
            TupleCodec.encode(w, CTA_TUPLE_ORIG, f.orig());
            if (f.zone() != 0) {
                w.putU16(CTA_ZONE, f.zone());
            }
            w.endMessage(m);
        });
    }

    /** Writes request {@code index} with sequence number {@code seq} into {@code w}. */
    private interface RequestEncoder {
        void encode(AttrWriter w, int index, int seq);
    }

    /** Requests {@code [first, end)} encoded in {@code out}, numbered {@code firstSeq..lastSeq}. */
    private record Chunk(int first, int end, int firstSeq, int lastSeq, ByteBuffer out) {}

    /**
     * Sends the requests in chunks and collects each chunk's answers before the next. The kernel
     * processes a chunk inside the send, serialised under ctnetlink's mutex, so the next chunk is
     * encoded meanwhile on another thread (into the other of two buffers): the writing thread goes
     * from one send to the next. (Encoding took 30 ms of a 100k-flow commit's 280 ms, and 130 of
     * 850 at 250k, all of it on the writing thread before.)
     */
    private BatchResult runBatch(int n, RequestEncoder encoder) throws NetlinkException {
        long t0 = System.nanoTime();
        int[] errnos = new int[n];
        int sends = 0;
        if (n == 0) {
            return new BatchResult(errnos, System.nanoTime() - t0, 0);
        }
        Chunk chunk = encodeChunk(writer, 0, n, encoder);
        java.util.concurrent.Future<Chunk> next = null;
        try {
            for (int k = 1; ; k++) {
                if (chunk.end() < n) {
                    AttrWriter other = k % 2 == 1 ? spareWriter() : writer; // not the one chunk is in
                    int from = chunk.end();
                    next = encoderThread().submit(() -> encodeChunk(other, from, n, encoder));
                }
                socket.send(chunk.out());
                sends++;
                collectBatchAnswers(chunk.firstSeq(), chunk.lastSeq(), chunk.first(), errnos);
                if (next == null) {
                    break;
                }
                chunk = awaitChunk(next);
                next = null;
            }
        } finally {
            if (next != null) {
                // a send failed while the next chunk was being encoded: let it finish before the
                // buffers and the sequence number are used again
                try {
                    next.get();
                } catch (java.util.concurrent.ExecutionException | InterruptedException | RuntimeException ignored) {
                    if (ignored instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
        return new BatchResult(errnos, System.nanoTime() - t0, sends);
    }

    /** Encodes the next chunk from request {@code from}: up to the batch limits, its last one asking for an ack. */
    private Chunk encodeChunk(AttrWriter w, int from, int n, RequestEncoder encoder) {
        w.clear();
        int firstSeq = seq;
        int lastStart = 0;
        int i = from;
        while (i < n && i - from < batchMessages && w.size() < batchBytes) {
            lastStart = w.size();
            encoder.encode(w, i, nextSeq());
            i++;
        }
        // Ask for an ack on the chunk's last message only.
        ByteBuffer out = w.flipped();
        int flagsAt = lastStart + 6;
        out.putShort(flagsAt, (short) (out.getShort(flagsAt) | NLM_F_ACK));
        return new Chunk(from, i, firstSeq, seq - 1, out);
    }

    private static Chunk awaitChunk(java.util.concurrent.Future<Chunk> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding a batch", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // what an encoder throws (an undecodable cache entry, say), as it would have been thrown here
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private AttrWriter spareWriter() {
        if (spare == null) {
            spare = new AttrWriter(128 * 1024);
        }
        return spare;
    }

    private java.util.concurrent.ExecutorService encoderThread() {
        if (encoderThread == null) {
            encoderThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "hactl-ctnl-encoder");
                t.setDaemon(true);
                return t;
            });
        }
        return encoderThread;
    }

    /**
     * Reads the error answers of one chunk until the ack of its last message. After an overrun
     * (ENOBUFS) that ack never comes: the kernel queued every answer within the send, and once a
     * socket overflows it drops everything for it until the reader empties the queue. So the
     * queue is then drained without waiting, and the flows after the last answer read are
     * reported ENOBUFS (outcome unknown); a flow before it without an answer did succeed, since
     * answers are queued in order and the drops only start at the overrun.
     */
    private void collectBatchAnswers(int firstSeq, int lastSeq, int firstIndex, int[] errnos) throws NetlinkException {
        boolean overrun = false;
        int lastAnswered = -1; // position in the chunk of the last answer read
        int chunkSize = lastSeq - firstSeq + 1;
        while (true) {
            try {
                if (overrun) {
                    socket.receiveNow(rx);
                } else {
                    socket.receive(rx);
                }
            } catch (NetlinkException e) {
                if (e.isOverrun()) {
                    overrun = true;
                    continue;
                }
                if (overrun && e.isTimeout()) {
                    markUnknown(firstIndex + lastAnswered + 1, firstIndex + chunkSize, errnos);
                    return;
                }
                throw e;
            }
            int off = 0;
            while (off < rx.limit()) {
                NlMsg msg = readHeader(off, "batch answer");
                if (msg == null) {
                    break;
                }
                off = msg.next();
                if (msg.type() != NLMSG_ERROR || msg.seq() - firstSeq < 0 || lastSeq - msg.seq() < 0) {
                    continue;
                }
                int pos = msg.seq() - firstSeq;
                errnos[firstIndex + pos] = msg.errno(rx);
                lastAnswered = Math.max(lastAnswered, pos);
                if (msg.seq() == lastSeq) {
                    if (overrun) {
                        // Answers were lost somewhere before this one: which flows failed can no longer be known.
                        markUnknown(firstIndex, firstIndex + pos, errnos);
                    }
                    return;
                }
            }
        }
    }

    /** After an overrun, flows without an answer may have failed unseen: say so rather than claim success. */
    private static void markUnknown(int from, int toExclusive, int[] errnos) {
        for (int k = from; k < toExclusive; k++) {
            if (errnos[k] == 0) {
                errnos[k] = Errno.ENOBUFS;
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void encodeNew(AttrWriter w, Flow f, BatchMode mode, int s, int extraFlags) {
        int m = Nfgenmsg.begin(w, ctMessageType(IPCTNL_MSG_CT_NEW), NLM_F_REQUEST | mode.flags | extraFlags,
                s, f.family(), 0);
        FlowCodec.encode(w, f);
        w.endMessage(m);
    }

    /**
     * Reads answers until the NLMSG_ERROR (ack or error) for {@code s}; data messages with that
     * sequence number go to {@code onData}. Returns the errno (0 for an ack).
     */
    private int awaitAck(int s, Consumer<NlMsg> onData) throws NetlinkException {
        while (true) {
            socket.receive(rx);
            int off = 0;
            while (off < rx.limit()) {
                NlMsg msg = readHeader(off, "answer");
                if (msg == null) {
                    break;
                }
                off = msg.next();
                if (msg.seq() != s) {
                    continue; // a late answer to an earlier request
                }
                if (msg.type() == NLMSG_ERROR) {
                    return msg.errno(rx);
                }
                if (onData != null && msg.type() >= 0x100) {
                    onData.accept(msg);
                }
            }
        }
    }

    private NlMsg readHeader(int off, String what) {
        try {
            return Nfgenmsg.read(rx, off);
        } catch (DecodeException e) {
            stats.malformedMessages.incrementAndGet();
            return null;
        }
    }

    private Flow decodeFlow(NlMsg msg) {
        if (!Ctnl.isCtnetlink(msg.type())) {
            stats.unexpectedMessages.incrementAndGet();
            return null;
        }
        try {
            return FlowCodec.decode(rx, msg.attrStart(), msg.end(), stats);
        } catch (DecodeException e) {
            stats.malformedMessages.incrementAndGet();
            return null;
        }
    }

    /** Sequence numbers wrap around; chunk bookkeeping uses differences, which survive the wrap. */
    private int nextSeq() {
        return seq++;
    }

    private static int family(Tuple t) {
        return t.isIpv6() ? AF_INET6 : AF_INET;
    }

    @Override
    public void close() {
        if (encoderThread != null) {
            encoderThread.shutdownNow();
        }
        socket.close();
    }

    @Override
    public String toString() {
        return "Conntrack[port " + socket.portId() + ", batch " + batchMessages + " msgs/" + batchBytes + " B]"
;
    }
}
