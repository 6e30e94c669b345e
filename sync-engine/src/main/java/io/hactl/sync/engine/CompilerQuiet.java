package io.hactl.sync.engine;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Waits, after the rehearsal, until the JIT compilers have worked off what it queued. C2 compiles
 * the rehearsed paths for seconds after the rehearsal ends (on two cores each daemon's compiler
 * thread took a third of a core through a whole benchmark); a daemon that reports ready while they
 * still run gives them the cores the first resync, commit or failover needs.
 */
public final class CompilerQuiet {
    /** How often the compile time is sampled. */
    static final Duration POLL = Duration.ofMillis(250);
    /** Compile time per poll below which the compilers count as quiet: a tenth of one core. */
    static final long QUIET_MILLIS = POLL.toMillis() / 10;

    /** Sleeps for the given time (injected in tests). */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** How it ended: milliseconds waited, compile milliseconds seen meanwhile, and whether quiet. */
    public record Result(long waitedMillis, long compileMillis, boolean quiet) {}

    private CompilerQuiet() {}

    /** Milliseconds this JVM's compilers have spent so far (0 when not monitored). */
    public static long compileMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Waits at most {@code max} for the JIT of this JVM to go quiet; never throws. */
    public static Result await(Duration max) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return new Result(0, 0, false);
        }
        try {
            return await(jit::getTotalCompilationTime, System::nanoTime, d -> Thread.sleep(d.toMillis()), max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(0, 0, false);
        }
    }

    static Result await(LongSupplier compileMillis, LongSupplier nanos, Sleeper sleeper, Duration max)
            throws InterruptedException {
        long t0 = nanos.getAsLong();
        long c0 = compileMillis.getAsLong();
        long before = c0;
        while (nanos.getAsLong() - t0 < max.toNanos()) {
            sleeper.sleep(POLL);
            long now = compileMillis.getAsLong();
            if (now - before < QUIET_MILLIS) {
                return new Result((nanos.getAsLong() - t0) / 1_000_000, now - c0, true);
            }
            before = now;
        }
        return new Result((nanos.getAsLong() - t0) / 1_000_000, compileMillis.getAsLong() - c0, false);
    }
}
