package io.hactl.sync.mode;

import io.hactl.sync.wire.DropReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters and gauges of one peer link. Written by the engine's thread, read by anyone
 * (status, metrics), hence atomics.
 */
public final class SyncStats {
    public final AtomicLong messagesSent = new AtomicLong();
    public final AtomicLong messagesReceived = new AtomicLong();
    public final AtomicLong datagramsSent = new AtomicLong();
    public final AtomicLong datagramsReceived = new AtomicLong();
    public final AtomicLong bytesSent = new AtomicLong();
    public final AtomicLong bytesReceived = new AtomicLong();
    /** Flow/control messages sent again after a NACK or an implied loss. */
    public final AtomicLong retransmissions = new AtomicLong();
    public final AtomicLong acksSent = new AtomicLong();
    public final AtomicLong acksReceived = new AtomicLong();
    public final AtomicLong nacksSent = new AtomicLong();
    public final AtomicLong nacksReceived = new AtomicLong();
    /** Reliable messages from the peer found missing (gaps in its sequence). */
    public final AtomicLong messagesLost = new AtomicLong();
    /** Reliable messages from the peer that arrived after their gap was NACKed: dropped (resent newer). */
    public final AtomicLong messagesLate = new AtomicLong();
    /** Passes in which sending paused because the resend queue was full. */
    public final AtomicLong resendQueueFull = new AtomicLong();
    public final AtomicLong peerRestarts = new AtomicLong();
    /** BULK_BEGIN/BULK_END markers of ours that were lost (each restarts the bulk send). */
    public final AtomicLong bulkMarkersLost = new AtomicLong();
    /** Datagrams or messages dropped, by reason. */
    public final Map<DropReason, AtomicLong> drops = new EnumMap<>(DropReason.class);

    // gauges
    public final AtomicLong resendQueueDepth = new AtomicLong();
    public final AtomicLong transmitQueueDepth = new AtomicLong();
    /** Monotonic nanos when the oldest unacknowledged message was sent; -1 none. */
    public final AtomicLong oldestUnackedNanos = new AtomicLong(-1);
    /** Monotonic nanos of the last authentic datagram from the peer; -1 never. */
    public final AtomicLong lastHeardNanos = new AtomicLong(-1);
    /** Last measured round-trip time in nanoseconds; -1 unknown. */
    public final AtomicLong rttNanos = new AtomicLong(-1);
    public volatile boolean peerAlive;

    public SyncStats() {
        for (DropReason r : DropReason.values()) {
            drops.put(r, new AtomicLong());
        }
    }

    public void drop(DropReason reason) {
        drops.get(reason).incrementAndGet();
    }

    public long drops(DropReason reason) {
        return drops.get(reason).get();
    }
}
