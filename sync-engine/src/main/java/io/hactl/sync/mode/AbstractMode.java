package io.hactl.sync.mode;

import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.ReplayWindow;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;

/**
 * What both modes share: the transmit queue (an ordered set, so a flow queued twice is sent once
 * with its latest state), sequence numbers, the HELLO handshake, heartbeats with round-trip time,
 * peer liveness and delivery to the listener. Subclasses decide reliability.
 */
abstract class AbstractMode implements SyncMode {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AbstractMode.class);

    /** A control message waiting in the transmit queue; identity equality keeps each one. */
    static final class Ctl {
        final Message message;

        Ctl(Message message) {
            this.message = message;
        }
    }

    protected final ModeConfig config;
    protected final StateSource source;
    protected final Outbox outbox;
    protected final SyncListener listener;
    protected final SyncStats stats;
    protected final String peerName;

    /** FlowKey or Ctl, in the order they were first queued. */
    protected final LinkedHashSet<Object> transmit = new LinkedHashSet<>();
    /** Bulk cursors in {@link #transmit}: while one waits, the pending count is unknown. */
    private int bulksQueued;
    protected int nextSeq = 1;

    // receive side: the peer's sequence
    protected boolean expectedKnown;
    protected int expected;

    private boolean helloAcked;
    /** The peer epoch whose sequence {@link #expected} follows. */
    private long sequenceEpoch = Long.MIN_VALUE;
    /** The epoch of the datagram being handled. */
    private long datagramEpoch;
    private long lastHeartbeatSent = Long.MIN_VALUE;
    private long lastHeard = Long.MIN_VALUE;
    private boolean alive;
    private boolean everHeard;
    private long peerHeartbeatSent;
    private long peerHeartbeatArrived;
    private boolean havePeerHeartbeat;

    AbstractMode(ModeConfig config, StateSource source, Outbox outbox, SyncListener listener, SyncStats stats,
                 String peerName) {
        this.config = Objects.requireNonNull(config);
        this.source = Objects.requireNonNull(source);
        this.outbox = Objects.requireNonNull(outbox);
        this.listener = Objects.requireNonNull(listener);
        this.stats = Objects.requireNonNull(stats);
        this.peerName = peerName;
    }

    @Override
    public SyncStats stats() {
        return stats;
    }

    @Override
    public void start(long now) {
        outbox.add(new Message.Hello(nextSeq));
        sendHeartbeat(now);
        outbox.flush();
    }

    @Override
    public void flowChanged(FlowKey key) {
        transmit.add(key);
        stats.transmitQueueDepth.set(transmit.size());
    }

    /** A bulk send in progress in the transmit queue: drained from its source as sending allows. */
    static final class BulkCursor {
        final BulkSource source;
        long sent;
        boolean exhausted;

        BulkCursor(BulkSource source) {
            this.source = source;
        }
    }

    @Override
    public void bulk(BulkSource source) {
        transmit.add(new Ctl(new Message.BulkBegin(0)));
        transmit.add(new BulkCursor(source));
        bulksQueued++;
        stats.transmitQueueDepth.set(transmit.size());
    }

    @Override
    public void control(Message message) {
        if (!message.type().reliable()) {
            throw new IllegalArgumentException(message.type() + " is not a queued control message");
        }
        if (message.type() == io.hactl.sync.wire.MessageType.RESYNC_REQUEST) {
            queueResyncRequest(new Ctl(message));
            return;
        }
        transmit.add(new Ctl(message));
        stats.transmitQueueDepth.set(transmit.size());
    }

    /** A resync request waiting in the transmit queue: a second one would only fetch a second bulk. */
    private Ctl queuedResync;

    /** Queues a resync request unless one is already waiting to be sent. */
    protected void queueResyncRequest(Ctl request) {
        if (queuedResync == null || !transmit.contains(queuedResync)) {
            queuedResync = request;
            transmit.add(request);
            stats.transmitQueueDepth.set(transmit.size());
        }
    }

    @Override
    public void clearQueues() {
        transmit.clear();
        bulksQueued = 0;
        stats.transmitQueueDepth.set(0);
    }

    @Override
    public void tick(long now) {
        if (lastHeartbeatSent == Long.MIN_VALUE || now - lastHeartbeatSent >= config.heartbeat().toNanos()) {
            if (!helloAcked) {
                outbox.add(new Message.Hello(nextSeq));
            }
            sendHeartbeat(now);
        }
        boolean nowAlive = everHeard && now - lastHeard < config.deadAfter().toNanos();
        if (nowAlive != alive) {
            alive = nowAlive;
            stats.peerAlive = nowAlive;
            listener.onPeerAlive(nowAlive);
        }
        pump();
    }

    @Override
    public void pump() {
        transmitQueued();
        outbox.flush();
    }

    @Override
    public void received(Datagram d, ReplayWindow.Verdict verdict, long now) {
        stats.datagramsReceived.incrementAndGet();
        datagramEpoch = d.epoch();
        lastHeard = now;
        everHeard = true;
        stats.lastHeardNanos.set(now);
        if (!alive) {
            alive = true;
            stats.peerAlive = true;
            listener.onPeerAlive(true);
        }
        if (verdict == ReplayWindow.Verdict.NEW_EPOCH) {
            stats.peerRestarts.incrementAndGet();
            expectedKnown = false;
            havePeerHeartbeat = false;
            peerRestarted();
            listener.onPeerRestart();
        }
        stats.messagesReceived.addAndGet(d.messages().size());
        for (Message m : d.messages()) {
            if (m.type().reliable()) {
                if (acceptReliable(m.seq())) {
                    deliver(m, now);
                }
                continue;
            }
            switch (m.type()) {
                case ACK -> {
                    stats.acksReceived.incrementAndGet();
                    Message.Ack a = (Message.Ack) m;
                    onAck(a.from(), a.to());
                }
                case NACK -> {
                    stats.nacksReceived.incrementAndGet();
                    Message.Nack n = (Message.Nack) m;
                    onNack(n.from(), n.to());
                }
                case HEARTBEAT -> {
                    Message.Heartbeat h = (Message.Heartbeat) m;
                    peerHeartbeatSent = h.sentNanos();
                    peerHeartbeatArrived = now;
                    havePeerHeartbeat = true;
                    if (h.heldNanos() >= 0) {
                        stats.rttNanos.set(Math.max(0, now - h.echoNanos() - h.heldNanos()));
                    }
                    onPeerHeartbeat(h.nextSeq());
                }
                case HELLO -> {
                    // a new instance of the peer starts its sequence at this number. Once the
                    // sequence of this instance is known (from an earlier HELLO, its HELLO_BACK or
                    // a message), the repeats it sends until our HELLO_BACK arrives change nothing:
                    // resetting again would forget what arrived since, unacknowledged, and leave
                    // it waiting in the peer's resend queue until something newer is acknowledged
                    if (!expectedKnown || d.epoch() != sequenceEpoch) {
                        learnSequence(((Message.Hello) m).nextSeq());
                    }
                    outbox.add(new Message.HelloBack(nextSeq));
                }
                case HELLO_BACK -> {
                    helloAcked = true;
                    if (!expectedKnown) {
                        learnSequence(((Message.HelloBack) m).nextSeq());
                    }
                }
                case CACHE_SUMMARY -> {
                    Message.CacheSummary c = (Message.CacheSummary) m;
                    long ahead = expectedKnown && after(expected, c.nextSeq())
                            ? Integer.toUnsignedLong(expected - c.nextSeq()) : 0;
                    listener.onPeerSummary(c.flows(), c.pending(), ahead, now);
                }
                default -> throw new IllegalStateException("unhandled " + m.type());
            }
        }
        transmitQueued();
        outbox.flush();
    }

    /** The peer's sequence (of the datagram's epoch) continues at {@code next}: a new receive run. */
    protected void learnSequence(int next) {
        expectedKnown = true;
        sequenceEpoch = datagramEpoch;
        expected = next;
        resetReceiveRun();
    }

    private void sendHeartbeat(long now) {
        long held = havePeerHeartbeat ? now - peerHeartbeatArrived : -1;
        outbox.add(new Message.Heartbeat(nextSeq, now, havePeerHeartbeat ? peerHeartbeatSent : 0, held));
        lastHeartbeatSent = now;
        // alone in its datagram, so that a peer which predates it drops nothing else (PROTOCOL.md)
        outbox.flush();
        long pending = bulksQueued > 0 ? Message.CacheSummary.PENDING_UNKNOWN
                : Math.min(Message.CacheSummary.PENDING_UNKNOWN - 1, (long) transmit.size() + unacknowledged());
        outbox.add(new Message.CacheSummary(nextSeq, source.flows(), pending));
        outbox.flush();
    }

    /** Sends queued items while the mode allows, at most maxPerPass. */
    protected void transmitQueued() {
        int sent = 0;
        Iterator<Object> it = transmit.iterator();
        while (it.hasNext() && sent < config.maxPerPass()) {
            if (!canSend()) {
                stats.resendQueueFull.incrementAndGet();
                break;
            }
            Object item = it.next();
            if (item instanceof BulkCursor cursor) {
                sent += drain(cursor, config.maxPerPass() - sent);
                if (!cursor.exhausted) {
                    break; // budget or resend queue full: the cursor stays at the head for the next pass
                }
                it.remove();
                bulksQueued--;
                LOG.debug("bulk to {}: all {} flows sent", peerName, cursor.sent);
                // the bulk's end, in place right behind its flows
                emit(new Message.BulkEnd(nextSeq++, cursor.sent), new Ctl(new Message.BulkEnd(0, cursor.sent)));
                sent++;
                continue;
            }
            it.remove();
            emit(build(item, nextSeq++), item);
            sent++;
        }
        stats.transmitQueueDepth.set(transmit.size());
        publishStats();
    }

    /** Queues one sequenced message and hands its item to the mode's resend bookkeeping. */
    private void emit(Message m, Object item) {
        outbox.add(m);
        emitted++;
        sent(m.seq(), item);
    }

    /** Messages emitted since the statistics were last brought up to date (once per pass, not per message). */
    private long emitted;

    /** Brings the counters kept per pass up to date. */
    protected void publishStats() {
        if (emitted > 0) {
            stats.messagesSent.addAndGet(emitted);
            emitted = 0;
        }
    }

    /** Sends up to {@code budget} flows of a bulk; returns how many. Ends early when sending must pause. */
    private int drain(BulkCursor cursor, int budget) {
        int n = 0;
        while (n < budget && canSend()) {
            byte[] flow = cursor.source.next();
            if (flow == null) {
                cursor.exhausted = true;
                break;
            }
            emit(new Message.FlowUpdate(nextSeq++, flow), flow);
            cursor.sent++;
            n++;
        }
        return n;
    }

    /** The message for a queued item, with the flow's state as it is now. */
    protected Message build(Object item, int seq) {
        if (item instanceof FlowKey key) {
            byte[] flow = source.current(key);
            return flow != null ? new Message.FlowUpdate(seq, flow) : new Message.FlowDelete(seq, key.bytes());
        }
        Message m = ((Ctl) item).message;
        return switch (m.type()) {
            case BULK_BEGIN -> new Message.BulkBegin(seq);
            case BULK_END -> new Message.BulkEnd(seq, ((Message.BulkEnd) m).flows());
            case RESYNC_REQUEST -> new Message.ResyncRequest(seq);
            case HANDOVER -> new Message.Handover(seq);
            default -> throw new IllegalStateException("not a queued control message: " + m.type());
        };
    }

    private void deliver(Message m, long now) {
        switch (m.type()) {
            case FLOW_UPDATE -> listener.onFlowUpdate(((Message.FlowUpdate) m).flow(), now);
            case FLOW_DELETE -> listener.onFlowDelete(((Message.FlowDelete) m).key());
            case BULK_BEGIN -> listener.onBulkBegin(now);
            case BULK_END -> listener.onBulkEnd(((Message.BulkEnd) m).flows());
            case RESYNC_REQUEST -> listener.onResyncRequest();
            case HANDOVER -> listener.onPeerHandover();
            default -> throw new IllegalStateException("not reliable: " + m.type());
        }
    }

    /** Wrapping comparison of 32-bit sequence numbers (RFC 1982 style). */
    static boolean after(int a, int b) {
        return a - b > 0;
    }

    /** Requeues a previously sent item for transmission (coalesces with a queued one). */
    protected void requeue(Object item) {
        if (item instanceof byte[] flow) {
            // a flow sent by a bulk: resend its current state by key
            transmit.add(source.keyOf(flow));
            stats.retransmissions.incrementAndGet();
            return;
        }
        if (item instanceof Ctl c && (c.message.type() == io.hactl.sync.wire.MessageType.BULK_BEGIN
                || c.message.type() == io.hactl.sync.wire.MessageType.BULK_END)) {
            stats.bulkMarkersLost.incrementAndGet();
            listener.onOwnBulkLost();
            return;
        }
        transmit.add(item);
        stats.retransmissions.incrementAndGet();
    }

    // ---- what the modes decide

    /** Reliable messages sent and not yet acknowledged (0 where nothing is kept). */
    protected abstract long unacknowledged();

    /** Whether another reliable message may be sent now. */
    protected abstract boolean canSend();

    /** A reliable message went out. */
    protected abstract void sent(int seq, Object item);

    /** Whether to deliver a reliable message with this number (and do the mode's bookkeeping). */
    protected abstract boolean acceptReliable(int seq);

    protected abstract void onAck(int from, int to);

    protected abstract void onNack(int from, int to);

    /** The peer's next sequence number, from its heartbeat. */
    protected abstract void onPeerHeartbeat(int peerNextSeq);

    /** The receive sequence was (re)set: start a new run at {@link #expected}. */
    protected abstract void resetReceiveRun();

    /** The peer is a new instance: what was sent to the old one is moot. */
    protected abstract void peerRestarted();
}
