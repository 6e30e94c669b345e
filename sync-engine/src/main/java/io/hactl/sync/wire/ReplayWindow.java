package io.hactl.sync.wire;

/**
 * Anti-replay for one peer, as IPsec's sliding window (RFC 4303 section 3.4.3): accepts each
 * datagram number of the current epoch once, within a window of the last 64 numbers; a newer
 * epoch (the peer restarted) starts a fresh window; an older epoch is a replay.
 */
public final class ReplayWindow {
    public static final int SIZE = 64;

    private long epoch = Long.MIN_VALUE;
    private long highest = -1; // highest accepted number, -1 before the first
    private long bitmap;       // bit i set: number (highest - i) seen

    /** Outcome of {@link #check}. */
    public enum Verdict {
        /** New and in order or within the window. */
        ACCEPT,
        /** First datagram of a newer epoch: the peer restarted. */
        NEW_EPOCH,
        /** Seen before, too old for the window, or from an older epoch. */
        REPLAY
    }

    /** Checks and, when not a replay, records the datagram. Only call for authentic datagrams. */
    public Verdict check(long datagramEpoch, long n) {
        if (n < 0) {
            return Verdict.REPLAY; // numbers start at 0 and are 63-bit in practice
        }
        if (datagramEpoch < epoch) {
            return Verdict.REPLAY;
        }
        if (datagramEpoch > epoch) {
            boolean first = epoch == Long.MIN_VALUE;
            epoch = datagramEpoch;
            highest = n;
            bitmap = 1;
            return first ? Verdict.ACCEPT : Verdict.NEW_EPOCH;
        }
        if (n > highest) {
            long shift = n - highest;
            bitmap = shift >= SIZE ? 1 : (bitmap << shift) | 1;
            highest = n;
            return Verdict.ACCEPT;
        }
        long age = highest - n;
        if (age >= SIZE) {
            return Verdict.REPLAY;
        }
        long bit = 1L << age;
        if ((bitmap & bit) != 0) {
            return Verdict.REPLAY;
        }
        bitmap |= bit;
        return Verdict.ACCEPT;
    }

    public long epoch() {
        return epoch;
    }
}
