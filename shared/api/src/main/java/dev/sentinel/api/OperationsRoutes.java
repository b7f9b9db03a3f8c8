package dev.sentinel.api;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.queue.DeadLetterRedrive;
import dev.sentinel.queue.PrefixRescan;
import dev.sentinel.queue.QueuedRescans;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Admins replay the scan dead-letter queue and rescan a prefix after a policy change. Both only put messages on the
 * scan queue; the scan function does the work at its capped concurrency, with its retries and dead-letter queue.
 */
public final class OperationsRoutes {

    /** Largest page one request lists and enqueues, well inside the API's 29-second limit. */
    static final int MAX_PAGE = 1000;

    /**
     * @param cursor where the previous call stopped ({@code nextCursor}); absent to start
     * @param limit  objects to enqueue in this call, 1 to 1000 (default 500)
     */
    public record RescanRequest(String bucket, String prefix, String cursor, Integer limit) { }

    /** @param maxPerSecond velocity cap for the move, 1 to 500 (absent for SQS's default) */
    public record RedriveRequest(Integer maxPerSecond) { }

    private final ScanSettings scan;
    private final ObjectStore objects;
    private final SqsClient sqs;
    private final String scanQueueUrl;
    private final DeadLetterRedrive redrive;

    public OperationsRoutes(ScanSettings scan, ObjectStore objects, SqsClient sqs, String scanQueueUrl,
                            String deadLetterQueueUrl) {
        this.scan = scan;
        this.objects = objects;
        this.sqs = sqs;
        this.scanQueueUrl = scanQueueUrl;
        this.redrive = new DeadLetterRedrive(sqs, deadLetterQueueUrl, scanQueueUrl);
    }

    public Router register(Router router) {
        return router
                .add("POST /admin/rescans", List.of(Groups.ADMIN), this::rescan)
                .add("POST /admin/redrives", List.of(Groups.ADMIN), this::startRedrive)
                .add("GET /admin/redrives", List.of(Groups.ADMIN), this::redrives);
    }

    private ApiResponse rescan(ApiRequest request) {
        RescanRequest body = Router.body(request, RescanRequest.class);
        String bucket = Inputs.bucket(body.bucket());
        if (!scan.scans(bucket)) {
            throw ApiProblem.badRequest("bucket " + bucket + " is not an uploads bucket of this deployment");
        }
        String prefix = body.prefix() == null ? "" : body.prefix();
        if (!prefix.isEmpty()) {
            Inputs.key(prefix);
        }
        int limit = body.limit() == null ? 500 : body.limit();
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiProblem.badRequest("limit must be from 1 to " + MAX_PAGE);
        }
        QueuedRescans queued = new QueuedRescans(sqs, scanQueueUrl);
        PrefixRescan.Page page;
        try {
            page = new PrefixRescan(objects, scan.quarantineBucket()).page(bucket, prefix, body.cursor(), limit,
                    queued);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(e.getMessage());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("enqueued", queued.sent());
        result.put("complete", page.complete());
        result.put("nextCursor", page.nextCursor());
        return ApiResponse.json(202, result);
    }

    private ApiResponse startRedrive(ApiRequest request) {
        RedriveRequest body = request.body() == null || request.body().isBlank() ? new RedriveRequest(null)
                : Router.body(request, RedriveRequest.class);
        if (body.maxPerSecond() != null && (body.maxPerSecond() < 1 || body.maxPerSecond() > 500)) {
            throw ApiProblem.badRequest("maxPerSecond must be from 1 to 500");
        }
        long depth = redrive.depth();
        if (depth == 0) {
            throw ApiProblem.conflict("the dead-letter queue is empty; nothing to redrive");
        }
        if (redrive.tasks().stream().anyMatch(t -> !t.finished())) {
            throw ApiProblem.conflict("a redrive is already running; see GET /admin/redrives");
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("depth", depth);
        result.put("task", redrive.start(body.maxPerSecond()));
        return ApiResponse.json(202, result);
    }

    private ApiResponse redrives(ApiRequest request) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("depth", redrive.depth());
        result.put("tasks", redrive.tasks());
        return ApiResponse.json(200, result);
    }
}
