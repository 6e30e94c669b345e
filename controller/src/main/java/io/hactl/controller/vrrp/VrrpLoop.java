package io.hactl.controller.vrrp;

/**
 * The one thread a {@link VrrpController} runs on, with its monotonic clock: tasks run one at a
 * time in the order they were given, timed tasks at their deadline. {@link ExecutorLoop} is the
 * real one; tests drive a virtual one.
 */
public interface VrrpLoop {
    /** The monotonic clock, in nanoseconds (compared by difference, as {@link System#nanoTime}). */
    long nanoTime();

    /** Runs {@code task} on the loop, after what is queued already. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop at {@code deadline} (at once if it is past); cancellable. */
    Timer at(long deadline, Runnable task);

    /** A task waiting for its deadline. */
    interface Timer {
        /** It will not run (if it has not already). */
        void cancel();
    }
}
