package io.hactl.sync.mode;

import io.hactl.sync.mode.TransmitQueue.Ctl;
import io.hactl.sync.wire.Message;
import java.util.Arrays;

/**
 * Reliable replication (FTFW, as conntrackd's "fault-tolerant firewall" mode, hactl's own
 * protocol). Sender: every reliable message is kept in a bounded resend queue until acknowledged;
 * a NACKed message, or one older than an ACKed range (its ACK or NACK was lost), goes back to the
 * transmit queue and is rebuilt from the flow's current state. At the resend limit sending pauses
 * rather than dropping. Receiver: acknowledges every {@code ackWindow} in-order messages, on a gap
 * at once (ACK what arrived, NACK the gap) and moves on; heartbeats reveal tail losses and repeat
 * the acknowledgement of the current run (or, when nothing followed a gap, its NACK) while the
 * peer's cache summary says it still holds messages not acknowledged, so a lost ACK or NACK costs
 * at most a resend, and an idle pair exchanges heartbeats and summaries only.
 */
public final class FtfwMode extends AbstractMode {
    /**
     * Told when the peer acknowledged messages, once per acknowledgement: the items of the newest
     * messages it covered, newest first, until the observer takes one as its sample for the
     * replication lag (one per message would cost a cache lookup per flow), at most
     * {@link #LAG_SAMPLE_TRIES}. The newest alone is often no sample: a flow deleted since has
     * no time of change left to measure from, and under churn many of the newest are deletes.
     */
    public interface AckObserver {
        /** Whether {@code item} was taken as the sample. */
        boolean acked(Object item, long nowNanos);
    }

    /** Acknowledged items offered to the observer per acknowledgement, at most. */
    static final int LAG_SAMPLE_TRIES = 16;

    /** Messages kept for resending, each with when it left (the loop's latest time, see {@link #now}). */
    private final ResendQueue resend = new ResendQueue();
    private AckObserver ackObserver = (item, now) -> true;
    /** The newest items of the acknowledgement being handled, a ring of {@link #LAG_SAMPLE_TRIES}. */
    private final Object[] ackedNewest = new Object[LAG_SAMPLE_TRIES];
    private long firstPendingAt;
    /**
     * The time of the latest tick or datagram: sends between them (a pump after kernel events)
     * are stamped with it, at most one tick early, which only makes an age look longer by that.
     */
    private long now;
    private int ackFrom;      // first in-order message not yet acknowledged
    private int runStart;     // first message of the current gap-free run
    private int pendingAcks;
    private Message.Nack lastNack; // the gap's NACK, repeated on heartbeats while nothing follows the gap

    public FtfwMode(ModeConfig config, StateSource source, Outbox outbox, SyncListener listener, SyncStats stats,
                    String peerName) {
        super(config, source, outbox, listener, stats, peerName);
    }

    public void setAckObserver(AckObserver observer) {
        this.ackObserver = observer;
    }

    @Override
    public void start(long nowNanos) {
        now = nowNanos;
        super.start(nowNanos);
    }

    @Override
    public void tick(long nowNanos) {
        now = nowNanos;
        if (pendingAcks > 0 && nowNanos - firstPendingAt >= config.ackDelay().toNanos()) {
            sendAck();
        }
        super.tick(nowNanos);
    }

    @Override
    public io.hactl.sync.wire.DropReason received(io.hactl.sync.wire.Datagram d, long nowNanos) {
        now = nowNanos;
        return super.received(d, nowNanos);
    }

    @Override
    protected boolean canSend() {
        return resend.size() < config.resendLimit();
    }

    @Override
    protected void sent(int seq, Object item) {
        resend.add(seq, item, now);
    }

    @Override
    protected long unacknowledged() {
        return resend.size();
    }

    @Override
    protected void publishStats() {
        super.publishStats();
        resendChanged();
    }

    /** The gauges of the resend queue: its depth and when its oldest message left. */
    private void resendChanged() {
        stats.resendQueueDepth.set(resend.size());
        stats.oldestUnackedNanos.set(resend.oldestAt());
    }

