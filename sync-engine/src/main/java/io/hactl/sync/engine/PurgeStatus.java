package io.hactl.sync.engine;

/**
 * What status shows of the purge.
 *
 * @param dueInMillis       -1 when none is scheduled, else how long until it is due (0: overdue, waiting)
 * @param reason            why the scheduled one was scheduled (null when none)
 * @param waitingForPeer    the peer came back since it was scheduled: it runs only after a clean
 *                          bulk from the peer, against what the peer holds then
 * @param lastOutcome       what became of the last one (null before any): "removed N ...",
 *                          "skipped: ...", "cancelled: ..."
 * @param lastRemoved       flows the last purge that ran removed (-1 before any ran)
 * @param lastMillisAgo     when the last outcome happened (-1 never)
 */
public record PurgeStatus(long dueInMillis, String reason, boolean waitingForPeer, String lastOutcome, long lastRemoved,
                          long lastMillisAgo) {
}
