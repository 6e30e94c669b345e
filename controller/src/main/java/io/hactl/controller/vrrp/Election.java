package io.hactl.controller.vrrp;

import java.net.InetAddress;
import java.util.Arrays;

/** The arithmetic of the election, RFC 9568 section 6: the timers of 6.1 and the tie-break of 6.4.3. */
final class Election {
    private Election() {
    }

    /** An interval in centiseconds, in nanoseconds. */
    static long nanos(int centiseconds) {
        return centiseconds * VrrpConstants.NANOS_PER_CENTISECOND;
    }

    /**
     * Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, in nanoseconds so that it keeps
     * its fraction of a centisecond.
     */
    static long skewNanos(int priority, int masterAdverInterval) {
        return (VrrpConstants.SKEW_DIVISOR - priority) * nanos(masterAdverInterval) / VrrpConstants.SKEW_DIVISOR;
    }

    /** Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time, in nanoseconds. */
    static long masterDownNanos(int priority, int masterAdverInterval) {
        return VrrpConstants.DOWN_INTERVAL_ADVERTS * nanos(masterAdverInterval) + skewNanos(priority, masterAdverInterval);
    }

    /** Unsigned comparison in network byte order: at equal priority the higher address wins (6.4.3). */
    static int compare(InetAddress a, InetAddress b) {
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    }
}
