package dev.sentinel.scan;

import dev.sentinel.log.StructuredLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scans every upload of an invocation, each delivery on its own: one that fails is reported by id so the platform
 * retries only it, and the others are not held back by it.
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

    public ScanBatch(ScanService scans, StructuredLog log) {
        this.scans = scans;
        this.log = log;
    }

    /** See {@link ScanService#prime()}. */
    public void prime() {
        scans.prime();
    }

    public Report run(List<Delivery> deliveries) {
        List<DeliveryResult> results = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            List<ScanOutcome> outcomes = new ArrayList<>();
            List<String> errors = new ArrayList<>(delivery.problems());
            for (ObjectEvent event : delivery.events()) {
                try {
                    outcomes.add(scans.scan(event, delivery.attempt()));
                } catch (ScanFailedException e) {
                    errors.add(e.getMessage());
                }
            }
            if (!errors.isEmpty()) {
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("deliveryId", delivery.id());
                fields.put("errors", errors);
                log.error("delivery-failed", fields);
            }
            results.add(new DeliveryResult(delivery.id(), outcomes, errors));
        }
        return new Report(results);
    }
}