    @Override
    protected boolean acceptReliable(int seq) {
        if (!expectedKnown) {
            learnSequence(seq);
        }
        if (seq == expected) {
            expected++;
            if (pendingAcks == 0) {
                firstPendingAt = now;
            }
            if (++pendingAcks >= config.ackWindow()) {
                sendAck();
            }
            return true;
        }
        if (after(seq, expected)) {
            gap(seq);
            expected = seq + 1;
            pendingAcks = 1;
            firstPendingAt = now;
            return true;
        }
        // older than expected: its gap was NACKed and a newer state is on its way
        stats.messagesLate.incrementAndGet();
        return false;
    }

    /** Messages expected .. upTo-1 are missing: acknowledge what came before, NACK them. */
    private void gap(int upTo) {
        stats.messagesLost.addAndGet(Integer.toUnsignedLong(upTo - expected));
        sendAck();
        lastNack = new Message.Nack(expected, upTo - 1);
        outbox.add(lastNack);
        stats.nacksSent.incrementAndGet();
        ackFrom = upTo;
        runStart = upTo;
        pendingAcks = 0;
    }

    private void sendAck() {
        if (pendingAcks > 0) {
            outbox.add(new Message.Ack(ackFrom, expected - 1));
            stats.acksSent.incrementAndGet();
        }
        ackFrom = expected;
        pendingAcks = 0;
    }

    @Override
    protected void onPeerHeartbeat(int peerNextSeq) {
        if (!expectedKnown) {
            return;
        }
        if (after(peerNextSeq, expected)) {
            gap(peerNextSeq);
            expected = peerNextSeq;
            ackFrom = expected;
            return;
        }
        sendAck();
        if (!peerMayWait()) {
            return; // its summary says it holds nothing unacknowledged: an idle pair repeats nothing
        }
        if (runStart != expected) {
            // repeat the acknowledgement of the whole run: a lost ACK costs one heartbeat
            // (the sender takes what it holds from before the run as lost, NACKed or not)
            outbox.add(new Message.Ack(runStart, expected - 1));
            stats.acksSent.incrementAndGet();
        } else if (lastNack != null) {
            // nothing arrived after the gap, so no ACK can tell the sender about it: a lost
            // NACK costs one heartbeat, and a repeated one only finds nothing left to resend
            outbox.add(lastNack);
            stats.nacksSent.incrementAndGet();
        }
    }

    @Override
    protected void onAck(int from, int to) {
        int acked = 0;
        for (int p = 0; p < resend.span(); p++) {
            if (resend.removed(p)) {
                continue;
            }
            int seq = resend.seq(p);
            if (after(from, seq)) {
                // before the acknowledged range and never acknowledged: lost, with its NACK
                requeue(resend.remove(p));
            } else if (!after(seq, to)) {
                ackedNewest[acked++ % LAG_SAMPLE_TRIES] = resend.remove(p);
            } else {
                break;
            }
        }
        resend.trim();
        for (int k = 0; k < Math.min(acked, LAG_SAMPLE_TRIES); k++) {
            if (ackObserver.acked(ackedNewest[Math.floorMod(acked - 1 - k, LAG_SAMPLE_TRIES)], now)) {
                break;
            }
        }
        Arrays.fill(ackedNewest, null); // holds no item past its acknowledgement
        resendChanged();
    }

    @Override
    protected void onNack(int from, int to) {
        for (int p = 0; p < resend.span(); p++) {
            if (resend.removed(p)) {
                continue;
            }
            int seq = resend.seq(p);
            if (after(seq, to)) {
                break;
            }
            if (!after(from, seq)) {
                requeue(resend.remove(p));
            }
        }
        resend.trim();
        resendChanged();
    }

    @Override
    protected void resetReceiveRun() {
        ackFrom = expected;
        runStart = expected;
        pendingAcks = 0;
        lastNack = null;
    }

    @Override
    protected void peerRestarted() {
        // flows and bulk markers sent to the old instance are moot (the new one asks for a bulk),
        // but a resync request it never answered still stands: the new instance gets it
        for (int p = 0; p < resend.span(); p++) {
            if (!resend.removed(p) && resend.item(p) instanceof Ctl c
                    && c.message.type() == io.hactl.sync.wire.MessageType.RESYNC_REQUEST) {
                queueResyncRequest(c);
            }
        }
        resend.clear();
        resendChanged();
    }

    @Override
    public void clearQueues() {
        super.clearQueues();
        resend.clear();
        resendChanged();
    }

    /** Unacknowledged messages held for resending. */
    public int resendQueueSize() {
        return resend.size();
    }
}
