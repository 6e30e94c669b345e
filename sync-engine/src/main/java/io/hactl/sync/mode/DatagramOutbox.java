package io.hactl.sync.mode;

import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.MessageCodec;
import io.hactl.sync.wire.Wire;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Packs messages into authenticated datagrams no larger than {@code maxDatagram} bytes and
 * hands each sealed datagram to the transport. Numbers datagrams from 0 within this instance's
 * epoch, and addresses each to the peer instance of the session (its epoch, or 0 for none).
 */
public final class DatagramOutbox implements Outbox {
    private final Authenticator auth;
    private final long epoch;
    private final int maxPayload;
    private final Consumer<ByteBuffer> sink;
    private final SyncStats stats;
    private final List<Message> pending = new ArrayList<>();
    private int pendingBytes;
    private long number;
    private long peerEpoch;

    /**
     * @param maxDatagram largest datagram to send: path MTU minus IP and UDP headers
     * @param sink        receives each sealed datagram (position 0, limit at its end); may keep it
     */
    public DatagramOutbox(Authenticator auth, long epoch, int maxDatagram, Consumer<ByteBuffer> sink, SyncStats stats) {
        if (maxDatagram < Wire.OVERHEAD + 128 || maxDatagram > Wire.MAX_DATAGRAM) {
            throw new IllegalArgumentException("datagram size " + maxDatagram + " outside " + (Wire.OVERHEAD + 128)
                    + ".." + Wire.MAX_DATAGRAM);
        }
        this.auth = auth;
        this.epoch = epoch;
        this.maxPayload = maxDatagram - Wire.OVERHEAD;
        this.sink = sink;
        this.stats = stats;
    }

    @Override
    public void add(Message message) {
        int size = MessageCodec.size(message);
        if (size > maxPayload) {
            throw new IllegalArgumentException(message.type() + " of " + size + " bytes does not fit a datagram");
        }
        if (pendingBytes + size > maxPayload) {
            flush();
        }
        pending.add(message);
        pendingBytes += size;
    }

    @Override
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(Wire.OVERHEAD + pendingBytes);
        DatagramCodec.seal(out, epoch, peerEpoch, number++, pending, auth);
        out.flip();
        stats.datagramsSent.incrementAndGet();
        stats.bytesSent.addAndGet(out.remaining());
        pending.clear();
        pendingBytes = 0;
        sink.accept(out);
    }

    @Override
    public long epoch() {
        return epoch;
    }

    @Override
    public void peerEpoch(long peerEpoch) {
        flush(); // what is packed was meant for the session it was packed in
        this.peerEpoch = peerEpoch;
    }
}
