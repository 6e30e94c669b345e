package io.hactl.sync.cache;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link FlowStore} counts: puts by outcome, removals, refusals at the limit; and whether
 * it is refusing, logged once as it starts and once as it stops, not per refusal.
 */
final class StoreCounters {
    private static final Logger LOG = LoggerFactory.getLogger(FlowStore.class);

    private final String name;
    private final int limit;
    long inserted;
    long updated;
    long unchanged;
    long removed;
    long refusedFull;
    private boolean refusing;

    StoreCounters(String name, int limit) {
        this.name = name;
        this.limit = limit;
    }

    /** A new flow was refused at the limit. */
    void refused() {
        refusedFull++;
        if (!refusing) {
            refusing = true;
            LOG.warn("{} cache: full at its limit of {} flows, refusing new flows", name, limit);
        }
    }

    /** The store holds {@code size} flows after a removal or clear: below the limit, it accepts again. */
    void belowLimit(int size) {
        if (refusing && size < limit) {
            refusing = false;
            LOG.info("{} cache: below its limit of {} flows again, accepting new flows ({} refused so far)",
                    name, limit, refusedFull);
        }
    }

    CacheStats stats(int size, long heapBytes) {
        return new CacheStats(name, size, limit, inserted, updated, unchanged, removed, refusedFull, heapBytes);
    }
}
