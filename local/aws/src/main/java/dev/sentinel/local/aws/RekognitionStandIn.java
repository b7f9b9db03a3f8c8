package dev.sentinel.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Stands in for the Amazon Rekognition service at the HTTP level. The real {@code RekognitionClient} posts
 * AWS JSON 1.1 requests ({@code X-Amz-Target: RekognitionService.<Operation>}) here and parses the replies,
 * so marshalling, error typing and SDK retries are exercised for real; only the model's judgement is scripted.
 *
 * <p>For S3Object images the stand-in reads the object itself through an optional reader, as the real service
 * would, so scripted answers can depend on the image content whichever way it was sent.
 *
 * <p>Face collections (IndexFaces, SearchFacesByImage, DeleteFaces and collection management) are not scripted: the
 * stand-in keeps them itself over the faces drawn into images ({@link MarkedFaces}), so an enrolment, a search and
 * an erasure behave as one service would. {@link #interceptCollections} lets a test make them fail.
 */
public final class RekognitionStandIn implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where an S3Object image lives, as named in the request. */
    public record S3Location(String bucket, String name, String version) { }

    /**
     * One request as the service received it.
     *
     * @param imageBytes  the image bytes (sent inline, or read through the S3 reader); null when unknown
     * @param imageSha256 hex SHA-256 of {@code imageBytes}, null when unknown
     */
    public record Request(String operation, JsonNode body, S3Location s3Object, byte[] imageBytes, String imageSha256) {
        public boolean sentAsBytes() {
            return body.path("Image").has("Bytes");
        }
    }

    /** A reply: HTTP status, JSON body and an optional delay before answering (to provoke client timeouts). */
    public record Reply(int status, String json, long delayMillis) {
        public Reply {
            Objects.requireNonNull(json, "json");
        }
    }

    /** A label as the service would describe it. */
    public record Label(String name, String parentName, int taxonomyLevel, double confidence) { }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Reply> oneShotReplies = new ConcurrentLinkedDeque<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Request, Reply> responder = request -> moderationLabels(List.of());
    private volatile Function<S3Location, byte[]> s3Reader = location -> null;
    private final FaceCollections collections = new FaceCollections();
    private volatile Function<Request, Reply> collectionInterceptor = request -> null;

    private RekognitionStandIn(HttpServer server) {
        this.server = server;
    }

    public static RekognitionStandIn start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            RekognitionStandIn standIn = new RekognitionStandIn(server);
            server.createContext("/", standIn::handle);
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "rekognition-stand-in");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException("Rekognition stand-in could not bind a loopback port", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Sets how every request is answered from now on (one-shot replies still come first). */
    public RekognitionStandIn respondWith(Function<Request, Reply> newResponder) {
        this.responder = Objects.requireNonNull(newResponder);
        return this;
    }

    /** Replies served, in order, to the next requests before the responder is asked again. */
    public RekognitionStandIn thenReply(Reply... replies) {
        oneShotReplies.addAll(List.of(replies));
        return this;
    }

    /** Lets the stand-in read S3Object images, as the real service reads them from S3. */
    public RekognitionStandIn readS3With(Function<S3Location, byte[]> reader) {
        this.s3Reader = Objects.requireNonNull(reader);
        return this;
    }

    /**
     * Answers face-collection requests with what {@code interceptor} returns instead, where it returns a reply (null:
     * the collection answers), e.g. a throttling SearchFacesByImage.
     */
    public RekognitionStandIn interceptCollections(Function<Request, Reply> interceptor) {
        this.collectionInterceptor = Objects.requireNonNull(interceptor);
        return this;
    }

    /** Faces indexed in the collection now (0 when it does not exist). */
    public int faceCount(String collectionId) {
        return collections.faceCount(collectionId);
    }

    /**
     * DetectFaces's answer for the faces drawn into {@code image} ({@link MarkedFaces}), each with this age range.
     */
    public static Reply markedFaces(byte[] image, int lowAge, int highAge) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode details = body.putArray("FaceDetails");
        for (MarkedFaces.Face face : MarkedFaces.find(image)) {
            ObjectNode detail = details.addObject();
            detail.putObject("BoundingBox").put("Width", face.widthRatio()).put("Height", face.heightRatio())
                    .put("Left", face.left()).put("Top", face.top());
            detail.putObject("AgeRange").put("Low", lowAge).put("High", highAge);
            detail.put("Confidence", 99.9);
        }
        return new Reply(200, body.toString(), 0);
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public long count(String operation) {
        return requests().stream().filter(r -> r.operation().equals(operation)).count();
    }

    /** Forgets recorded requests, pending one-shot replies and the responder. */
    public void reset() {
        requests.clear();
        oneShotReplies.clear();
        responder = request -> moderationLabels(List.of());
        s3Reader = location -> null;
        collectionInterceptor = request -> null;
    }

    public static Reply moderationLabels(List<Label> labels, String... contentTypes) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("ModerationLabels");
        for (Label label : labels) {
            array.addObject()
                    .put("Confidence", label.confidence())
                    .put("Name", label.name())
                    .put("ParentName", label.parentName())
                    .put("TaxonomyLevel", label.taxonomyLevel());
        }
        body.put("ModerationModelVersion", "7.0");
        ArrayNode types = body.putArray("ContentTypes");
        for (String type : contentTypes) {
            types.addObject().put("Confidence", 90.0).put("Name", type);
        }
        return new Reply(200, body.toString(), 0);
    }

    public static Reply faces(List<int[]> ageRanges) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode details = body.putArray("FaceDetails");
        for (int[] range : ageRanges) {
            ObjectNode face = details.addObject();
            face.putObject("AgeRange").put("Low", range[0]).put("High", range[1]);
            face.put("Confidence", 99.9);
            face.putObject("BoundingBox").put("Width", 0.2).put("Height", 0.3).put("Left", 0.4).put("Top", 0.2);
        }
        return new Reply(200, body.toString(), 0);
    }

    /** A typed service error, e.g. {@code error(400, "InvalidImageFormatException", "Request has invalid image format")}. */
    public static Reply error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("__type", type).put("Message", message);
        return new Reply(status, body.toString(), 0);
    }

    public static Reply throttling() {
        return error(400, "ThrottlingException", "Rate exceeded");
    }

    public static Reply serverError() {
        return error(500, "InternalServerError", "Internal server error");
    }

    public static Reply delayed(Reply reply, long millis) {
        return new Reply(reply.status(), reply.json(), millis);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            if (target == null || !target.startsWith("RekognitionService.")) {
                send(exchange, error(400, "UnknownOperationException", "missing or foreign X-Amz-Target"));
                return;
            }
            JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            Request request = describe(target.substring("RekognitionService.".length()), body);
            requests.add(request);
            Reply reply = oneShotReplies.pollFirst();
            if (reply == null && FaceCollections.OPERATIONS.contains(request.operation())) {
                reply = collectionInterceptor.apply(request);
                if (reply == null) {
                    reply = collections.answer(request);
                }
            }
            if (reply == null) {
                reply = responder.apply(request);
            }
            if (reply.delayMillis() > 0) {
                Thread.sleep(reply.delayMillis());
            }
            send(exchange, reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            send(exchange, error(500, "InternalServerError", "stand-in failed: " + e));
        }
    }

    private Request describe(String operation, JsonNode body) {
        JsonNode image = body.path("Image");
        S3Location location = null;
        byte[] bytes = null;
        if (image.has("Bytes")) {
            bytes = Base64.getDecoder().decode(image.get("Bytes").asText());
        } else if (image.has("S3Object")) {
            JsonNode s3 = image.get("S3Object");
            location = new S3Location(s3.path("Bucket").asText(), s3.path("Name").asText(),
                    s3.hasNonNull("Version") ? s3.get("Version").asText() : null);
            bytes = s3Reader.apply(location);
        }
        return new Request(operation, body, location, bytes, bytes == null ? null : sha256(bytes));
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] out = reply.json().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(reply.status(), out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
