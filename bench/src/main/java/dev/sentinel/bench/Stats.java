package dev.sentinel.bench;

import java.util.Arrays;

/** Order statistics of a sample of timings, by the nearest-rank method (no interpolation). */
public record Stats(int count, double min, double p50, double p90, double p99, double max, double mean) {

    public static Stats of(double[] sample) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("no measurements");
        }
        double[] sorted = sample.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Stats(sorted.length, sorted[0], rank(sorted, 50), rank(sorted, 90), rank(sorted, 99),
                sorted[sorted.length - 1], sum / sorted.length);
    }

    /** The smallest value with at least {@code percent}% of the sample at or below it. */
    static double rank(double[] sorted, double percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
