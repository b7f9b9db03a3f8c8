package dev.sentinel.scan;

import dev.sentinel.metrics.Metrics;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.ReasonCode;
import java.util.Map;

/**
 * The scan pipeline's metric names and dimensions, in one place so the code, dashboards and alarms agree on them.
 * Every dimension value comes from a small closed set (actions, reason codes, engine names); nothing about the
 * object or its uploader is ever a dimension.
 */
public final class ScanMetrics {

    /** Uploads scanned to an outcome (decided, already decided, rescanned); skipped events are not counted. */
    public static final String SCANS = "Scans";
    /** New verdicts, by {@link #ACTION}. */
    public static final String DECISIONS = "Decisions";
    /** New verdicts held for a person because the pipeline could not judge the image, by {@link #REASON}. */
    public static final String HELD = "Held";
    /** Duration of each engine call, answered or not, by {@link #ENGINE}. */
    public static final String ENGINE_LATENCY = "EngineLatency";
    /** Engine calls that failed on the engine's side (unavailable after retries), by {@link #ENGINE}. */
    public static final String ENGINE_ERRORS = "EngineErrors";
    /** New verdicts that reuse the decision of earlier identical bytes instead of asking the engine. */
    public static final String DUPLICATES_REUSED = "DuplicatesReused";
    /** Deliveries reported failed, which the queue retries and finally dead-letters. */
    public static final String SCAN_FAILURES = "ScanFailures";
    /** Deliveries not started because the invocation had too little time left; the queue delivers them again. */
    public static final String DELIVERIES_DEFERRED = "DeliveriesDeferred";

    public static final String ACTION = "Action";
    public static final String REASON = "Reason";
    public static final String ENGINE = "Engine";

    private final Metrics metrics;

    ScanMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    void scanned() {
        metrics.count(SCANS, 1, Map.of());
    }

    void decided(Action action) {
        metrics.count(DECISIONS, 1, Map.of(ACTION, action.name()));
    }

    void held(ReasonCode reason) {
        metrics.count(HELD, 1, Map.of(REASON, reason.name()));
    }

    void reused() {
        metrics.count(DUPLICATES_REUSED, 1, Map.of());
    }

    void deliveryFailed() {
        metrics.count(SCAN_FAILURES, 1, Map.of());
    }

    void deliveryDeferred() {
        metrics.count(DELIVERIES_DEFERRED, 1, Map.of());
    }

    void engineCalled(String engine, double millis) {
        metrics.milliseconds(ENGINE_LATENCY, millis, Map.of(ENGINE, engine));
    }

    void engineFailed(String engine) {
        metrics.count(ENGINE_ERRORS, 1, Map.of(ENGINE, engine));
    }

    void flush() {
        metrics.flush();
    }
}
