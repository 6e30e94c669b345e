package io.hactl.controller.vrrp;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link VrrpController}'s failed network calls (send, addresses, announce, reading the waiting
 * datagrams): each one counted, logged at a limited rate so that a network that keeps failing
 * costs one line now and then, and turned into the text a transition step records. Owned by the
 * loop thread.
 */
final class IoFailures {
    private static final Logger LOG = LoggerFactory.getLogger(IoFailures.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final LongSupplier nanos;
    private final LogLimiter ioLog = new LogLimiter(LOG_INTERVAL_NANOS);
    private long ioErrors;

    /** Failures of the group {@code name} (the prefix of its log lines), timed on {@code nanos}. */
    IoFailures(String name, LongSupplier nanos) {
        this.name = name;
        this.nanos = nanos;
    }

    /**
     * Counts and logs (at a limited rate) a failed network call; returns the step's error text:
     * {@code before} (null when none) and this one, joined by "; ".
     */
    String failed(String what, Exception e, String before) {
        ioErrors++;
        long held = ioLog.pass(nanos.getAsLong());
        if (held >= 0) {
            LOG.warn("{}: {} failed: {}{}", name, what, e.toString(),
                    held > 0 ? " (" + held + " more failures since the last report)" : "");
        }
        String text = what + ": " + e.getMessage();
        return before == null ? text : before + "; " + text;
    }

    /** Failed network calls so far. */
    long count() {
        return ioErrors;
    }
}
