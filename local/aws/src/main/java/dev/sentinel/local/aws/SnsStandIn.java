package dev.sentinel.local.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Stands in for Amazon SNS at the HTTP level, for Publish, Subscribe and Unsubscribe: the real {@code SnsClient}
 * posts AWS Query requests (form-encoded {@code Action=Publish&TopicArn=...&MessageAttributes.entry.N...}) here and
 * parses the XML reply, so what a function publishes is recorded exactly as SNS would receive it. A publish is
 * delivered (recorded per endpoint, sent nowhere) to each subscription of its topic whose filter policy on message
 * attributes matches; exact string lists are the only filter understood. Subscriptions count as confirmed.
 */
public final class SnsStandIn implements AutoCloseable {

    /** One message as SNS received it, with its message attributes' string values. */
    public record Published(String topicArn, String subject, String message, Map<String, String> attributes) { }

    /** One subscription as SNS accepted it; {@code filter} maps an attribute to the values it accepts. */
    public record Subscription(String arn, String topicArn, String protocol, String endpoint,
                               Map<String, List<String>> filter) {

        boolean accepts(Published message) {
            return message.topicArn().equals(topicArn) && filter.entrySet().stream().allMatch(f ->
                    message.attributes().containsKey(f.getKey())
                            && f.getValue().contains(message.attributes().get(f.getKey())));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Published> published = Collections.synchronizedList(new ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, List<Published>> deliveries = new ConcurrentHashMap<>();

    private SnsStandIn(HttpServer server) {
        this.server = server;
    }

    public static SnsStandIn start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            SnsStandIn standIn = new SnsStandIn(server);
            server.createContext("/", standIn::handle);
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "sns-stand-in");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return standIn;
        } catch (IOException e) {
            throw new UncheckedIOException("SNS stand-in could not bind a loopback port", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Everything published so far, in order. */
    public List<Published> published() {
        synchronized (published) {
            return List.copyOf(published);
        }
    }

    /** The next {@code count} requests are answered with SNS's internal error (500), after the SDK's retries too. */
    public SnsStandIn failNext(int count) {
        failures.set(count);
        return this;
    }

    /** What was published to {@code topicArn}. */
    public List<Published> publishedTo(String topicArn) {
        return published().stream().filter(p -> p.topicArn().equals(topicArn)).toList();
    }

    /** The subscriptions in force now. */
    public List<Subscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /** What was delivered to {@code endpoint} (an e-mail address, phone number or URL), in order. */
    public List<Published> deliveredTo(String endpoint) {
        List<Published> received = deliveries.get(endpoint);
        if (received == null) {
            return List.of();
        }
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getResponseHeaders().set("Content-Type", "text/xml");
                byte[] out = ("<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>stand-in "
                        + "failure</Message></Error></ErrorResponse>").getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(500, out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
                return;
            }
            if ("Subscribe".equals(form.get("Action"))) {
                subscribe(exchange, form);
                return;
            }
            if ("Unsubscribe".equals(form.get("Action"))) {
                String arn = form.get("SubscriptionArn");
                if (arn == null || subscriptions.remove(arn) == null) {
                    send(exchange, 404, error("NotFound", "no such subscription"));
                    return;
                }
                send(exchange, 200, "<UnsubscribeResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                        + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>"
                        + "</UnsubscribeResponse>");
                return;
            }
            if (!"Publish".equals(form.get("Action"))) {
                send(exchange, 400, error("InvalidAction", "the stand-in answers Publish, Subscribe and Unsubscribe "
                        + "only"));
                return;
            }
            String topic = form.get("TopicArn");
            String message = form.get("Message");
            if (topic == null || message == null || message.isEmpty()) {
                send(exchange, 400, error("InvalidParameter", "TopicArn and Message are required"));
                return;
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (int i = 1; form.containsKey("MessageAttributes.entry." + i + ".Name"); i++) {
                attributes.put(form.get("MessageAttributes.entry." + i + ".Name"),
                        form.get("MessageAttributes.entry." + i + ".Value.StringValue"));
            }
            Published received = new Published(topic, form.get("Subject"), message, Map.copyOf(attributes));
            published.add(received);
            for (Subscription subscription : subscriptions.values()) {
                if (subscription.accepts(received)) {
                    deliveries.computeIfAbsent(subscription.endpoint(),
                            e -> Collections.synchronizedList(new ArrayList<>())).add(received);
                }
            }
            send(exchange, 200, "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
                    + "<MessageId>" + UUID.randomUUID() + "</MessageId></PublishResult><ResponseMetadata><RequestId>"
                    + UUID.randomUUID() + "</RequestId></ResponseMetadata></PublishResponse>");
        }
    }

    private void subscribe(HttpExchange exchange, Map<String, String> form) throws IOException {
        String topic = form.get("TopicArn");
        String protocol = form.get("Protocol");
        String endpoint = form.get("Endpoint");
        if (topic == null || protocol == null || endpoint == null || endpoint.isEmpty()) {
            send(exchange, 400, error("InvalidParameter", "TopicArn, Protocol and Endpoint are required"));
            return;
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        for (int i = 1; form.containsKey("Attributes.entry." + i + ".key"); i++) {
            attributes.put(form.get("Attributes.entry." + i + ".key"), form.get("Attributes.entry." + i + ".value"));
        }
        String scope = attributes.getOrDefault("FilterPolicyScope", "MessageAttributes");
        Map<String, List<String>> filter = new LinkedHashMap<>();
        try {
            if (!scope.equals("MessageAttributes")) {
                throw new IllegalArgumentException("the stand-in filters on MessageAttributes only");
            }
            if (attributes.containsKey("FilterPolicy")) {
                JsonNode policy = JSON.readTree(attributes.get("FilterPolicy"));
                policy.fields().forEachRemaining(f -> {
                    List<String> values = new ArrayList<>();
                    f.getValue().forEach(v -> {
                        if (!v.isTextual()) {
                            throw new IllegalArgumentException("only exact string values are understood");
                        }
                        values.add(v.asText());
                    });
                    filter.put(f.getKey(), List.copyOf(values));
                });
            }
        } catch (IOException | IllegalArgumentException e) {
            send(exchange, 400, error("InvalidParameter", "Invalid parameter: FilterPolicy: " + e.getMessage()));
            return;
        }
        String arn = topic + ":" + UUID.randomUUID();
        subscriptions.put(arn, new Subscription(arn, topic, protocol, endpoint, Map.copyOf(filter)));
        // As SNS: e-mail and https endpoints must confirm, so their ARN is only returned when asked for.
        boolean pending = (protocol.equals("email") || protocol.startsWith("http"))
                && !"true".equals(form.get("ReturnSubscriptionArn"));
        send(exchange, 200, "<SubscribeResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><SubscribeResult>"
                + "<SubscriptionArn>" + (pending ? "pending confirmation" : arn) + "</SubscriptionArn>"
                + "</SubscribeResult><ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId>"
                + "</ResponseMetadata></SubscribeResponse>");
    }

    private static String error(String code, String message) {
        return "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>"
                + code + "</Code><Message>" + message + "</Message></Error><RequestId>" + UUID.randomUUID()
                + "</RequestId></ErrorResponse>";
    }

    private static void send(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] out = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml");
        exchange.sendResponseHeaders(status, out.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
