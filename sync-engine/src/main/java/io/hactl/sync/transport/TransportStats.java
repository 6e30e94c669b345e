package io.hactl.sync.transport;

import java.util.concurrent.atomic.AtomicLongArray;

/** Per-link counters of a transport, readable from any thread. */
public final class TransportStats {
    public static final int MAX_LINKS = 4;

    public final AtomicLongArray packetsSent = new AtomicLongArray(MAX_LINKS);
    public final AtomicLongArray bytesSent = new AtomicLongArray(MAX_LINKS);
    public final AtomicLongArray packetsReceived = new AtomicLongArray(MAX_LINKS);
    public final AtomicLongArray bytesReceived = new AtomicLongArray(MAX_LINKS);
    public final AtomicLongArray errors = new AtomicLongArray(MAX_LINKS);
    public volatile int activeLink;
    public volatile long failovers;

    void sent(int link, int bytes) {
        packetsSent.incrementAndGet(link);
        bytesSent.addAndGet(link, bytes);
    }

    void received(int link, int bytes) {
        packetsReceived.incrementAndGet(link);
        bytesReceived.addAndGet(link, bytes);
    }

    void error(int link) {
        errors.incrementAndGet(link);
    }
}
