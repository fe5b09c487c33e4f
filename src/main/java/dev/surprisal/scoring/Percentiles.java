package dev.surprisal.scoring;

import java.util.Arrays;

/**
 * The nearest-rank percentile, the one definition every report uses (evaluation's distributions, the
 * calibration's figures, the benchmarks' latencies): the smallest value with at least p% of the values at
 * or below it, so p99 of 100 values is the 99th smallest and p100 the largest.
 */
public final class Percentiles {

    private Percentiles() {
    }

    /** @param sorted ascending values; NaN when there are none */
    public static double ofSorted(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** {@link #ofSorted} of a sorted copy of {@code values}. */
    public static double of(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return ofSorted(sorted, p);
    }
}
