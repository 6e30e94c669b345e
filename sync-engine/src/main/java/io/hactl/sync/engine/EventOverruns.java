package io.hactl.sync.engine;

import java.time.Duration;

/**
 * When lost kernel events are reported to the engine, whose resync then dumps the table: once the
 * event socket's queue has drained after the overrun. Until then the kernel drops further events
 * without a word (it reports an overrun only on a socket not yet congested, and the congestion
 * ends when a receive leaves the queue empty), so a dump begun meanwhile would miss every flow
 * created behind it whose event was dropped. A queue that has not drained within
 * {@link #CONGESTED_MAX} is reported anyway (a resync now beats none) and again once it drained.
 * Used on the engine's loop only.
 */
final class EventOverruns {
    /** How long the reader waits for the queue to drain before it reports the overrun anyway. */
    static final Duration CONGESTED_MAX = Duration.ofSeconds(5);

    private boolean pending;
    private long since;
    private boolean reportedCongested;

    /** Events were lost, the reader learned at {@code now}. */
    void lost(long now) {
        if (!pending) {
            pending = true;
            since = now;
        }
    }

    /**
     * After a poll that found the queue empty or not at {@code now}: whether to report the
     * overrun to the engine now.
     */
    boolean reportNow(boolean foundEmpty, long now) {
        if (!pending) {
            return false;
        }
        if (foundEmpty) {
            pending = false;
            reportedCongested = false;
            return true;
        }
        if (!reportedCongested && now - since >= CONGESTED_MAX.toNanos()) {
            reportedCongested = true;
            return true;
        }
        return false;
    }

    /** Whether an overrun was reported before the queue drained: the next report follows the drain. */
    boolean reportedWhileCongested() {
        return pending && reportedCongested;
    }
}
