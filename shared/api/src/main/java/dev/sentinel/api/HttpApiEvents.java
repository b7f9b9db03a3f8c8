package dev.sentinel.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.cases.Actor;
import dev.sentinel.json.Json;
import dev.sentinel.log.Invocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * API Gateway HTTP API events (payload format 2.0) to {@link ApiRequest}, and {@link ApiResponse} back to the
 * response format, read and written as JSON so the functions need no event classes.
 */
public final class HttpApiEvents {

    /** Lambda's limit on a synchronous request payload; API Gateway refuses anything larger before we see it. */
    public static final int MAX_BODY_CHARS = 6 * 1024 * 1024;

    private HttpApiEvents() {
    }

    public static ApiRequest parse(InputStream in) {
        return parse(readEvent(in));
    }

    private static JsonNode readEvent(InputStream in) {
        try {
            return Json.mapper().readTree(in);
        } catch (IOException e) {
            throw ApiProblem.badRequest("the event is not valid JSON");
        }
    }

    /** EventBridge's scheduled event, which API functions with a periodic check also receive. */
    static boolean isScheduled(JsonNode event) {
        return event != null && "aws.events".equals(event.path("source").asText())
                && "Scheduled Event".equals(event.path("detail-type").asText());
    }

    private static ApiRequest parse(JsonNode event) {
        if (event == null || !event.isObject() || !event.path("routeKey").isTextual()) {
            throw ApiProblem.badRequest("the event is not an HTTP API (payload 2.0) request");
        }
        String body = event.hasNonNull("body") ? event.get("body").asText() : null;
        if (body != null && body.length() > MAX_BODY_CHARS) {
            throw ApiProblem.tooLarge("the request body exceeds Lambda's 6 MB payload limit; upload the image to the "
                    + "uploads bucket and send an S3 reference instead");
        }
        if (body != null && event.path("isBase64Encoded").asBoolean(false)) {
            try {
                body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("the body is marked base64-encoded but is not valid base64");
            }
        }
        JsonNode claims = event.path("requestContext").path("authorizer").path("jwt").path("claims");
        String subject = claims.path("sub").asText("");
        Actor caller = new Actor(subject, groups(claims.path("cognito:groups")));
        return new ApiRequest(event.get("routeKey").asText(), strings(event.path("pathParameters")),
                strings(event.path("queryStringParameters")), body, caller);
    }

    public static void write(ApiResponse response, OutputStream out) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("statusCode", response.status());
        ObjectNode headers = json.putObject("headers");
        headers.put("content-type", response.contentType());
        headers.put("cache-control", "no-store");
        headers.put("x-content-type-options", "nosniff");
        response.headers().forEach(headers::put);
        json.put("body", response.body());
        json.put("isBase64Encoded", false);
        Json.mapper().writeValue(out, json);
    }

    /** Parses the event, routes it, and writes the answer; a malformed event gets a problem, not an exception. */
    public static void respond(InputStream in, OutputStream out, Router router) throws IOException {
        respond(in, out, router, null);
    }

    /**
     * As {@link #respond(InputStream, OutputStream, Router)}, except that a scheduled event runs {@code scheduled}
     * (the function's periodic check) instead of being refused as a malformed request.
     */
    public static void respond(InputStream in, OutputStream out, Router router, Runnable scheduled)
            throws IOException {
        ApiResponse response;
        try {
            JsonNode event = readEvent(in);
            if (scheduled != null && isScheduled(event)) {
                scheduled.run();
                out.write("{\"scheduled\":\"done\"}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            response = router.handle(parse(event));
        } catch (ApiProblem problem) {
            response = ApiResponse.problem(problem);
        }
        write(response, out);
    }

    /**
     * As {@link #respond(InputStream, OutputStream, Router, Runnable)}, as one invocation: every line logged while
     * answering carries {@code requestId} (from the handler's Lambda context; null without one).
     */
    public static void respond(InputStream in, OutputStream out, Router router, Runnable scheduled, String requestId)
            throws IOException {
        try (Invocation invocation = Invocation.begin(requestId)) {
            respond(in, out, router, scheduled);
        }
    }

    /** Cognito groups arrive as a JSON array, or flattened by the authorizer into a string like "[a b]". */
    static List<String> groups(JsonNode node) {
        List<String> groups = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(g -> groups.add(g.asText()));
        } else if (node.isTextual()) {
            String text = node.asText().trim();
            if (text.startsWith("[") && text.endsWith("]")) {
                text = text.substring(1, text.length() - 1);
            }
            for (String part : text.split("[\\s,]+")) {
                if (!part.isBlank()) {
                    groups.add(part.replace("\"", ""));
                }
            }
        }
        return groups;
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> map = new HashMap<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }
}
