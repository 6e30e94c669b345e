package io.hactl.sync.engine;

import java.util.Map;

/**
 * A snapshot of the engine for status and metrics.
 *
 * @param internalFlows        flows in the internal cache
 * @param externalFlows        flows in the external cache
 * @param internalBytes        heap the internal cache retains
 * @param externalBytes        heap the external cache retains
 * @param peerAlive            heard from the peer within the dead interval
 * @param lastHeardMillisAgo   -1 never
 * @param rttMicros            -1 unknown
 * @param lagMillis            acknowledged replication lag, smoothed (-1 unknown): kernel event to the
 *                             peer's acknowledgement, less half the round trip
 * @param lagMaxMillis         worst acknowledged lag in the last 10 s (-1 none)
 * @param resendQueue          unacknowledged messages
 * @param transmitQueue        flows and controls waiting to be sent
 * @param bulkReceiving        a bulk send from the peer is in progress
 * @param bulksReceived        completed bulk sends from the peer
 * @param bulkOwed             a MASTER transition's bulk waits for the peer to be heard (it was silent)
 * @param purgeScheduledInMillis -1 when no purge is scheduled
 * @param lastCommit           null before the first commit
 * @param counters             every counter by name (messages, drops per reason, events, ...)
 * @param evidence             what tells whether the caches are in sync (unacknowledged age, counts)
 * @param kernelWork           what is still to be written into the kernel or read from it
 */
public record EngineStatus(int internalFlows, int externalFlows, long internalBytes, long externalBytes, boolean peerAlive, long lastHeardMillisAgo,
                           long rttMicros, long lagMillis, long lagMaxMillis, long resendQueue, long transmitQueue,
                           boolean bulkReceiving, long bulksReceived, boolean bulkOwed, long purgeScheduledInMillis,
                           CommitResult lastCommit, int activeLink, Map<String, Long> counters,
                           SyncEvidence evidence, KernelWork kernelWork) {
    public EngineStatus {
        counters = Map.copyOf(counters);
        kernelWork = kernelWork == null ? KernelWork.NONE : kernelWork;
    }
}
