package io.hactl.sync.mode;

import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.MessageType;
import io.hactl.sync.wire.ReplayWindow;
import io.hactl.sync.mode.TransmitQueue.Ctl;
import java.util.Objects;

/**
 * What both modes share: the transmit queue ({@link TransmitQueue}: an ordered set, so a flow
 * queued twice is sent once with its latest state) and its send pass with the sequence numbers
 * ({@link Transmitter}), the session handshake
 * ({@link PeerSession}: HELLO challenges and HELLO_BACK answers), bounds on how far the peer's
 * numbers may jump, heartbeats with round-trip time and peer liveness ({@link Heartbeats}) and
 * delivery to the listener. Subclasses decide reliability.
 */
abstract class AbstractMode implements SyncMode {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AbstractMode.class);

    protected final ModeConfig config;
    protected final StateSource source;
    protected final Outbox outbox;
    protected final SyncListener listener;
    protected final SyncStats stats;
    protected final String peerName;

    /** What waits to be sent: FlowKey, Ctl or BulkCursor, in the order they were first queued. */
    private final TransmitQueue transmit;
    private final Transmitter transmitter;

    // receive side: the peer's sequence
    protected boolean expectedKnown;
    protected int expected;

    protected final PeerSession session;
    /** Numbers jumped ahead since the last adoption: the answer to the challenge restarts the sequence. */
    private boolean sequenceJumped;
    private final Heartbeats heartbeats;
    /**
     * What the peer's latest CACHE_SUMMARY said it still had to get acknowledged or send
     * ({@link Message.CacheSummary#PENDING_UNKNOWN} before one in this session).
     */
    private long peerPending = Message.CacheSummary.PENDING_UNKNOWN;

    AbstractMode(ModeConfig config, StateSource source, Outbox outbox, SyncListener listener, SyncStats stats,
                 String peerName) {
        this.config = Objects.requireNonNull(config);
        this.source = Objects.requireNonNull(source);
        this.outbox = Objects.requireNonNull(outbox);
        this.listener = Objects.requireNonNull(listener);
        this.stats = Objects.requireNonNull(stats);
        this.peerName = peerName;
        this.session = new PeerSession(outbox.epoch());
        this.transmit = new TransmitQueue(source, stats);
        this.transmitter = new Transmitter(transmit, outbox, stats, config.maxPerPass(), peerName, new Transmitter.Gate() {
            @Override
            public boolean canSend() {
                return AbstractMode.this.canSend();
            }

            @Override
            public void sent(int seq, Object item) {
                AbstractMode.this.sent(seq, item);
            }
        });
        this.heartbeats = new Heartbeats(config.heartbeat().toNanos(), config.deadAfter().toNanos());
    }

    @Override
    public SyncStats stats() {
        return stats;
    }

    @Override
    public void start(long now) {
        if (session.challenging()) { // not when the transport's first datagrams made a session already
            sendHello(now);
        }
        heartbeats.skipHeartbeat(now);
        outbox.flush();
    }

    private void sendHello(long now) {
        outbox.add(new Message.Hello(session.nonce()));
        heartbeats.helloSent(now);
    }

    @Override
    public void flowChanged(FlowKey key) {
        transmit.add(key);
    }

    @Override
    public void bulk(BulkSource source) {
        transmit.addBulk(source);
    }

    @Override
    public void control(Message message) {
        if (!message.type().reliable()) {
            throw new IllegalArgumentException(message.type() + " is not a queued control message");
        }
        if (message.type() == MessageType.RESYNC_REQUEST) {
            queueResyncRequest(new Ctl(message));
            return;
        }
        transmit.add(new Ctl(message));
    }

    /** Queues a resync request unless one is already waiting to be sent. */
    protected void queueResyncRequest(Ctl request) {
        transmit.addResyncRequest(request);
    }

    @Override
    public void clearQueues() {
        transmit.clear();
    }

    @Override
    public void tick(long now) {
        if (heartbeats.heartbeatDue(now)) {
            if (session.challenging()) {
                sendHello(now);
            }
            if (session.established()) {
                sendHeartbeat(now);
            } else {
                heartbeats.skipHeartbeat(now); // nothing to beat for before a session
            }
        }
        if (heartbeats.livenessChanged(now)) {
            boolean nowAlive = heartbeats.alive();
            stats.peerAlive = nowAlive;
            listener.onPeerAlive(nowAlive);
            if (!nowAlive) {
                // silent: gone, restarted, or its numbers ran past what we accept; a challenge tells
                session.challenge();
            }
        }
        pump();
    }

    @Override
    public void pump() {
        transmitQueued();
        outbox.flush();
    }

    @Override
    public DropReason received(Datagram d, long now) {
        stats.datagramsReceived.incrementAndGet();
        // the handshake first: its messages are bound to a nonce, not to the session or window
        boolean challengeSender = false;
        boolean payload = false;
        for (int i = 0; i < d.size(); i++) {
            switch (d.type(i)) {
                case HELLO -> {
                    outbox.add(new Message.HelloBack(((Message.Hello) d.message(i)).nonce()));
                    // an instance we have no session with must answer our own challenge
                    challengeSender |= d.epoch() != session.peerEpoch();
                }
                case HELLO_BACK -> adopt(d, ((Message.HelloBack) d.message(i)).echo(), now);
                default -> payload = true;
            }
        }
        if (challengeSender && d.epoch() != session.peerEpoch()) {
            sendHello(now);
        }
        DropReason verdict = null;
        if (session.inSession(d)) {
            verdict = inSession(d, now);
        } else if (payload) {
            verdict = DropReason.NO_SESSION;
        }
        transmitQueued();
        outbox.flush();
        return verdict;
    }

    /** A HELLO_BACK: adopts its sender when it echoes our current challenge. */
    private void adopt(Datagram d, long echo, long now) {
        PeerSession.Adoption a = session.helloBack(d, echo);
        switch (a) {
            case NONE -> {
                return; // an answer to an earlier challenge, or a replay
            }
            case FIRST -> LOG.info("peer {}: session with instance {}", peerName, Long.toHexString(d.epoch()));
            case SAME -> LOG.info("peer {}: instance {} answered the challenge at datagram {}: its numbers are taken"
                    + " from there", peerName, Long.toHexString(d.epoch()), d.number());
            case RESTART -> {
                LOG.info("peer {}: restarted (new instance {})", peerName, Long.toHexString(d.epoch()));
                stats.peerRestarts.incrementAndGet();
                heartbeats.forgetPeerHeartbeat();
                peerRestarted();
                listener.onPeerRestart();
            }
        }
        peerPending = Message.CacheSummary.PENDING_UNKNOWN;
        if (a != PeerSession.Adoption.SAME || sequenceJumped) {
            // learnt from the first message or heartbeat of the session; after silence alone the
            // same instance goes on where it was, and its gap is NACKed as any other
            expectedKnown = false;
        }
        sequenceJumped = false;
        outbox.peerEpoch(d.epoch());
        sendHeartbeat(now); // a datagram of the session at once: the peer may start sending
    }

    /** A datagram of the session: the window, the bounds, then its messages. */
    private DropReason inSession(Datagram d, long now) {
        ReplayWindow.Verdict v = session.check(d);
        if (v == ReplayWindow.Verdict.REPLAY) {
            return DropReason.REPLAYED;
        }
        if (v == ReplayWindow.Verdict.TOO_FAR_AHEAD || expectedKnown && PeerSession.sequenceJumps(d, expected)) {
            sequenceJumped = true;
            // a peer that really moved on that far answers a challenge from where it is
            session.challenge();
            if (heartbeats.helloAllowed(now)) {
                sendHello(now);
            }
            return DropReason.SEQUENCE_JUMP;
        }
        session.accepted(d);
        boolean cameAlive = heartbeats.heard(now);
        stats.lastHeardNanos.set(now);
        if (cameAlive) {
            stats.peerAlive = true;
            listener.onPeerAlive(true);
        }
        stats.messagesReceived.addAndGet(d.size());
        for (int i = 0; i < d.size(); i++) {
            MessageType type = d.type(i);
            Message m = d.message(i);
            if (type.reliable()) {
                if (acceptReliable(d.seq(i))) {
                    deliver(m, type, now);
                }
                continue;
            }
            switch (type) {
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
                    long rtt = heartbeats.peerHeartbeat(h, now);
                    if (rtt >= 0) {
                        stats.rttNanos.set(rtt);
                    }
                    if (!expectedKnown) {
                        learnSequence(h.nextSeq());
                    }
                    onPeerHeartbeat(h.nextSeq());
                }
                case HELLO, HELLO_BACK -> { } // handled before the session check
                case CACHE_SUMMARY -> {
                    Message.CacheSummary c = (Message.CacheSummary) m;
                    peerPending = c.pending();
                    long ahead = expectedKnown && after(expected, c.nextSeq())
                            ? Integer.toUnsignedLong(expected - c.nextSeq()) : 0;
                    listener.onPeerSummary(c.flows(), c.pending(), ahead, now);
                }
                default -> throw new IllegalStateException("unhandled " + type);
            }
        }
        return null;
    }

    /**
     * Whether the peer may still wait for an acknowledgement: its latest summary reported
     * messages not acknowledged or not yet sent, or none came in this session yet.
     */
    protected boolean peerMayWait() {
        return peerPending != 0;
    }

    /** The peer's sequence continues at {@code next}: a new receive run. */
    protected void learnSequence(int next) {
        expectedKnown = true;
        expected = next;
        resetReceiveRun();
    }

    private void sendHeartbeat(long now) {
        outbox.add(heartbeats.heartbeat(transmitter.nextSeq(), now));
        // alone in its datagram, so that a peer which predates it drops nothing else (PROTOCOL.md)
        outbox.flush();
        outbox.add(new Message.CacheSummary(transmitter.nextSeq(), source.flows(), transmit.pending(unacknowledged())));
        outbox.flush();
    }

    /** Sends queued items while the mode allows, at most maxPerPass. */
    protected void transmitQueued() {
        if (!session.established() || !session.confirmed()) {
            return; // nothing reliable before the peer instance talks to this one: it would drop it
        }
        transmitter.pass();
        publishStats();
    }

    /** Brings the counters kept per pass up to date. */
    protected void publishStats() {
        long emitted = transmitter.takeEmitted();
        if (emitted > 0) {
            stats.messagesSent.addAndGet(emitted);
        }
    }

    private void deliver(Message m, MessageType type, long now) {
        switch (type) {
            case FLOW_UPDATE -> listener.onFlowUpdate(((Message.FlowUpdate) m).flow(), now);
            case FLOW_DELETE -> listener.onFlowDelete(((Message.FlowDelete) m).key());
            case BULK_BEGIN -> listener.onBulkBegin(now);
            case BULK_END -> listener.onBulkEnd(((Message.BulkEnd) m).flows());
            case RESYNC_REQUEST -> listener.onResyncRequest();
            case HANDOVER -> listener.onPeerHandover();
            default -> throw new IllegalStateException("not reliable: " + type);
        }
    }

    /** Wrapping comparison of 32-bit sequence numbers (RFC 1982 style). */
    static boolean after(int a, int b) {
        return a - b > 0;
    }

    /** Requeues a previously sent item for transmission (coalesces with a queued one). */
    protected void requeue(Object item) {
        if (!transmit.requeue(item)) {
            listener.onOwnBulkLost();
        }
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
