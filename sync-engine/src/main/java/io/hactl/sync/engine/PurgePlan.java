package io.hactl.sync.engine;

import java.time.Duration;

/**
 * When a purge of the peer's flows from the kernel runs, and whether it may: the decisions only,
 * with time passed in (the engine's loop owns it; tests drive it with any clock).
 *
 * <ul>
 * <li>It runs only while the node is certainly not MASTER ({@link Standing#mayPurge}) when it is
 *     due; otherwise it is dropped, and said so (a node in INIT may well be MASTER).</li>
 * <li>A peer that comes back (alive again, restarted) while one is pending re-decides it: it then
 *     waits for a clean bulk from the peer, so that what it compares with is what the peer holds
 *     now, not what it held before it went away.</li>
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
    private boolean waitingForPeer;
    private String lastOutcome;
    private long lastRemoved = -1;
    private long lastAt = Long.MIN_VALUE;

    void schedule(long now, Duration delay, String why) {
        dueAt = now + delay.toNanos();
        reason = why;
        waitingForPeer = false;
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
        waitingForPeer = false;
        return true;
    }

    /** The peer is back: a pending purge waits for its next clean bulk. Returns whether one is pending. */
    boolean peerReturned() {
        if (dueAt < 0) {
            return false;
        }
        waitingForPeer = true;
        return true;
    }

    /** A bulk from the peer ended; a clean one is what a waiting purge compares with. */
    void bulkReceived(boolean clean) {
        if (clean) {
            waitingForPeer = false;
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
            waitingForPeer = false;
            return Verdict.SKIPPED;
        }
        if (waitingForPeer) {
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
    }

    PurgeStatus status(long now) {
        return new PurgeStatus(dueAt < 0 ? -1 : Math.max(0, (dueAt - now) / 1_000_000), dueAt < 0 ? null : reason,
                dueAt >= 0 && waitingForPeer, lastOutcome, lastRemoved,
                lastAt == Long.MIN_VALUE ? -1 : (now - lastAt) / 1_000_000);
    }
}
