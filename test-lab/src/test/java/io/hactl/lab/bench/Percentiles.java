package io.hactl.lab.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample (the smallest value with at least p% of the sample at or below it). */
final class Percentiles {
    private final long[] sorted;

    Percentiles(long[] values) {
        sorted = values.clone();
        Arrays.sort(sorted);
    }

    int count() {
        return sorted.length;
    }

    /** The p-th percentile, 0 < p <= 100; -1 for an empty sample. */
    long at(double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("percentile " + p + " is not in (0, 100]");
        }
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    long max() {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }
}
