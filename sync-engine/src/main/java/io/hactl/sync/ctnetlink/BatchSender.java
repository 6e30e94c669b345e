package io.hactl.sync.ctnetlink;

import static io.hactl.sync.netlink.Netlink.*;

import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.netlink.NlMsg;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Batched requests on a {@link RequestSocket}: many messages per send without per-message acks;
 * only the last message of each chunk asks for an ack, which marks the point where every earlier
 * error answer has arrived (the kernel handles a chunk's messages in order, synchronously within
 * the send). A request without an error answer succeeded; one errno per request is collected.
 *
 * <p>Not thread-safe: one caller at a time (its encoder thread only ever works for that caller).
 */
final class BatchSender implements AutoCloseable {
    private final RequestSocket requests;
    private final AttrWriter writer;
    /** The second buffer and the thread of a batch's encoding (see run), made on first need. */
    private AttrWriter spare;
    private ExecutorService encoderThread;
    private int batchMessages = 256;
    private int batchBytes = 96 * 1024;

    /** Batches on {@code requests}, encoded into {@code writer} (shared with single requests) and a spare. */
    BatchSender(RequestSocket requests, AttrWriter writer) {
        this.requests = requests;
        this.writer = writer;
    }

    /** Limits of one batch chunk: at most this many messages and about this many bytes per send. */
    void setLimits(int messages, int bytes) {
        if (messages < 1 || bytes < 1024) {
            throw new IllegalArgumentException("batch limits " + messages + " messages / " + bytes + " bytes too small");
        }
        this.batchMessages = messages;
        this.batchBytes = bytes;
    }

    int messageLimit() {
        return batchMessages;
    }

    int byteLimit() {
        return batchBytes;
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
    BatchResult run(int n, RequestEncoder encoder) throws NetlinkException {
        long t0 = System.nanoTime();
        int[] errnos = new int[n];
        int sends = 0;
        if (n == 0) {
            return new BatchResult(errnos, System.nanoTime() - t0, 0);
        }
        Chunk chunk = encodeChunk(writer, 0, n, encoder);
        Future<Chunk> next = null;
        try {
            for (int k = 1; ; k++) {
                if (chunk.end() < n) {
                    AttrWriter other = k % 2 == 1 ? spareWriter() : writer; // not the one chunk is in
                    int from = chunk.end();
                    next = encoderThread().submit(() -> encodeChunk(other, from, n, encoder));
                }
                requests.send(chunk.out());
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
                } catch (ExecutionException | InterruptedException | RuntimeException ignored) {
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
        int firstSeq = requests.peekSeq();
        int lastStart = 0;
        int i = from;
        while (i < n && i - from < batchMessages && w.size() < batchBytes) {
            lastStart = w.size();
            encoder.encode(w, i, requests.nextSeq());
            i++;
        }
        // Ask for an ack on the chunk's last message only.
        ByteBuffer out = w.flipped();
        int flagsAt = lastStart + 6;
        out.putShort(flagsAt, (short) (out.getShort(flagsAt) | NLM_F_ACK));
        return new Chunk(from, i, firstSeq, requests.peekSeq() - 1, out);
    }

    private static Chunk awaitChunk(Future<Chunk> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while encoding a batch", e);
        } catch (ExecutionException e) {
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

    private ExecutorService encoderThread() {
        if (encoderThread == null) {
            encoderThread = Executors.newSingleThreadExecutor(r -> {
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
        ByteBuffer rx = requests.rx();
        while (true) {
            try {
                if (overrun) {
                    if (!requests.receiveNow()) {
                        markUnknown(firstIndex + lastAnswered + 1, firstIndex + chunkSize, errnos);
                        return;
                    }
                } else {
                    requests.receive();
                }
            } catch (NetlinkException e) {
                if (e.isOverrun()) {
                    overrun = true;
                    continue;
                }
                throw e;
            }
            int off = 0;
            while (off < rx.limit()) {
                NlMsg msg = requests.readHeader(off, "batch answer");
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

    /** Stops the encoder thread, if one was started. */
    @Override
    public void close() {
        if (encoderThread != null) {
            encoderThread.shutdownNow();
        }
    }
}
