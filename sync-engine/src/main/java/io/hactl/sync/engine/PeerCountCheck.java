package io.hactl.sync.engine;

import io.hactl.sync.wire.Message;

/**
 * Checks the external cache against the count the peer advertises for its internal cache
 * (CACHE_SUMMARY, PROTOCOL.md). Loop-owned.
 *
 * <p>Counts move while messages are in flight, so each summary is compared at the moment it
 * arrives, with a tolerance that is a true bound, not a guess: every change the peer had not seen
 * acknowledged, or had not sent yet, when it sent the summary ({@code pending}), and every message
 * it sent after it that arrived first ({@code ahead}), moves the external cache by at most one
 * flow. A difference beyond that is a real one (a flushed or refused external cache, a lost
 * message in NOTRACK mode); it is reported once summaries have shown it for {@link #persistNanos},
 * so that a single reordered datagram never turns the verdict. While a bulk runs either way the
 * counts are not compared (the bulk is its own reason).
 */
final class PeerCountCheck {
    private final long persistNanos;
    private long peerFlows = -1;
    private long peerPending = -1;
    private long externalAtSummary = -1;
    private long tolerance = -1;
    private long summaryAt = Long.MIN_VALUE;
    /** Arrival of the first summary of the current run that showed a difference beyond the tolerance; MIN_VALUE none. */
    private long mismatchSince = Long.MIN_VALUE;

    PeerCountCheck(long persistNanos) {
        this.persistNanos = persistNanos;
    }

    void onSummary(long flows, long pending, long ahead, int external, boolean bulkReceiving, long now) {
        peerFlows = flows;
        summaryAt = now;
        externalAtSummary = external;
        if (bulkReceiving || pending == Message.CacheSummary.PENDING_UNKNOWN) {
            peerPending = -1;
            tolerance = -1;
            mismatchSince = Long.MIN_VALUE;
            return;
        }
        peerPending = pending;
        tolerance = pending + ahead;
        if (Math.abs(external - flows) > tolerance) {
            if (mismatchSince == Long.MIN_VALUE) {
                mismatchSince = now;
            }
        } else {
            mismatchSince = Long.MIN_VALUE;
        }
    }

    /** The peer restarted: what it advertised before is moot. */
    void reset() {
        peerFlows = -1;
        peerPending = -1;
        externalAtSummary = -1;
        tolerance = -1;
        summaryAt = Long.MIN_VALUE;
        mismatchSince = Long.MIN_VALUE;
    }

    /** Whether the summaries have shown a difference beyond the tolerance for long enough. */
    boolean mismatch() {
        return mismatchSince != Long.MIN_VALUE && summaryAt - mismatchSince >= persistNanos;
    }

    long peerFlows() {
        return peerFlows;
    }

    long peerPending() {
        return peerPending;
    }

    long externalAtSummary() {
        return externalAtSummary;
    }

    long tolerance() {
        return tolerance;
    }

    /** Milliseconds since the last summary arrived; -1 never. */
    long summaryAgeMillis(long now) {
        return summaryAt == Long.MIN_VALUE ? -1 : (now - summaryAt) / 1_000_000;
    }

    /** How long the summaries have shown the difference, in milliseconds; -1 none. */
    long mismatchMillis() {
        return mismatchSince == Long.MIN_VALUE ? -1 : (summaryAt - mismatchSince) / 1_000_000;
    }
}
