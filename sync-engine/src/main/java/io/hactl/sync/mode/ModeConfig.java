package io.hactl.sync.mode;

import java.time.Duration;

/**
 * Tunables of a sync mode; validated here, immutable.
 *
 * @param ackWindow     in-order reliable messages after which the receiver acknowledges (conntrackd: 300)
 * @param resendLimit   unacknowledged messages kept for resending; at the limit sending pauses
 *                      (coalescing keeps the waiting flows at one entry each) instead of dropping
 * @param heartbeat     interval of heartbeats (liveness, RTT, tail-loss detection, HELLO retries)
 * @param deadAfter     silence after which the peer is declared dead
 * @param maxPerPass    most messages sent in one pass, so one pass never monopolises the loop
 * @param ackDelay      longest a receiver holds an acknowledgement back waiting for a full window
 */
public record ModeConfig(int ackWindow, int resendLimit, Duration heartbeat, Duration deadAfter, int maxPerPass,
                         Duration ackDelay) {
    public static final ModeConfig DEFAULTS =
            new ModeConfig(300, 131_072, Duration.ofMillis(200), Duration.ofMillis(1200), 50_000, Duration.ofMillis(20));

    public ModeConfig {
        if (ackWindow < 1) {
            throw new IllegalArgumentException("ack window " + ackWindow + " must be at least 1");
        }
        if (resendLimit < 1) {
            throw new IllegalArgumentException("resend queue limit " + resendLimit + " must be at least 1");
        }
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive");
        }
        if (deadAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("dead-after " + deadAfter.toMillis() + " ms must be at least twice the heartbeat ("
                    + heartbeat.toMillis() + " ms)");
        }
        if (ackDelay.isNegative() || ackDelay.compareTo(heartbeat) > 0) {
            throw new IllegalArgumentException("ack delay must be between 0 and the heartbeat interval");
        }
        if (maxPerPass < 1) {
            throw new IllegalArgumentException("messages per pass must be at least 1");
        }
    }
}
