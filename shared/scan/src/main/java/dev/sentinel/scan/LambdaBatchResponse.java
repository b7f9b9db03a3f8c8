package dev.sentinel.scan;

import java.util.List;
import java.util.Map;

/**
 * How a scan report is answered to Lambda. For SQS deliveries: the partial-batch response
 * ({@code batchItemFailures}, with {@code ReportBatchItemFailures} enabled on the event source) so only failed
 * messages are retried. For a direct S3 invocation there is no per-record reply: any failure fails the invocation,
 * and Lambda's asynchronous retries and on-failure destination take over (replays are safe: verdicts are
 * idempotent).
 */
public final class LambdaBatchResponse {

    private LambdaBatchResponse() {
    }

    public static Map<String, Object> of(List<Delivery> deliveries, ScanBatch.Report report) {
        boolean viaQueue = deliveries.stream().anyMatch(d -> d.source() == Delivery.Source.SQS);
        List<String> failed = report.failedIds();
        if (!viaQueue && !failed.isEmpty()) {
            List<String> errors = report.deliveries().stream().flatMap(d -> d.errors().stream()).toList();
            throw new ScanFailedException(failed.size() + " of " + deliveries.size() + " records failed: "
                    + String.join(" | ", errors), null);
        }
        return Map.of("batchItemFailures", failed.stream().map(id -> Map.of("itemIdentifier", id)).toList());
    }
}
