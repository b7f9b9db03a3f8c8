package dev.sentinel.scan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.queue.RescanRequests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
        int attempt = message.path("attributes").path("ApproximateReceiveCount").asInt(1);
        JsonNode body;
        try {
            body = Json.mapper().readTree(message.path("body").asText(""));
        } catch (JsonProcessingException e) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of("message " + id + " body is not JSON"), attempt);
        }
        if (body == null || !body.isObject()) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of("message " + id + " body is not an S3 notification"), attempt);
        }
        if (isS3TestEvent(body)) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of(), attempt);
        }
        if (RescanRequests.isRescan(body)) {
            return RescanRequests.parse(body)
                    .map(ref -> new Delivery(id, Delivery.Source.SQS, List.of(new ObjectEvent(ref, null, null,
                            RescanRequests.EVENT_NAME, Instant.now())), List.of(), attempt))
                    .orElseGet(() -> new Delivery(id, Delivery.Source.SQS, List.of(),
                            List.of("message " + id + " is a rescan request without bucket and key"), attempt));
        }
        JsonNode records = body.get("Records");
        if (records == null || !records.isArray()) {
            return new Delivery(id, Delivery.Source.SQS, List.of(), List.of("message " + id + " body has no Records array"), attempt);
        }
        List<ObjectEvent> events = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            readS3Record(records.get(i), "message " + id + " Records[" + i + "]", events, problems);
        }
        return new Delivery(id, Delivery.Source.SQS, events, problems, attempt);
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
            key = decodeKey(rawKey);
        } catch (IllegalArgumentException e) {
            problems.add(where + " has an object key that is not validly URL-encoded: " + e.getMessage());
            return;
        }
        if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > 1024) {
            problems.add(where + " has an object key outside S3's 1..1024 byte range");
            return;
        }
        String eTag = object.hasNonNull("eTag") ? ETag.unquoted(object.get("eTag").asText()) : null;
        Long size = object.hasNonNull("size") && object.get("size").canConvertToLong()
                ? object.get("size").asLong() : null;
        Instant time = null;
        if (record.hasNonNull("eventTime")) {
            try {
                time = Instant.parse(record.get("eventTime").asText());
            } catch (DateTimeParseException e) {
                // S3 writes an instant; moto writes a local time without a zone. The time decides nothing, and
                // refusing the record would leave its upload unjudged (and unreadable) for good: it stays unknown.
            }
        }
        String version = object.hasNonNull("versionId") ? object.get("versionId").asText() : null;
        events.add(new ObjectEvent(new ObjectRef(bucket, key, version), eTag, size, eventName, time));
    }

    /**
     * Undoes S3's form encoding of keys in notifications: {@code +} is a space, {@code %XX} a byte, and the bytes
     * must be UTF-8. Stricter than {@link java.net.URLDecoder}, which would turn bad UTF-8 into U+FFFD and so name
     * a different object.
     */
    static String decodeKey(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new IllegalArgumentException("'%' at " + i + " is not followed by two hex digits");
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("'%' at " + i + " is not followed by two hex digits");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else {
                int codePoint = raw.codePointAt(i);
                bytes.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint) - 1;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the decoded bytes are not UTF-8");
        }
    }

    private static boolean isS3TestEvent(JsonNode node) {
        return "s3:TestEvent".equals(node.path("Event").asText());
    }

    private static String idOf(JsonNode record, int index) {
        String id = record.path("messageId").asText("");
        return id.isEmpty() ? "record-" + index : id;
    }
}
