package io.hactl.sync.cache;

/**
 * A snapshot of one cache's size and counters, for {@code hactl stats} and the metrics endpoint.
 * Counters are cumulative since the cache was created; {@link FlowStore#clear()} keeps them.
 *
 * @param name               the cache ({@code internal} or {@code external})
 * @param size               flows held now
 * @param limit              most flows it will hold
 * @param inserted           puts that added a flow
 * @param updated            puts that changed a flow's state
 * @param unchanged          puts that carried the state already held
 * @param removed            flows removed one by one (not counting {@code clear()})
 * @param refusedFull        new flows refused because the cache held {@code limit} flows
 * @param estimatedHeapBytes heap the cache retains, computed from the JVM's object layout
 */
public record CacheStats(String name, int size, int limit, long inserted, long updated, long unchanged,
                         long removed, long refusedFull, long estimatedHeapBytes) {

    /** Estimated heap per held flow, including the index and per-entry arrays; 0 when empty. */
    public long bytesPerFlow() {
        return size == 0 ? 0 : estimatedHeapBytes / size;
    }
}
