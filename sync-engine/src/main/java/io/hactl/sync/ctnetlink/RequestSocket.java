package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.netlink.DecodeException;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NetlinkSocket;
import io.hactl.sync.netlink.NlMsg;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The request side of one ctnetlink socket: sequence numbers, sending a request and reading its
 * answers (the ack or error that ends it, the data of a get or a dump). Answers to earlier
 * requests are skipped; a message that cannot be read is counted in {@link DecodeStats}, never
 * thrown.
 *
 * <p>Not thread-safe: one caller at a time.
 */
final class RequestSocket {
    private final NetlinkSocket socket;
    private final DecodeStats stats;
    private final ByteBuffer rx = ByteBuffer.allocate(256 * 1024).order(ByteOrder.nativeOrder());
    private int seq = 1;

    RequestSocket(NetlinkSocket socket, DecodeStats stats) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    NetlinkSocket socket() {
        return socket;
    }

    DecodeStats stats() {
        return stats;
    }

    /** The receive buffer: what the latest receive read, valid until the next. */
    ByteBuffer rx() {
        return rx;
    }

    /** Sequence numbers wrap around; chunk bookkeeping uses differences, which survive the wrap. */
    int nextSeq() {
        return seq++;
    }

    /** The sequence number the next request will get. */
    int peekSeq() {
        return seq;
    }

    void send(ByteBuffer request) throws NetlinkException {
        socket.send(request);
    }

    /** Reads the next datagram into {@link #rx}, waiting up to the socket's timeout. */
    void receive() throws NetlinkException {
        socket.receive(rx);
    }

    /** Reads the next datagram into {@link #rx} without waiting; false when nothing is queued. */
    boolean receiveNow() throws NetlinkException {
        return socket.receiveNow(rx);
    }

    /** Streams the flows of dump {@code s} to {@code sink} until its NLMSG_DONE; returns how many. */
    long receiveDump(int s, Consumer<Flow> sink) throws NetlinkException {
        return receiveDumpMessages(s, msg -> {
            Flow f = decodeFlow(msg);
            if (f == null) {
                return false;
            }
            sink.accept(f);
            return true;
        });
    }

    /** Takes one conntrack message of a dump as it came; whether it counts (false: malformed or unexpected). */
    interface DumpMessages {
        boolean take(NlMsg msg);
    }

    /** As {@link #receiveDump}, each message handed over undecoded (it lies in {@link #rx}); returns how many counted. */
    long receiveDumpMessages(int s, DumpMessages sink) throws NetlinkException {
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
                if (sink.take(msg)) {
                    n++;
                }
            }
        }
    }

    /**
     * Reads answers until the NLMSG_ERROR (ack or error) for {@code s}; data messages with that
     * sequence number go to {@code onData}. Returns the errno (0 for an ack).
     */
    int awaitAck(int s, Consumer<NlMsg> onData) throws NetlinkException {
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

    /** The header of the message at {@code off} in {@link #rx}; null (and counted) when it cannot be read. */
    NlMsg readHeader(int off, String what) {
        try {
            return Nfgenmsg.read(rx, off);
        } catch (DecodeException e) {
            stats.malformedMessages.incrementAndGet();
            return null;
        }
    }

    /** The flow in a ctnetlink message in {@link #rx}; null (and counted) when it is none or malformed. */
    Flow decodeFlow(NlMsg msg) {
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

    void close() {
        socket.close();
    }
}
