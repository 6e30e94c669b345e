package io.hactl.sync.mode;

import io.hactl.sync.wire.Authenticator;
import io.hactl.sync.wire.Datagram;
import io.hactl.sync.wire.DatagramCodec;
import io.hactl.sync.wire.DropReason;
import io.hactl.sync.wire.Message;
import io.hactl.sync.wire.WireException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes raw datagrams from the peer's address: authenticates and parses them, checks every flow
 * in them and hands them to the mode, which checks the session, replays and jumps. Bad ones are counted per reason and logged at a limited rate;
 * nothing is thrown back into the transport's event loop.
 */
public final class PeerReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(PeerReceiver.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final Authenticator auth;
    private final SyncMode mode;
    private final FlowCheck flowCheck;
    private final SyncStats stats;
    private final String peerName;
    private long lastLog = Long.MIN_VALUE;
    private long suppressed;
    private long lastForeignLog = Long.MIN_VALUE;
    private long foreignSuppressed;

    public PeerReceiver(Authenticator auth, SyncMode mode, FlowCheck flowCheck, String peerName) {
        this.auth = auth;
        this.mode = mode;
        this.flowCheck = flowCheck;
        this.stats = mode.stats();
        this.peerName = peerName;
    }

    /** Returns the reason it was dropped, or null when the mode got it. */
    public DropReason receive(ByteBuffer raw, long now) {
        stats.bytesReceived.addAndGet(raw.remaining());
        Datagram d;
        try {
            d = DatagramCodec.open(raw, auth);
            checkFlows(d);
        } catch (WireException e) {
            return drop(e.reason(), e.getMessage(), now);
        }
        DropReason verdict = mode.received(d, now);
        if (verdict != null) {
            return drop(verdict, "datagram " + d.number() + " of instance " + Long.toHexString(d.epoch())
                    + " to instance " + Long.toHexString(d.peerEpoch()), now);
        }
        return null;
    }

    /**
     * A datagram from a source that is not the peer's address and port (the transport checks it
     * before anything else): counted as {@code BAD_SOURCE}, logged under its source, never read.
     */
    public void foreign(InetSocketAddress source, int bytes, long now) {
        stats.drop(DropReason.BAD_SOURCE);
        if (lastForeignLog == Long.MIN_VALUE || now - lastForeignLog >= LOG_INTERVAL_NANOS) {
            LOG.warn("dropped a datagram of {} bytes from {}, which is not the address of peer {}{}", bytes,
                    source, peerName, foreignSuppressed > 0
                            ? " (" + foreignSuppressed + " more from other sources since the last report)" : "");
            lastForeignLog = now;
            foreignSuppressed = 0;
        } else {
            foreignSuppressed++;
        }
    }

    /**
     * Every flow of the datagram is checked before any message of it takes effect: one bad flow
     * rejects the whole datagram, so none of its flows is stored and none of its sequence numbers
     * is taken (the sender resends what it still has).
     */
    private void checkFlows(Datagram d) throws WireException {
        for (int i = 0; i < d.size(); i++) {
            switch (d.type(i)) {
                case FLOW_UPDATE -> flowCheck.flow(((Message.FlowUpdate) d.message(i)).flow());
                case FLOW_DELETE -> flowCheck.key(((Message.FlowDelete) d.message(i)).key());
                default -> { }
            }
        }
    }

    private DropReason drop(DropReason reason, String why, long now) {
        stats.drop(reason);
        if (reason == DropReason.NO_SESSION) {
            // a handshake under way (the peer's datagrams to our previous instance): not an attack
            LOG.debug("peer {}: dropped a datagram from its address: {}: {}", peerName, reason, why);
            return reason;
        }
        if (lastLog == Long.MIN_VALUE || now - lastLog >= LOG_INTERVAL_NANOS) {
            LOG.warn("peer {}: dropped a datagram from its address: {}: {}{}", peerName, reason, why,
                    suppressed > 0 ? " (" + suppressed + " more since the last report)" : "");
            lastLog = now;
            suppressed = 0;
        } else {
            suppressed++;
        }
        return reason;
    }
}
