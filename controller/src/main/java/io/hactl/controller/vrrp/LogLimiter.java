package io.hactl.controller.vrrp;

/**
 * Lets a log line through at most once per interval and counts the ones it held back, so that
 * a flood of bad packets costs a counter increment each and one line now and then. Not
 * thread-safe: one per thread that logs.
 */
public final class LogLimiter {
    private final long intervalNanos;
    private boolean logged;
    private long last;
    private long suppressed;

    public LogLimiter(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /**
     * At {@code now}: -1 when the line is to be held back, else the number held back since the
     * last one let through.
     */
    public long pass(long now) {
        if (logged && now - last < intervalNanos) {
            suppressed++;
            return -1;
        }
        logged = true;
        last = now;
        long held = suppressed;
        suppressed = 0;
        return held;
    }
}
