package io.hactl.sync.wire;

import java.security.SecureRandom;

/**
 * Epochs and nonces: random 64-bit numbers, never 0 (0 means "none" on the wire). Random, not
 * from a clock: a restarted instance must be told apart from its predecessor whatever either
 * clock says, and nobody can predict the next one.
 */
public final class Epochs {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Epochs() {}

    /** A fresh random number, never 0. */
    public static long next() {
        long v;
        do {
            v = RANDOM.nextLong();
        } while (v == 0);
        return v;
    }
}
