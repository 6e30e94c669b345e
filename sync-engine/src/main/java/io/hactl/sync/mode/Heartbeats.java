package io.hactl.sync.mode;

import io.hactl.sync.wire.Message;

/**
 * Heartbeat timing and peer liveness for one peer: when our next heartbeat (or HELLO) is due,
 * what our heartbeat echoes of the peer's last one (for its round-trip time), the round-trip time
 * its heartbeats tell, and whether the peer is alive: heard within {@code deadAfter}.
 * Times are the caller's monotonic nanoseconds; this reads no clock.
 *
 * <p>Not thread-safe: owned by its mode on the event loop.
 */
final class Heartbeats {
    private final long intervalNanos;
    private final long deadAfterNanos;

    private long lastHelloSent = Long.MIN_VALUE;
    private long lastHeartbeatSent = Long.MIN_VALUE;
    private long lastHeard = Long.MIN_VALUE;
    private boolean alive;
    private boolean everHeard;
    private long peerHeartbeatSent;
    private long peerHeartbeatArrived;
    private boolean havePeerHeartbeat;

    Heartbeats(long intervalNanos, long deadAfterNanos) {
        this.intervalNanos = intervalNanos;
        this.deadAfterNanos = deadAfterNanos;
    }

    /** Whether a heartbeat interval has passed since the last one (or none was sent yet). */
    boolean heartbeatDue(long now) {
        return lastHeartbeatSent == Long.MIN_VALUE || now - lastHeartbeatSent >= intervalNanos;
    }

    /** Starts the heartbeat interval at {@code now} without sending one (at start, or before a session). */
    void skipHeartbeat(long now) {
        lastHeartbeatSent = now;
    }

    /** Our next heartbeat, sent at {@code now}: it echoes the peer's last one and how long we held it. */
    Message.Heartbeat heartbeat(int nextSeq, long now) {
        long held = havePeerHeartbeat ? now - peerHeartbeatArrived : -1;
        lastHeartbeatSent = now;
        return new Message.Heartbeat(nextSeq, now, havePeerHeartbeat ? peerHeartbeatSent : 0, held);
    }

    void helloSent(long now) {
        lastHelloSent = now;
    }

    /** Whether a HELLO may go out again: none yet, or a heartbeat interval since the last. */
    boolean helloAllowed(long now) {
        return lastHelloSent == Long.MIN_VALUE || now - lastHelloSent >= intervalNanos;
    }

    /**
     * The peer's heartbeat arrived at {@code now}: remembered for the echo in ours. Returns the
     * round-trip time it tells (our echoed send time to now, less what the peer held it), or -1
     * when it echoes none.
     */
    long peerHeartbeat(Message.Heartbeat h, long now) {
        peerHeartbeatSent = h.sentNanos();
        peerHeartbeatArrived = now;
        havePeerHeartbeat = true;
        return h.heldNanos() >= 0 ? Math.max(0, now - h.echoNanos() - h.heldNanos()) : -1;
    }

    /** The peer restarted: its old heartbeat's time means nothing to the new instance. */
    void forgetPeerHeartbeat() {
        havePeerHeartbeat = false;
    }

    /** A datagram of the session arrived at {@code now}. Returns true when that makes the peer alive. */
    boolean heard(long now) {
        lastHeard = now;
        everHeard = true;
        if (!alive) {
            alive = true;
            return true;
        }
        return false;
    }

    /** Re-judges liveness at {@code now}: true when it changed (see {@link #alive()}). */
    boolean livenessChanged(long now) {
        boolean nowAlive = everHeard && now - lastHeard < deadAfterNanos;
        if (nowAlive != alive) {
            alive = nowAlive;
            return true;
        }
        return false;
    }

    boolean alive() {
        return alive;
    }
}
