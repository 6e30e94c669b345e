package io.hactl.controller.vrrp;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * A {@link VrrpLoop} on virtual time: nothing runs until the test says how far time goes, then
 * every task due runs in deadline order (ties in the order given), the clock standing at each
 * task's deadline (or later, for a task overdue after a {@link #pause}), as the real loop would
 * see it.
 */
final class ManualLoop implements VrrpLoop {
    static final long MILLI = 1_000_000L;
    static final long SECOND = 1_000_000_000L;

    private static final class Task {
        final long deadline;
        final long seq;
        final Runnable run;
        boolean cancelled;

        Task(long deadline, long seq, Runnable run) {
            this.deadline = deadline;
            this.seq = seq;
            this.run = run;
        }
    }

    /** Starts away from zero, to catch code that mistakes a clock reading for a duration. */
    private long now = -5 * SECOND;
    private long seq;
    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.<Task>comparingLong(t -> t.deadline).thenComparingLong(t -> t.seq));

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        queue.add(new Task(now, seq++, task));
    }

    @Override
    public Timer at(long deadline, Runnable task) {
        Task t = new Task(deadline - now < 0 ? now : deadline, seq++, task);
        queue.add(t);
        return () -> t.cancelled = true;
    }

    /** Runs what is due now, and what that makes due now. */
    void runPending() {
        runFor(0);
    }

    /** Moves time {@code nanos} ahead, running every task due on the way. */
    void runFor(long nanos) {
        long until = now + nanos;
        while (!queue.isEmpty() && queue.peek().deadline - until <= 0) {
            Task t = queue.poll();
            if (t.cancelled) {
                continue;
            }
            if (t.deadline - now > 0) {
                now = t.deadline; // a task overdue after a pause runs late, the clock never going back
            }
            t.run.run();
        }
        now = until;
    }

    /** The process does not run for {@code nanos} (a garbage collection, a starved CPU): time moves on, nothing runs. */
    void pause(long nanos) {
        now += nanos;
    }

    void runForMillis(long millis) {
        runFor(millis * MILLI);
    }
}
