package io.hactl.controller.vrrp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLimiterTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void passesOneLinePerIntervalAndCountsTheRest() {
        LogLimiter limiter = new LogLimiter(10 * SECOND);
        long t = Long.MAX_VALUE - 5 * SECOND; // wraps, as System.nanoTime may

        assertThat(limiter.pass(t)).isZero();
        assertThat(limiter.pass(t + SECOND)).isEqualTo(-1);
        assertThat(limiter.pass(t + 9 * SECOND)).isEqualTo(-1);
        assertThat(limiter.pass(t + 10 * SECOND)).isEqualTo(2);
        assertThat(limiter.pass(t + 11 * SECOND)).isEqualTo(-1);
        assertThat(limiter.pass(t + 30 * SECOND)).isEqualTo(1);
        assertThat(limiter.pass(t + 45 * SECOND)).isZero();
    }
}
