package io.hactl.sync.engine;

/**
 * What status shows of the purge.
 *
 * @param dueInMillis       -1 when none is scheduled, else how long until it is due (0: overdue, waiting)
 * @param reason            why the scheduled one was scheduled (null when none)
 * @param waitingForPeer    no clean bulk from the peer since the start or its return: it runs only
 *                          after one, against what the peer holds then
 * @param lastOutcome       what became of the last one (null before any): "removed N ...",
 *                          "skipped: ...", "cancelled: ..."
 * @param lastRemoved       flows the last purge that ran removed (-1 before any ran)
 * @param lastMillisAgo     when the last outcome happened (-1 never)
 * @param running           one is deleting now (its outcome follows)
 * @param outcomes          how many outcomes there were (ran, skipped, cancelled, failed)
 */
public record PurgeStatus(long dueInMillis, String reason, boolean waitingForPeer, String lastOutcome, long lastRemoved,
                          long lastMillisAgo, boolean running, long outcomes) {
}
