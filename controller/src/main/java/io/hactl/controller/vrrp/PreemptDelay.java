package io.hactl.controller.vrrp;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup's preempt delay (keepalived's {@code preempt_delay}, beyond RFC 9568): a master of
 * lower priority is still accepted until the delay, started by its first such advertisement, has
 * run out. Single-threaded, as its {@link VrrpInstance}; times on the instance's clock.
 */
final class PreemptDelay {
    private static final Logger LOG = LoggerFactory.getLogger(VrrpInstance.class);
    private static final long NONE = Long.MAX_VALUE;

    private final String instance;
    private final long delayNanos;
    private long preemptAt = NONE;

    PreemptDelay(String instance, Duration delay) {
        this.instance = instance;
        this.delayNanos = delay.toNanos();
    }

    /** True while a lower-priority master is still accepted at {@code now}; the first call starts the delay. */
    boolean holding(long now) {
        if (delayNanos == 0) {
            return false;
        }
        if (preemptAt == NONE) {
            preemptAt = now + delayNanos;
            LOG.info("{}: lower priority master, preempting in {} ms", instance, delayNanos / 1_000_000);
        }
        return now - preemptAt < 0;
    }

    /** Forgets a running delay: no lower master to preempt any more, or the instance changed state. */
    void cancel() {
        preemptAt = NONE;
    }
}
