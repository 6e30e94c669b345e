package io.hactl.sync.mode;

import io.hactl.sync.wire.Message;
import io.hactl.sync.mode.TransmitQueue.BulkCursor;
import io.hactl.sync.mode.TransmitQueue.Ctl;
import java.util.Iterator;

/**
 * The send pass of a sync mode: takes the items of its {@link TransmitQueue} in order, builds
 * each into a message with the next sequence number and hands it to the outbox, while the mode
 * allows ({@link Gate}) and at most {@link ModeConfig#maxPerPass()} a pass; a bulk's flows are
 * drawn from its source as they go, and its BULK_END follows right behind them.
 */
final class Transmitter {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Transmitter.class);

    /** What the mode decides: whether to send now, and what it keeps of what went. */
    interface Gate {
        /** Whether another reliable message may be sent now. */
        boolean canSend();

        /** A reliable message went out. */
        void sent(int seq, Object item);
    }

    private final TransmitQueue queue;
    private final Outbox outbox;
    private final SyncStats stats;
    private final int maxPerPass;
    private final String peerName;
    private final Gate gate;
    private int nextSeq = 1;
    /** Messages emitted since {@link #takeEmitted} (the statistics are brought up to date once per pass). */
    private long emitted;

    Transmitter(TransmitQueue queue, Outbox outbox, SyncStats stats, int maxPerPass, String peerName, Gate gate) {
        this.queue = queue;
        this.outbox = outbox;
        this.stats = stats;
        this.maxPerPass = maxPerPass;
        this.peerName = peerName;
        this.gate = gate;
    }

    /** The number the next sequenced message gets. */
    int nextSeq() {
        return nextSeq;
    }

    /** Messages emitted since the last call. */
    long takeEmitted() {
        long n = emitted;
        emitted = 0;
        return n;
    }

    /** Sends queued items while the mode allows, at most maxPerPass. */
    void pass() {
        int sent = 0;
        Iterator<Object> it = queue.iterator();
        while (it.hasNext() && sent < maxPerPass) {
            if (!gate.canSend()) {
                stats.resendQueueFull.incrementAndGet();
                break;
            }
            Object item = it.next();
            if (item instanceof BulkCursor cursor) {
                sent += drain(cursor, maxPerPass - sent);
                if (!cursor.exhausted) {
                    break; // budget or resend queue full: the cursor stays at the head for the next pass
                }
                it.remove();
                queue.bulkDone();
                LOG.debug("bulk to {}: all {} flows sent", peerName, cursor.sent);
                // the bulk's end, in place right behind its flows
                int seq = nextSeq++;
                emit(new Message.BulkEnd(seq, cursor.sent), seq, new Ctl(new Message.BulkEnd(0, cursor.sent)));
                sent++;
                continue;
            }
            it.remove();
            int seq = nextSeq++;
            emit(queue.build(item, seq), seq, item);
            sent++;
        }
        queue.updateDepth();
    }

    /**
     * Queues one sequenced message and hands its item to the resend bookkeeping. {@code seq} is the
     * number {@code m} was built with: asking {@code m} is a call on its record type, which the JIT
     * compiles for the types seen so far and again at a bulk's first BULK_END.
     */
    private void emit(Message m, int seq, Object item) {
        outbox.add(m);
        emitted++;
        gate.sent(seq, item);
    }

    /** Sends up to {@code budget} flows of a bulk; returns how many. Ends early when sending must pause. */
    private int drain(BulkCursor cursor, int budget) {
        int n = 0;
        while (n < budget && gate.canSend()) {
            byte[] flow = cursor.source.next();
            if (flow == null) {
                cursor.exhausted = true;
                break;
            }
            int seq = nextSeq++;
            emit(new Message.FlowUpdate(seq, flow), seq, flow);
            cursor.sent++;
            n++;
        }
        return n;
    }
}
