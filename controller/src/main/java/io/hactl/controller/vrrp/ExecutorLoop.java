package io.hactl.controller.vrrp;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** A {@link VrrpLoop} on one daemon thread of its own and {@link System#nanoTime}. */
public final class ExecutorLoop implements VrrpLoop, AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;

    public ExecutorLoop(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        // cancelled timers (one per advertisement received) must not pile up until their deadline
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Timer at(long deadline, Runnable task) {
        ScheduledFuture<?> f = executor.schedule(task, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    /** Runs what is queued, then stops the thread; waits for it a few seconds at most. */
    @Override
    public void close() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
