package io.hactl.sync.engine;

import io.hactl.sync.cache.FlowStore;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What the engine's parts share: the configuration, the two caches, the counters, the executor
 * that owns the caches (the engine's event loop), the worker that does kernel writes and dumps,
 * and the monotonic clock (nanoseconds). Loop and clock are injected, so that tests run the
 * parts on an in-memory kernel with executors and a clock of their own.
 *
 * <p>The caches and {@link #standing} are touched only on {@link #loop}.
 */
final class EngineContext {
    final EngineConfig cfg;
    final FlowStore internal;
    final FlowStore external;
    final EngineCounters counters;
    final Executor loop;
    /**
     * The loop too, but a task given here runs after the loop's next pass over its sockets and
     * due timers, not straight behind the tasks queued now: the next slice of a long walk, so
     * that the peer's datagrams, kernel events and the tick go on between slices.
     */
    final Executor loopAfterIo;
    final Executor worker;
    final LongSupplier clock;
    /** Where an Error met on the loop or the worker goes. */
    final FatalErrors fatal;
    /** Runs after every task {@link #onLoop} ran (the engine takes its status then). */
    private final Runnable afterLoopTask;
    /** Whose the kernel's marked flows are, and whether a purge may run. */
    private Standing standing;

    EngineContext(EngineConfig cfg, FlowStore internal, FlowStore external, EngineCounters counters, Executor loop,
                  Executor worker, LongSupplier clock, Standing standing, Runnable afterLoopTask) {
        this(cfg, internal, external, counters, loop, worker, clock, standing, afterLoopTask,
                new FatalErrors(cfg.node(), EngineListener.NONE));
    }

    /** With Errors reported to {@code fatal}; {@code loop} and {@code worker} are expected to be guarded by it. */
    EngineContext(EngineConfig cfg, FlowStore internal, FlowStore external, EngineCounters counters, Executor loop,
                  Executor worker, LongSupplier clock, Standing standing, Runnable afterLoopTask, FatalErrors fatal) {
        this(cfg, internal, external, counters, loop, loop, worker, clock, standing, afterLoopTask, fatal);
    }

    /** As above, with {@link #loopAfterIo} apart from {@code loop} (both guarded by {@code fatal}). */
    EngineContext(EngineConfig cfg, FlowStore internal, FlowStore external, EngineCounters counters, Executor loop,
                  Executor loopAfterIo, Executor worker, LongSupplier clock, Standing standing, Runnable afterLoopTask,
                  FatalErrors fatal) {
        this.loopAfterIo = loopAfterIo;
        this.fatal = fatal;
        this.cfg = cfg;
        this.internal = internal;
        this.external = external;
        this.counters = counters;
        this.loop = loop;
        this.worker = worker;
        this.clock = clock;
        this.standing = Objects.requireNonNull(standing, "standing");
        this.afterLoopTask = afterLoopTask;
    }

    long now() {
        return clock.getAsLong();
    }

    String node() {
        return cfg.node();
    }

    Standing standing() {
        return standing;
    }

    /** Sets the standing; returns the one before. */
    Standing standing(Standing s) {
        Standing was = standing;
        standing = Objects.requireNonNull(s);
        return was;
    }

    void count(String name) {
        counters.count(name);
    }

    void count(String name, long n) {
        counters.count(name, n);
    }

    /**
     * Runs {@code work} on the loop, then the after-task hook, and completes with its result
     * (or its exception).
     */
    <T> CompletableFuture<T> onLoop(Supplier<T> work) {
        return onLoop(work, afterLoopTask);
    }

    /**
     * Runs {@code work}, which only reads, on the loop and completes with its result at once:
     * the after-task hook (a status snapshot) does not stand between a question asked in a
     * hurry, such as a takeover's, and its answer.
     */
    <T> CompletableFuture<T> askLoop(Supplier<T> work) {
        return onLoop(work, () -> { });
    }

    /** {@code work} on the loop, then {@code after} unless it failed; completes with its result or exception. */
    private <T> CompletableFuture<T> onLoop(Supplier<T> work, Runnable after) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            T result;
            try {
                result = work.get();
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
                return;
            } catch (Error e) {
                fatal.check("event loop", e);
                f.completeExceptionally(e);
                return;
            }
            after.run();
            f.complete(result);
        });
        return f;
    }

    /** Runs the after-task hook now (on the loop), as an operation's last stage does. */
    void afterLoopTask() {
        afterLoopTask.run();
    }
}
