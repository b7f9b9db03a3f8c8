package dev.sentinel.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The sample events in the repository's {@code events/} folder, as the local runner and the tests replay them.
 * A sample names a bucket and key; before replaying it, the object is uploaded and the record is brought up to
 * date with the version, ETag and size the server gave it, exactly as S3 would have written them.
 */
public final class SampleEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An S3 record of a sample: bucket and key (decoded as S3 encodes keys in notifications). */
    public record ObjectMention(String bucket, String key) { }

    /** What the server says of the uploaded object. */
    public record ObjectFacts(String versionId, String eTag, long size) { }

    private SampleEvents() {
    }

    /** The {@code events/} folder: found from the working directory upwards, or from {@code sentinel.repo}. */
    public static Path directory() {
        String configured = System.getProperty("sentinel.repo");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isDirectory(dir.resolve("events"))) {
                return dir.resolve("events");
            }
        }
        throw new IllegalStateException("no events/ folder beside a template.yaml above " + start
                + "; run from the repository or set -Dsentinel.repo");
    }

    public static JsonNode load(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("sample event " + file + " is not readable JSON", e);
        }
    }

    public static JsonNode load(String name) {
        return load(directory().resolve(name));
    }

    /** Every object the event mentions, directly or inside SQS message bodies. Unreadable records are left out. */
    public static List<ObjectMention> mentions(JsonNode event) {
        List<ObjectMention> found = new ArrayList<>();
        forEachS3Record(event, record -> {
            String bucket = record.path("s3").path("bucket").path("name").asText("");
            String key = record.path("s3").path("object").path("key").asText("");
            if (!bucket.isEmpty() && !key.isEmpty()) {
                found.add(new ObjectMention(bucket, URLDecoder.decode(key, StandardCharsets.UTF_8)));
            }
            return record;
        });
        return found;
    }

    /** A copy of the event whose records carry the facts of the objects as uploaded. */
    public static JsonNode withFacts(JsonNode event, BiFunction<String, String, ObjectFacts> factsOf) {
        JsonNode copy = event.deepCopy();
        forEachS3Record(copy, record -> {
            JsonNode object = record.path("s3").path("object");
            String bucket = record.path("s3").path("bucket").path("name").asText("");
            String key = object.path("key").asText("");
            if (object.isObject() && !bucket.isEmpty() && !key.isEmpty()) {
                ObjectFacts facts = factsOf.apply(bucket, URLDecoder.decode(key, StandardCharsets.UTF_8));
                if (facts != null) {
                    ObjectNode o = (ObjectNode) object;
                    o.put("size", facts.size());
                    o.put("eTag", facts.eTag().replace("\"", ""));
                    if (facts.versionId() == null) {
                        o.remove("versionId");
                    } else {
                        o.put("versionId", facts.versionId());
                    }
                }
            }
            return record;
        });
        return copy;
    }

    /**
     * The notification S3 sends for one upload, delivered directly (as {@code sam local invoke -e} would): the
     * stand-in for the S3 notification the local servers do not send. The key is form-URL-encoded as S3 does.
     */
    public static JsonNode s3Put(String bucket, String key, ObjectFacts facts) {
        return s3Created("ObjectCreated:Put", bucket, key, facts);
    }

    /**
     * The notification S3 sends when an object version is created by {@code eventName}: {@code ObjectCreated:Put},
     * {@code ObjectCreated:Copy} (CopyObject), {@code ObjectCreated:CompleteMultipartUpload}, ...
     */
    public static JsonNode s3Created(String eventName, String bucket, String key, ObjectFacts facts) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject();
        record.put("eventVersion", "2.1").put("eventSource", "aws:s3").put("awsRegion", "us-east-1")
                .put("eventTime", java.time.Instant.now().toString()).put("eventName", eventName);
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0").put("configurationId", "sentinel-local");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode object = s3.putObject("object")
                .put("key", java.net.URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", facts.size()).put("eTag", facts.eTag().replace("\"", ""));
        if (facts.versionId() != null) {
            object.put("versionId", facts.versionId());
        }
        return event;
    }

    /**
     * An SQS batch as Lambda's event source mapping hands it over: each S3 notification is one message body, with
     * its message id and receive count ({@code ApproximateReceiveCount}, from 1).
     */
    public static JsonNode sqsBatch(List<QueuedNotification> messages) {
        ObjectNode event = JSON.createObjectNode();
        var records = event.putArray("Records");
        for (QueuedNotification message : messages) {
            ObjectNode record = records.addObject();
            record.put("messageId", message.messageId()).put("body", message.notification().toString());
            record.putObject("attributes").put("ApproximateReceiveCount", Integer.toString(message.receiveCount()));
            record.put("eventSource", "aws:sqs").put("awsRegion", "us-east-1");
        }
        return event;
    }

    /** An S3 notification waiting in the scan queue, received {@code receiveCount} times so far with this one. */
    public record QueuedNotification(String messageId, JsonNode notification, int receiveCount) { }

    /** Visits each S3 record; SQS bodies are parsed, visited and written back. */
    private static void forEachS3Record(JsonNode event, java.util.function.UnaryOperator<JsonNode> visit) {
        for (JsonNode record : event.path("Records")) {
            if ("aws:sqs".equals(record.path("eventSource").asText())) {
                JsonNode body;
                try {
                    body = JSON.readTree(record.path("body").asText(""));
                } catch (IOException notJson) {
                    continue;
                }
                if (body == null || !body.isObject()) {
                    continue;
                }
                for (JsonNode inner : body.path("Records")) {
                    visit.apply(inner);
                }
                ((ObjectNode) record).put("body", body.toString());
            } else {
                visit.apply(record);
            }
        }
    }
}
