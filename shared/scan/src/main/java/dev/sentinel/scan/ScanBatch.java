package dev.sentinel.scan;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Scans every upload of an invocation, each delivery on its own: one that fails is reported by id so the platform
 * retries only it, and the others are not held back by it. The batch's metrics are sent once, at its end, so a
 * busy function writes a few metric lines per invocation rather than a few per upload.
 */
public final class ScanBatch {

    /** How one delivery went. A failed delivery is retried by the platform and ends in the dead-letter queue. */
    public record DeliveryResult(String id, List<ScanOutcome> outcomes, List<String> errors) {
        public DeliveryResult {
            outcomes = List.copyOf(outcomes);
            errors = List.copyOf(errors);
        }

        public boolean failed() {
            return !errors.isEmpty();
        }
    }

    public record Report(List<DeliveryResult> deliveries) {
        public Report {
            deliveries = List.copyOf(deliveries);
        }

        public List<String> failedIds() {
            return deliveries.stream().filter(DeliveryResult::failed).map(DeliveryResult::id).toList();
        }
    }

    private final ScanService scans;
    private final StructuredLog log;
    private final ScanMetrics metrics;

    public ScanBatch(ScanService scans, StructuredLog log) {
        this(scans, log, Metrics.none());
    }

    /** @param metrics the same metrics the service records into; flushed at the end of every batch */
    public ScanBatch(ScanService scans, StructuredLog log, Metrics metrics) {
        this.scans = scans;
        this.log = log;
        this.metrics = new ScanMetrics(metrics);
    }

    /** See {@link ScanService#prime()}. */
    public void prime() {
        scans.prime();
    }

    /** Runs every delivery, however long that takes (tools, tests, a direct invocation without a context). */
    public Report run(List<Delivery> deliveries) {
        return run(deliveries, () -> Long.MAX_VALUE);
    }

    /**
     * Runs the deliveries that fit the invocation: one is started only while {@code remainingMillis} still covers
     * the longest its scans can take ({@link dev.sentinel.config.ScanSettings#longestScan()} each). The rest
     * are reported as failed without being touched, so the queue retries only them; a timed-out invocation would
     * instead return every message of the batch, finished or not. Deliveries closest to the dead-letter queue go
     * first: on their last receive an engine that cannot answer holds the upload for a person instead of failing.
     *
     * @param remainingMillis the time left before the function times out (Lambda's
     *                        {@code Context.getRemainingTimeInMillis})
     */
    public Report run(List<Delivery> deliveries, LongSupplier remainingMillis) {
        try {
            long perScan = scans.settings().longestScan().toMillis();
            List<Delivery> order = new ArrayList<>(deliveries);
            order.sort(Comparator.comparingInt(Delivery::attempt).reversed());
            Map<Delivery, DeliveryResult> results = new IdentityHashMap<>();
            List<String> deferred = new ArrayList<>();
            for (Delivery delivery : order) {
                long needed = perScan * delivery.events().size();
                long left = remainingMillis.getAsLong();
                if (left >= needed) {
                    results.put(delivery, deliver(delivery));
                    continue;
                }
                results.put(delivery, new DeliveryResult(delivery.id(), List.of(), List.of("not started: " + left
                        + " ms were left of the invocation and its " + delivery.events().size() + " upload(s) may take "
                        + needed + " ms; the queue delivers it again")));
                deferred.add(delivery.id());
                metrics.deliveryDeferred();
            }
            if (!deferred.isEmpty()) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("deferred", deferred);
                fields.put("remainingMs", remainingMillis.getAsLong());
                fields.put("perScanMs", perScan);
                log.warn("deliveries-deferred", fields);
            }
            return new Report(deliveries.stream().map(results::get).toList());
        } finally {
            flushMetrics();
        }
    }

    private DeliveryResult deliver(Delivery delivery) {
        List<ScanOutcome> outcomes = new ArrayList<>();
        List<String> errors = new ArrayList<>(delivery.problems());
        for (ObjectEvent event : delivery.events()) {
            try {
                ScanOutcome outcome = scans.scan(event, delivery.attempt());
                outcomes.add(outcome);
                if (!(outcome instanceof ScanOutcome.Skipped)) {
                    metrics.scanned();
                }
            } catch (ScanFailedException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            metrics.deliveryFailed();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("deliveryId", delivery.id());
            fields.put("errors", errors);
            log.error("delivery-failed", fields);
        }
        return new DeliveryResult(delivery.id(), outcomes, errors);
    }

    /** Metrics never fail a batch: its uploads are moderated whether or not the numbers about them got out. */
    private void flushMetrics() {
        try {
            metrics.flush();
        } catch (RuntimeException e) {
            log.error("metrics-flush-failed", Map.of("error", e.toString()));
        }
    }
}
