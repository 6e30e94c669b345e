package io.hactl.sync.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports an {@link Error} (OutOfMemoryError, StackOverflowError, ...) met on one of the engine's
 * threads to {@link EngineListener#onFatalError}, once: after one the engine can no longer be
 * trusted to replicate or to answer, and the process should end so that its supervisor restarts
 * it, rather than live on without a loop or a worker. Exceptions are not fatal: the operation
 * that threw fails and is reported as it always was.
 *
 * <p>It also knows when the engine is stopping: the loop and the worker end one after the
 * other, and a task of one that hands work to the other after it has ended ends quietly then,
 * instead of dying on a thread with an uncaught exception.
 */
final class FatalErrors {
    private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);

    private final String node;
    private final EngineListener listener;
    private final AtomicBoolean reported = new AtomicBoolean();
    private volatile boolean stopping;

    FatalErrors(String node, EngineListener listener) {
        this.node = node;
        this.listener = listener;
    }

    /** The Error in {@code t} or its causes (a future's CompletionException wraps it), or null. */
    static Error errorIn(Throwable t) {
        for (int depth = 0; t != null && depth < 8; t = t.getCause(), depth++) {
            if (t instanceof Error e) {
                return e;
            }
        }
        return null;
    }

    /** Reports {@code t} when it is or wraps an Error; {@code where} names the thread or the operation. */
    void check(String where, Throwable t) {
        Error e = errorIn(t);
        if (e == null || !reported.compareAndSet(false, true)) {
            return;
        }
        try {
            LOG.error("{}: fatal error in {}: {}", node, where, e.toString(), e);
        } catch (Throwable ignored) {
            // logging may itself fail without memory: the listener still hears it
        }
        listener.onFatalError(where, e);
    }

    /** Whether an Error was reported. */
    boolean reported() {
        return reported.get();
    }

    /** The engine is stopping: from now on a task that finds the other thread gone is dropped. */
    void stopping() {
        stopping = true;
    }

    /**
     * {@code executor} whose tasks' Errors are reported (and still thrown). A task that hands work
     * to an executor already shut down ends quietly once the engine is {@link #stopping}; before
     * that the rejection is thrown like any other exception.
     */
    Executor guard(String where, Executor executor) {
        return task -> executor.execute(() -> {
            try {
                task.run();
            } catch (RejectedExecutionException e) {
                if (!stopping) {
                    throw e;
                }
                LOG.debug("{}: a task on the {} ended with the engine: {}", node, where, e.getMessage());
            } catch (Error e) {
                check(where, e);
                throw e;
            }
        });
    }

    /** {@code f}, whose failure is reported when it is an Error (a future's stage swallows it otherwise). */
    <T> CompletableFuture<T> watch(String operation, CompletableFuture<T> f) {
        f.whenComplete((r, t) -> {
            if (t != null) {
                check(operation, t);
            }
        });
        return f;
    }
}
