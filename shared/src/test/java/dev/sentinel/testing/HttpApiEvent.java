package dev.sentinel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.json.Json;
import dev.sentinel.local.iam.SamTransform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP API request (payload format 2.0) as API Gateway hands it to a function, built from one of the routes the
 * deployed API has: those of template.yaml as the SAM translator turns them into the API's definition. So a route
 * the template does not have, or a path value API Gateway could not route, fails here rather than in AWS.
 *
 * <p>As API Gateway does: the raw path carries the values percent-encoded as a client sends them (a greedy
 * parameter's slashes stay slashes); {@code pathParameters} carry them decoded, named without the greedy {@code +}
 * ({@code {key+}} arrives as {@code key}); the JWT authorizer's claims carry the caller, its groups flattened to
 * {@code "[a b]"}. Immutable: each {@code with} method returns a new request.
 */
public final class HttpApiEvent {

    private static final Pattern PARAMETER = Pattern.compile("\\{([A-Za-z0-9_]+)(\\+?)}");
    private static Map<String, Route> routes;

    /** A route of the deployed API: method, path template, and whether the JWT authorizer guards it. */
    private record Route(String method, String path, boolean authorized) {
        String key() {
            return method + " " + path;
        }
    }

    private final Route route;
    private final List<String> pathValues;
    private final Map<String, String> query;
    private final String body;
    private final String subject;
    private final List<String> groups;

    private HttpApiEvent(Route route, List<String> pathValues, Map<String, String> query, String body, String subject,
                         List<String> groups) {
        this.route = route;
        this.pathValues = List.copyOf(pathValues);
        this.query = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(query));
        this.body = body;
        this.subject = subject;
        this.groups = groups == null ? null : List.copyOf(groups);
    }

    /**
     * A request to {@code routeKey} (e.g. {@code GET /verdicts/{bucket}/{key+}}) with the path's values in the
     * order the template names them.
     */
    public static HttpApiEvent of(String routeKey, String... pathValues) {
        Route route = routes().get(routeKey);
        if (route == null) {
            throw new IllegalArgumentException("the deployed API has no route " + routeKey + "; its routes are "
                    + routes().keySet());
        }
        List<String> names = parameters(route.path());
        if (names.size() != pathValues.length) {
            throw new IllegalArgumentException(routeKey + " takes " + names.size() + " path values, not "
                    + pathValues.length);
        }
        HttpApiEvent event = new HttpApiEvent(route, List.of(pathValues), Map.of(), null, null, null);
        event.rawPath();
        return event;
    }

    /** The route keys of the deployed API. */
    public static java.util.Set<String> routeKeys() {
        return routes().keySet();
    }

    /**
     * The path values API Gateway would take from {@code rawPath} for {@code routeKey}, decoded; empty when the
     * route does not match the path.
     */
    public static Optional<List<String>> match(String routeKey, String rawPath) {
        Route route = routes().get(routeKey);
        if (route == null) {
            return Optional.empty();
        }
        StringBuilder regex = new StringBuilder();
        Matcher parameter = PARAMETER.matcher(route.path());
        int at = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(route.path().substring(at, parameter.start())))
                    .append(parameter.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            at = parameter.end();
        }
        regex.append(Pattern.quote(route.path().substring(at)));
        Matcher match = Pattern.compile(regex.toString()).matcher(rawPath);
        if (!match.matches()) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= match.groupCount(); i++) {
            values.add(URLDecoder.decode(match.group(i).replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return Optional.of(values);
    }

    /** The caller as the JWT authorizer describes it: the token's subject and its Cognito groups. */
    public HttpApiEvent by(String callerSubject, String... callerGroups) {
        return new HttpApiEvent(route, pathValues, query, body, callerSubject, List.of(callerGroups));
    }

    /** With a query string parameter added (or replaced). */
    public HttpApiEvent query(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(query);
        more.put(name, value);
        return new HttpApiEvent(route, pathValues, more, body, subject, groups);
    }

    /** With a body: a string as it is, anything else written as JSON. */
    public HttpApiEvent body(Object content) {
        String text;
        try {
            text = content instanceof String s ? s : Json.mapper().writeValueAsString(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HttpApiEvent(route, pathValues, query, text, subject, groups);
    }

    /** The event as the function receives it. */
    public ObjectNode json() {
        if (route.authorized() && subject == null) {
            throw new IllegalStateException(route.key() + " is behind the JWT authorizer, which refuses a request "
                    + "without a token before any function sees it: say who calls with by(...)");
        }
        String rawPath = rawPath();
        String rawQuery = rawQuery();
        ObjectNode event = Json.mapper().createObjectNode();
        event.put("version", "2.0");
        event.put("routeKey", route.key());
        event.put("rawPath", rawPath);
        event.put("rawQueryString", rawQuery);
        ObjectNode headers = event.putObject("headers");
        headers.put("accept", "application/json");
        headers.put("host", "abcdef1234.execute-api.us-east-1.amazonaws.com");
        headers.put("user-agent", "sentinel-test/1.0");
        headers.put("x-forwarded-proto", "https");
        if (body != null) {
            headers.put("content-type", "application/json");
        }
        if (subject != null) {
            headers.put("authorization", "Bearer eyJraWQiOiJ0ZXN0In0.test.signature");
        }
        if (!query.isEmpty()) {
            ObjectNode parameters = event.putObject("queryStringParameters");
            query.forEach(parameters::put);
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "123456789012");
        context.put("apiId", "abcdef1234");
        if (subject != null) {
            ObjectNode jwt = context.putObject("authorizer").putObject("jwt");
            ObjectNode claims = jwt.putObject("claims");
            claims.put("sub", subject);
            // The authorizer flattens array claims into one string.
            claims.put("cognito:groups", "[" + String.join(" ", groups) + "]");
            claims.put("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE");
            claims.put("token_use", "access");
            claims.put("username", subject);
            jwt.putArray("scopes");
        }
        context.put("domainName", "abcdef1234.execute-api.us-east-1.amazonaws.com");
        context.put("domainPrefix", "abcdef1234");
        ObjectNode http = context.putObject("http");
        http.put("method", route.method());
        http.put("path", rawPath);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "203.0.113.10");
        http.put("userAgent", "sentinel-test/1.0");
        context.put("requestId", "test-" + Integer.toHexString(System.identityHashCode(this)));
        context.put("routeKey", route.key());
        context.put("stage", "$default");
        context.put("timeEpoch", System.currentTimeMillis());
        List<String> names = parameters(route.path());
        if (!names.isEmpty()) {
            ObjectNode parameters = event.putObject("pathParameters");
            for (int i = 0; i < names.size(); i++) {
                parameters.put(names.get(i), pathValues.get(i));
            }
        }
        event.put("isBase64Encoded", false);
        if (body != null) {
            event.put("body", body);
        }
        return event;
    }

    /** The path template with each value percent-encoded; a value the route could not match is refused. */
    private String rawPath() {
        StringBuilder path = new StringBuilder();
        Matcher parameter = PARAMETER.matcher(route.path());
        int at = 0;
        int i = 0;
        while (parameter.find()) {
            path.append(route.path(), at, parameter.start());
            String value = pathValues.get(i++);
            boolean greedy = !parameter.group(2).isEmpty();
            if (value == null || value.isEmpty() || (!greedy && value.contains("/"))) {
                throw new IllegalArgumentException("API Gateway cannot route " + route.key() + " with "
                        + parameter.group(1) + " = '" + value + "': a path parameter is never empty and only a "
                        + "greedy one spans slashes");
            }
            List<String> segments = new ArrayList<>();
            for (String segment : value.split("/", -1)) {
                segments.add(encode(segment));
            }
            path.append(String.join("/", segments));
            at = parameter.end();
        }
        return path.append(route.path().substring(at)).toString();
    }

    private String rawQuery() {
        List<String> pairs = new ArrayList<>();
        query.forEach((name, value) -> pairs.add(encode(name) + "=" + encode(value)));
        return String.join("&", pairs);
    }

    /** Percent-encodes all but RFC 3986's unreserved characters, as careful clients do. */
    static String encode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.write(c);
            } else {
                out.writeBytes(String.format(Locale.ROOT, "%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** Path parameter names as API Gateway names them in the event: a greedy one without its {@code +}. */
    static List<String> parameters(String path) {
        List<String> names = new ArrayList<>();
        Matcher parameter = PARAMETER.matcher(path);
        while (parameter.find()) {
            names.add(parameter.group(1));
        }
        return names;
    }

    private static synchronized Map<String, Route> routes() {
        if (routes == null) {
            Map<String, Route> found = new LinkedHashMap<>();
            JsonNode resources = SamTransform.repositoryTemplate().path("Resources");
            resources.forEach(resource -> {
                if (resource.path("Type").asText().equals("AWS::ApiGatewayV2::Api")) {
                    resource.at("/Properties/Body/paths").fields().forEachRemaining(path ->
                            path.getValue().fields().forEachRemaining(operation -> {
                                boolean open = operation.getValue().path("security").findValue("NONE") != null;
                                Route route = new Route(operation.getKey().toUpperCase(Locale.ROOT), path.getKey(),
                                        !open);
                                found.put(route.key(), route);
                            }));
                }
            });
            if (found.isEmpty()) {
                throw new IllegalStateException("the transformed template defines no HTTP API routes");
            }
            routes = found;
        }
        return routes;
    }
}
