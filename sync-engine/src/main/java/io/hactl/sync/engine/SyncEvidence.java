package io.hactl.sync.engine;

/**
 * What the engine has seen that tells whether the caches are in sync, for the status verdict.
 *
 * @param oldestUnackedMillis  age of the oldest message the peer has not acknowledged; -1 none
 * @param peerFlows            the peer's internal cache size, as its last CACHE_SUMMARY advertised; -1 never
 * @param peerPending          its changes then unacknowledged or queued; -1 unknown (a bulk under way)
 * @param externalAtSummary    the external cache's size when that summary arrived; -1 never
 * @param countTolerance       the difference the flows in flight explain then; -1 not compared (bulk)
 * @param summaryAgeMillis     since that summary arrived; -1 never
 * @param countMismatch        summaries have shown the external cache off beyond the tolerance for
 *                             {@code countMismatchMillis} (at least a second)
 * @param countMismatchMillis  how long the summaries have shown a difference beyond the tolerance; -1 none
 * @param kernel               the last count of the kernel's replicated flows against the caches; null before the first
 */
public record SyncEvidence(long oldestUnackedMillis, long peerFlows, long peerPending, long externalAtSummary,
                           long countTolerance, long summaryAgeMillis, boolean countMismatch, long countMismatchMillis,
                           KernelCount kernel) {
}
