package dev.sentinel.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.objects.ObjectRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads S3 event notifications, delivered directly ({@code eventSource aws:s3}) or wrapped in SQS messages
 * ({@code aws:sqs}, the production path), into {@link Delivery deliveries}. A broken record spoils only its own
 * delivery, never its neighbours.
 *
 * <p>S3 writes object keys in notifications form-URL-encoded: {@code +} is a space and {@code %2B} a plus sign.
 */
public final class S3Notifications {

    private S3Notifications() {
    }

    public static List<Delivery> parse(InputStream json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("the event is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedEventException("the event could not be read: " + e.getMessage(), e);
        }
        return parse(root);
    }

    public static List<Delivery> parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new MalformedEventException("the event must be a JSON object with a Records array");
        }
        JsonNode records = root.get("Records");
        if (records == null || !records.isArray()) {
            if (isS3TestEvent(root)) {
                return List.of();
            }
            throw new MalformedEventException("the event has no Records array: not an S3 or SQS notification");
        }
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            String source = record.path("eventSource").asText("");
            if ("aws:sqs".equals(source)) {
                deliveries.add(fromSqsMessage(record, i));
            } else if ("aws:s3".equals(source)) {
                List<ObjectEvent> events = new ArrayList<>();
                List<String> problems = new ArrayList<>();
                readS3Record(record, "Records[" + i + "]", events, problems);
                deliveries.add(new Delivery("record-" + i, Delivery.Source.S3, events, problems));
            } else {
                deliveries.add(new Delivery(idOf(record, i), Delivery.Source.S3, List.of(),
                        List.of("Records[" + i + "] has eventSource '" + source + "', expected aws:s3 or aws:sqs")));
            }
        }
        return deliveries;
    }

    private static Delivery fromSqsMessage(JsonNode message, int index) {
        String id = idOf(message, index);
        JsonNode body;
        try {
            body = Json.mapper().readTree(message.path("body").asText(""));
        } catch (JsonProcessingException e) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of("message " + id + " body is not JSON"));
        }
        if (body == null || !body.isObject()) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of("message " + id + " body is not an S3 notification"));
        }
        if (isS3TestEvent(body)) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of());
        }
        JsonNode records = body.get("Records");
        if (records == null || !records.isArray()) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of("message " + id + " body has no Records array"));
        }
        List<ObjectEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            readS3Record(records.get(i), "message " + id + " Records[" + i + "]", events, problems);
        }
        return new Delivery(id, Delivery.Source.SQS, events, problems);
    }

    private static void readS3Record(JsonNode record, String where, List<ObjectEvent> events, List<String> problems) {
        String eventName = record.path("eventName").asText(null);
        JsonNode s3 = record.path("s3");
        String bucket = s3.path("bucket").path("name").asText("");
        JsonNode object = s3.path("object");
        String rawKey = object.path("key").asText("");
        if (bucket.isEmpty() || rawKey.isEmpty()) {
            problems.add(where + " lacks s3.bucket.name or s3.object.key");
            return;
        }
        String key;
        try {
            key = URLDecoder.decode(rawKey, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            problems.add(where + " has an object key that is not validly URL-encoded");
            return;
        }
        if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            problems.add(where + " has an object key outside S3's 1..1024 byte range");
            return;
        }
        String eTag = object.hasNonNull("eTag") ? object.get("eTag").asText().replace("\"", "") : null;
        Long size = object.hasNonNull("size") && object.get("size").canConvertToLong()
                ? object.get("size").asLong() : null;
        Instant time = null;
        if (record.hasNonNull("eventTime")) {
            try {
                time = Instant.parse(record.get("eventTime").asText());
            } catch (DateTimeParseException e) {
                problems.add(where + " has an eventTime that is not an ISO-8601 instant");
                return;
            }
        }
        String version = object.hasNonNull("versionId") ? object.get("versionId").asText() : null;
        events.add(new ObjectEvent(new ObjectRef(bucket, key, version), eTag, size, eventName, time));
    }

    private static boolean isS3TestEvent(JsonNode node) {
        return "s3:TestEvent".equals(node.path("Event").asText());
    }

    private static String idOf(JsonNode record, int index) {
        String id = record.path("messageId").asText("");
        return id.isEmpty() ? "record-" + index : id;
    }
}
