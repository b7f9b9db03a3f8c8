package dev.sentinel.local.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An HTTP proxy on loopback in front of a local server that answers some requests itself with the errors the real
 * service sends under load (DynamoDB's throttling, say) and passes the rest through byte for byte. The SDK sees the
 * fault on the wire, exactly as from AWS, and its own retry logic is what gets tested.
 */
public final class FaultProxy implements AutoCloseable {

    /** A reply the proxy gives instead of forwarding. */
    public record Fault(int status, Map<String, String> headers, String body) { }

    /** A request as the proxy received it: the operation an AWS JSON protocol names in X-Amz-Target, and the body. */
    public record Request(String target, byte[] body) {
        /** The operation, e.g. {@code BatchWriteItem} for {@code DynamoDB_20120810.BatchWriteItem}. */
        public String operation() {
            return target == null ? "" : target.substring(target.indexOf('.') + 1);
        }
    }

    /** Headers the JDK client sets itself and refuses to be given. */
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "transfer-encoding", "keep-alive");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final URI target;
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong faulted = new AtomicLong();
    private volatile Function<Request, Fault> faults = request -> null;

    private FaultProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "fault-proxy");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy forwarding everything to {@code target} until told to inject faults. */
    public static FaultProxy inFrontOf(URI target) {
        try {
            return new FaultProxy(target);
        } catch (IOException e) {
            throw new IllegalStateException("the fault proxy could not listen on loopback", e);
        }
    }

    /** Where clients should send their requests. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Each request asks {@code next} for a fault; null means forward it. */
    public void injecting(Supplier<Fault> next) {
        faults = next == null ? request -> null : request -> next.get();
    }

    /** Each request is shown to {@code next}, which answers it with a fault or null to forward it. */
    public void injectingFor(Function<Request, Fault> next) {
        faults = next == null ? request -> null : next;
    }

    public long forwarded() {
        return forwarded.get();
    }

    public long faulted() {
        return faulted.get();
    }

    /** What DynamoDB answers when a table's throughput is exceeded: HTTP 400 with a retryable error type. */
    public static Fault dynamoThrottling() {
        return dynamoError(400, "ProvisionedThroughputExceededException",
                "The level of configured provisioned throughput for the table was exceeded.");
    }

    /** DynamoDB's answer when it has an internal problem: HTTP 500, retryable. */
    public static Fault dynamoInternalError() {
        return dynamoError(500, "InternalServerError", "Internal server error");
    }

    /**
     * DynamoDB's answer to a BatchWriteItem it took none of, under throttling: HTTP 200 whose
     * {@code UnprocessedItems} are all the request's items, for the caller to send again.
     */
    public static Fault dynamoNothingProcessed(byte[] batchWriteItemRequest) {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            com.fasterxml.jackson.databind.JsonNode items = json.readTree(batchWriteItemRequest).get("RequestItems");
            if (items == null) {
                throw new IllegalArgumentException("not a BatchWriteItem request: no RequestItems");
            }
            return new Fault(200, Map.of("Content-Type", "application/x-amz-json-1.0"),
                    json.createObjectNode().set("UnprocessedItems", items).toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON request body", e);
        }
    }

    private static Fault dynamoError(int status, String type, String message) {
        return new Fault(status, Map.of("Content-Type", "application/x-amz-json-1.0", "x-amzn-ErrorType", type),
                "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + type + "\",\"message\":\"" + message + "\"}");
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Fault fault = faults.apply(new Request(exchange.getRequestHeaders().getFirst("X-Amz-Target"), body));
            if (fault != null) {
                faulted.incrementAndGet();
                byte[] bytes = fault.body().getBytes(StandardCharsets.UTF_8);
                fault.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
                exchange.sendResponseHeaders(fault.status(), bytes.length == 0 ? -1 : bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
                return;
            }
            forwarded.incrementAndGet();
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                // The server behind is down: close without an answer, as a dead server's port would.
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] bytes = response.body();
            exchange.sendResponseHeaders(response.statusCode(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
