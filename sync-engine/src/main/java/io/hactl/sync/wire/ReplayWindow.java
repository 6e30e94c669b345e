package io.hactl.sync.wire;

/**
 * Anti-replay for one session with the peer, as IPsec's sliding window (RFC 4303 section
 * 3.4.3): accepts each datagram number once, within a window of the last 64 numbers, and no
 * number further than {@link Wire#MAX_DATAGRAM_JUMP} ahead of the highest accepted (such a
 * number moves nothing). Checking and recording are separate steps, so a datagram rejected for
 * what it carries leaves the window as it was.
 */
public final class ReplayWindow {
    public static final int SIZE = 64;

    private long highest = -1; // highest accepted number (or the anchor); -1 before the session
    private long bitmap;       // bit i set: number (highest - i) seen

    /** Outcome of {@link #check}. */
    public enum Verdict {
        /** New and in order or within the window. */
        ACCEPT,
        /** Seen before, or older than the window. */
        REPLAY,
        /** Further ahead of the highest accepted number than {@link Wire#MAX_DATAGRAM_JUMP}. */
        TOO_FAR_AHEAD
    }

    /** A new session whose first datagram is number {@code n}: nothing seen yet, {@code n} acceptable. */
    public void restart(long n) {
        highest = n;
        bitmap = 0;
    }

    /**
     * The same peer instance proved (by a fresh challenge) that it has reached number {@code n}:
     * the window moves up to it, as if everything between was lost. A number at or below the
     * highest changes nothing.
     */
    public void advanceTo(long n) {
        if (n > highest) {
            long shift = n - highest;
            bitmap = shift >= SIZE ? 0 : bitmap << shift;
            highest = n;
        }
    }

    /** What {@link #record} would make of {@code n}; changes nothing. */
    public Verdict check(long n) {
        if (n < 0 || highest < 0) {
            return Verdict.REPLAY; // numbers start at 0; no session, no window
        }
        if (n > highest) {
            return n - highest > Wire.MAX_DATAGRAM_JUMP ? Verdict.TOO_FAR_AHEAD : Verdict.ACCEPT;
        }
        long age = highest - n;
        return age >= SIZE || (bitmap & (1L << age)) != 0 ? Verdict.REPLAY : Verdict.ACCEPT;
    }

    /** Records {@code n}, which {@link #check} accepted. */
    public void record(long n) {
        if (n > highest) {
            long shift = n - highest;
            bitmap = shift >= SIZE ? 1 : (bitmap << shift) | 1;
            highest = n;
        } else {
            bitmap |= 1L << (highest - n);
        }
    }

    /** The highest number accepted or anchored; -1 before the session. */
    public long highest() {
        return highest;
    }
}
