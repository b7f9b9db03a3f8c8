package dev.sentinel.scan;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    public Report run(List<Delivery> deliveries) {
        try {
            List<DeliveryResult> results = new ArrayList<>(deliveries.size());
            for (Delivery delivery : deliveries) {
                results.add(deliver(delivery));
            }
            return new Report(results);
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
