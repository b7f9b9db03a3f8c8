package dev.sentinel.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.json.Json;
import dev.sentinel.objects.ObjectRef;
import java.util.Optional;

/**
 * Rescan requests travel through the scan queue like upload notifications, so the scan function does the work with
 * its own permissions, at its own capped concurrency, with the same retries and dead-letter queue. A request is a
 * message body {@code {"sentinelRescan":{"bucket":..,"key":..,"versionId":..}}}.
 */
public final class RescanRequests {

    /** The event name a rescan request carries inside the pipeline. */
    public static final String EVENT_NAME = "Sentinel:Rescan";
    static final String FIELD = "sentinelRescan";

    private RescanRequests() {
    }

    /** The queue message body asking to rescan {@code ref}. */
    public static String message(ObjectRef ref) {
        ObjectNode request = Json.mapper().createObjectNode();
        ObjectNode target = request.putObject(FIELD);
        target.put("bucket", ref.bucket());
        target.put("key", ref.key());
        if (ref.versionId() != null) {
            target.put("versionId", ref.versionId());
        }
        return request.toString();
    }

    /** Whether a queue message body is a rescan request rather than an S3 notification. */
    public static boolean isRescan(JsonNode body) {
        return body.has(FIELD);
    }

    /** The object a request names, or empty when it lacks a bucket or key. */
    public static Optional<ObjectRef> parse(JsonNode body) {
        JsonNode target = body.path(FIELD);
        String bucket = target.path("bucket").asText("");
        String key = target.path("key").asText("");
        if (bucket.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        String version = target.path("versionId").asText(null);
        return Optional.of(new ObjectRef(bucket, key, version));
    }
}
