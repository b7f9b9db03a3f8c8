package dev.sentinel.metrics;

import java.util.Map;

/**
 * Numbers the pipeline reports about itself (how many scans, which decisions, how slow the engine was), kept apart
 * from the structured log so dashboards and alarms need no log queries.
 *
 * <p>Dimensions are for a handful of known values (an action, a reason code, an engine name): never object keys,
 * uploader identities or anything else that may be personal data, and never anything unbounded, since every
 * distinct value is a metric of its own.
 */
public interface Metrics {

    /** Adds {@code value} to a count, e.g. one more scan. */
    void count(String name, double value, Map<String, String> dimensions);

    /** Records one duration, e.g. one engine call; every value is kept so percentiles can be computed. */
    void milliseconds(String name, double value, Map<String, String> dimensions);

    /** Sends what was recorded since the last flush; the pipeline calls it once per batch. */
    void flush();

    /** For callers that do not report metrics (tests, the local runner, the API): everything is discarded. */
    static Metrics none() {
        return DiscardedMetrics.INSTANCE;
    }
}
