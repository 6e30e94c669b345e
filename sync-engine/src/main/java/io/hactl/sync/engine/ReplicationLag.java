package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.mode.FlowKey;
import io.hactl.sync.mode.SyncStats;

/**
 * The acknowledged replication lag (on the loop): from a flow's change in the internal cache to
 * the peer's acknowledgement of it, less half the round trip; smoothed, and the worst of the
 * last {@link #WINDOW_NANOS}, kept as the maxima of one-second buckets so that the worst value
 * of a busy window stays visible until it is older than the window.
 */
final class ReplicationLag {
    static final long WINDOW_NANOS = 10_000_000_000L;

    private static final int BUCKETS = 10;
    private static final long BUCKET_NANOS = WINDOW_NANOS / BUCKETS;

    private final FlowStore internal;
    private final SyncStats stats;
    private double ewmaNanos = -1;
    /** Worst lag per bucket (-1 none) and the bucket's number (monotonic nanos / BUCKET_NANOS). */
    private final long[] bucketMax = new long[BUCKETS];
    private final long[] bucketId = new long[BUCKETS];

    ReplicationLag(FlowStore internal, SyncStats stats) {
        this.internal = internal;
        this.stats = stats;
        java.util.Arrays.fill(bucketMax, -1);
    }

    /**
     * The FTFW mode's acknowledgement of {@code item} at {@code now}; whether it was a sample (a
     * flow still in the internal cache, whose time of change the lag is measured from).
     */
    boolean acked(Object item, long now) {
        if (!(item instanceof FlowKey key)) {
            return false;
        }
        int h = internal.handleOfKey(key.bytes());
        if (h == FlowStore.NO_HANDLE) {
            return false;
        }
        long rtt = Math.max(0, stats.rttNanos.get());
        long lag = Math.max(0, now - internal.updatedAt(h) - rtt / 2);
        ewmaNanos = ewmaNanos < 0 ? lag : ewmaNanos * 0.9 + lag * 0.1;
        long id = Math.floorDiv(now, BUCKET_NANOS);
        int i = (int) Math.floorMod(id, (long) BUCKETS);
        if (bucketId[i] != id || bucketMax[i] < 0) {
            bucketId[i] = id;
            bucketMax[i] = lag;
        } else if (lag > bucketMax[i]) {
            bucketMax[i] = lag;
        }
        return true;
    }

    /** Smoothed lag, -1 unknown. */
    long millis() {
        return ewmaNanos < 0 ? -1 : (long) (ewmaNanos / 1_000_000);
    }

    /** Worst lag of the window ending {@code now}, -1 none. */
    long maxMillis(long now) {
        long id = Math.floorDiv(now, BUCKET_NANOS);
        long max = -1;
        for (int i = 0; i < BUCKETS; i++) {
            long age = id - bucketId[i];
            if (bucketMax[i] >= 0 && age >= 0 && age < BUCKETS) {
                max = Math.max(max, bucketMax[i]);
            }
        }
        return max < 0 ? -1 : max / 1_000_000;
    }
}
