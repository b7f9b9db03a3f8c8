package dev.sentinel.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sentinel.api.ApiRequest;
import dev.sentinel.api.ApiResponse;
import dev.sentinel.api.Router;
import dev.sentinel.cases.Actor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP API and the reviewer console on localhost, doing what API Gateway does in front of the functions: match
 * the route, take the caller from the token, hand the request to the function's router. Listens on the loopback
 * address only.
 *
 * <p>Tokens here are not JWTs: {@code local:SUBJECT:GROUP[,GROUP]} names the caller directly, because there is no
 * identity provider on a laptop. That is why this server never listens beyond the loopback address; deployed, the
 * API's JWT authorizer checks real tokens.
 */
final class LocalApi implements AutoCloseable {

    private static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    /** A route key compiled to a pattern over the path, with its parameter names. */
    private record Route(String method, Pattern path, List<String> parameters, String routeKey, Router router) { }

    private final HttpServer server;
    private final List<Route> routes = new ArrayList<>();

    private LocalApi(HttpServer server, List<Router> routers) {
        this.server = server;
        for (Router router : routers) {
            for (String key : router.routeKeys()) {
                routes.add(compile(key, router));
            }
        }
        // Literal routes before parameterised ones, as API Gateway prefers the most specific match.
        routes.sort(java.util.Comparator.comparingInt(route -> route.parameters().size()));
        server.createContext("/", this::exchange);
    }

    static LocalApi start(int port, List<Router> routers) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "local-api");
            thread.setDaemon(true);
            return thread;
        }));
        LocalApi api = new LocalApi(server, routers);
        server.start();
        return api;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** The console's address with a local token in the fragment (which browsers never send to the server). */
    URI consoleFor(String subject, String... groups) {
        return URI.create(endpoint() + "console#token=local:" + subject + ":" + String.join(",", groups));
    }

    private static Route compile(String routeKey, Router router) {
        String[] parts = routeKey.split(" ", 2);
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher parameter = Pattern.compile("\\{(\\w+)(\\+?)}").matcher(parts[1]);
        int at = 0;
        while (parameter.find()) {
            regex.append(Pattern.quote(parts[1].substring(at, parameter.start())));
            regex.append(parameter.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            names.add(parameter.group(1));
            at = parameter.end();
        }
        regex.append(Pattern.quote(parts[1].substring(at)));
        return new Route(parts[0], Pattern.compile(regex.toString()), names, routeKey, router);
    }

    private void exchange(HttpExchange exchange) throws IOException {
        try (exchange) {
            ApiResponse response = answer(exchange);
            byte[] body = response.body() == null ? new byte[0] : response.body().getBytes(StandardCharsets.UTF_8);
            var headers = exchange.getResponseHeaders();
            headers.set("content-type", response.contentType());
            headers.set("cache-control", "no-store");
            headers.set("x-content-type-options", "nosniff");
            response.headers().forEach(headers::set);
            exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private ApiResponse answer(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        // The raw path: an encoded slash inside a key must stay inside its parameter.
        String rawPath = exchange.getRequestURI().getRawPath();
        for (Route route : routes) {
            Matcher match = route.path().matcher(rawPath);
            if (route.method().equals(method) && match.matches()) {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (int i = 0; i < route.parameters().size(); i++) {
                    parameters.put(route.parameters().get(i), decode(match.group(i + 1), true));
                }
                String body = readBody(exchange.getRequestBody());
                if (body != null && body.length() > MAX_BODY_BYTES) {
                    return ApiResponse.problem(dev.sentinel.api.ApiProblem.badRequest("body too large"));
                }
                return route.router().handle(new ApiRequest(route.routeKey(), parameters,
                        query(exchange.getRequestURI().getRawQuery()), body,
                        caller(exchange.getRequestHeaders().getFirst("authorization"))));
            }
        }
        return ApiResponse.problem(dev.sentinel.api.ApiProblem.notFound("no route " + method + " " + rawPath));
    }

    /** {@code Bearer local:SUBJECT:GROUPS}; anything else is no caller, which every data route refuses. */
    static Actor caller(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer local:")) {
            return new Actor("", List.of());
        }
        String[] parts = authorization.substring("Bearer local:".length()).split(":", 2);
        if (parts.length < 2 || parts[0].isBlank()) {
            return new Actor("", List.of());
        }
        return new Actor(parts[0], Arrays.stream(parts[1].split(",")).map(String::strip)
                .filter(g -> !g.isEmpty()).toList());
    }

    private static String readBody(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), false);
                if (!name.isEmpty()) {
                    query.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1), false));
                }
            }
        }
        return query;
    }

    /** A plus is a space in a query string but itself in a path. */
    private static String decode(String text, boolean path) {
        return URLDecoder.decode(path ? text.replace("+", "%2B") : text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
