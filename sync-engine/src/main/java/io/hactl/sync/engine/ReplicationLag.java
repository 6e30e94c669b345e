package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.SyncStats;

/**
 * The acknowledged replication lag (on the loop): from a flow's change in the internal cache to
 * the peer's acknowledgement of it, less half the round trip; smoothed, and the worst of the
 * last {@link #WINDOW_NANOS}.
 */
final class ReplicationLag {
    static final long WINDOW_NANOS = 10_000_000_000L;

    private final FlowStore internal;
    private final SyncStats stats;
    private double ewmaNanos = -1;
    private long maxNanos = -1;
    private long windowStart;
    /** When the acknowledgement with the worst lag of the window arrived: older than the window, it is no longer reported. */
    private long maxAt;

    ReplicationLag(FlowStore internal, SyncStats stats) {
        this.internal = internal;
        this.stats = stats;
    }

    /** The FTFW mode's acknowledgement of {@code item} at {@code now}. */
    void acked(Object item, long now) {
        if (!(item instanceof FlowKey key)) {
            return;
        }
        int h = internal.handleOfKey(key.bytes());
        if (h == FlowStore.NO_HANDLE) {
            return;
        }
        long rtt = Math.max(0, stats.rttNanos.get());
        long lag = Math.max(0, now - internal.updatedAt(h) - rtt / 2);
        ewmaNanos = ewmaNanos < 0 ? lag : ewmaNanos * 0.9 + lag * 0.1;
        if (now - windowStart > WINDOW_NANOS || lag >= maxNanos) {
            if (now - windowStart > WINDOW_NANOS) {
                windowStart = now;
            }
            maxNanos = lag;
            maxAt = now;
        }
    }

    /** Smoothed lag, -1 unknown. */
    long millis() {
        return ewmaNanos < 0 ? -1 : (long) (ewmaNanos / 1_000_000);
    }

    /** Worst lag of the window ending {@code now}, -1 none. */
    long maxMillis(long now) {
        return maxNanos < 0 || now - maxAt > WINDOW_NANOS ? -1 : maxNanos / 1_000_000;
    }
}
