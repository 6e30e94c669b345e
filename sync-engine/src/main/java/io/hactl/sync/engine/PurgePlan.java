package io.hactl.sync.engine;

import java.time.Duration;

/**
 * When a purge of the peer's flows from the kernel runs, and whether it may: the decisions only,
 * with time passed in (the engine's loop owns it; tests drive it with any clock).
 *
 * <ul>
 * <li>It runs only while the node is certainly not MASTER ({@link Standing#mayPurge}) when it is
 *     due; otherwise it is dropped, and said so (a node in INIT may well be MASTER).</li>
 * <li>It compares with the external cache, so it waits while that may be stale: from the start
 *     until the first clean bulk from the peer, and again from the peer's return (alive again,
 *     restarted) until its next clean bulk. A pending purge is so re-decided against what the
 *     peer holds now, not what it held before it went away.</li>
 * <li>A commit, a flush or an explicit cancel drops it.</li>
 * </ul>
 */
final class PurgePlan {
    /** What to do about the purge at a tick. */
    enum Verdict { NOTHING, RUN, SKIPPED, WAITING }

    private long dueAt = -1;
    private String reason;
    /** The reason of the one that runs (on the kernel worker) until it reports. */
    private String running;
    /** The external cache may not mirror the peer: no clean bulk since the start or the peer's return. */
    private boolean peerStale = true;
    /** A bulk was asked of the peer since it became stale. */
    private boolean bulkAsked;
    private String lastOutcome;
    private long lastRemoved = -1;
    private long lastAt = Long.MIN_VALUE;
    private long outcomes;

    void schedule(long now, Duration delay, String why) {
        dueAt = now + delay.toNanos();
        reason = why;
    }

    boolean pending() {
        return dueAt >= 0;
    }

    /** Drops the pending one; returns whether there was one. */
    boolean cancel(long now, String why) {
        if (dueAt < 0) {
            return false;
        }
        outcome(now, "cancelled: " + why);
        dueAt = -1;
        reason = null;
        return true;
    }

    /** The peer is back: a purge waits for its next clean bulk. Returns whether one is pending. */
    boolean peerReturned() {
        peerStale = true;
        bulkAsked = false;
        return dueAt >= 0;
    }

    /**
     * Whether a pending purge waits for a bulk nobody asked the peer for yet; if so, it counts as
     * asked from now (the caller asks).
     */
    boolean askForBulk() {
        if (dueAt < 0 || !peerStale || bulkAsked) {
            return false;
        }
        bulkAsked = true;
        return true;
    }

    /** A bulk was asked of the peer (the startup resync, a BACKUP transition's request). */
    void bulkAsked() {
        bulkAsked = true;
    }

    /** A bulk from the peer ended; a clean one is what a waiting purge compares with. */
    void bulkReceived(boolean clean) {
        if (clean) {
            peerStale = false;
        }
    }

    /** Whether the purge runs now; {@link Verdict#RUN} and {@link Verdict#SKIPPED} clear it. */
    Verdict check(long now, Standing standing) {
        if (dueAt < 0 || now < dueAt) {
            return Verdict.NOTHING;
        }
        if (!standing.mayPurge()) {
            outcome(now, "skipped: " + (standing == Standing.ACTIVE ? "MASTER" : "role not known yet, may be MASTER")
                    + " (scheduled for " + reason + ")");
            dueAt = -1;
            reason = null;
            return Verdict.SKIPPED;
        }
        if (peerStale) {
            return Verdict.WAITING;
        }
        dueAt = -1;
        running = reason;
        reason = null;
        return Verdict.RUN;
    }

    /** The purge that {@link #check} let run removed {@code removed} flows. */
    void ran(long now, long removed, long kept) {
        lastRemoved = removed;
        outcome(now, "removed " + removed + " flows of the peer it no longer has, kept " + kept + " (scheduled for "
                + running + ")");
        running = null;
    }

    /** The purge that {@link #check} let run failed. */
    void failed(long now, String why) {
        outcome(now, "failed: " + why + " (scheduled for " + running + ")");
        running = null;
    }

    private void outcome(long now, String what) {
        lastOutcome = what;
        lastAt = now;
        outcomes++;
    }

    PurgeStatus status(long now) {
        return new PurgeStatus(dueAt < 0 ? -1 : Math.max(0, (dueAt - now) / 1_000_000), dueAt < 0 ? null : reason,
                dueAt >= 0 && peerStale, lastOutcome, lastRemoved,
                lastAt == Long.MIN_VALUE ? -1 : (now - lastAt) / 1_000_000, running != null, outcomes);
    }
}
