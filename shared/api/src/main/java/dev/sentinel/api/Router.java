package dev.sentinel.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sentinel.cases.CaseConflictException;
import dev.sentinel.cases.CaseNotFoundException;
import dev.sentinel.cases.CheckUnavailableException;
import dev.sentinel.cases.InvalidCaseRequestException;
import dev.sentinel.json.Json;
import dev.sentinel.log.StructuredLog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Routes requests by route key after checking the caller's groups (the JWT authorizer has already checked the
 * token; this is the second line), and turns every failure into a problem response: bad input is a 4xx, never a
 * 500.
 */
public final class Router {

    /** @param open answered without a caller: only the console's static assets, which hold no data */
    private record Route(List<String> groups, Function<ApiRequest, ApiResponse> handler, boolean open) { }

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final StructuredLog log;

    public Router(StructuredLog log) {
        this.log = log;
    }

    public Router add(String routeKey, List<String> groups, Function<ApiRequest, ApiResponse> handler) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(routeKey + " names no group; use addStaticAsset for open routes");
        }
        routes.put(routeKey, new Route(List.copyOf(groups), handler, false));
        return this;
    }

    /**
     * A route anyone may read, for the console's HTML, script and style sheet: they are the same for everyone and
     * carry no data; every call they make goes to a route that checks the caller. Only GET.
     */
    public Router addStaticAsset(String routeKey, Function<ApiRequest, ApiResponse> handler) {
        if (!routeKey.startsWith("GET ")) {
            throw new IllegalArgumentException("static assets are read-only: " + routeKey);
        }
        routes.put(routeKey, new Route(List.of(), handler, true));
        return this;
    }

    /** Route keys that need no caller (static assets). */
    public java.util.Set<String> openRouteKeys() {
        java.util.Set<String> open = new java.util.LinkedHashSet<>();
        routes.forEach((key, route) -> {
            if (route.open()) {
                open.add(key);
            }
        });
        return open;
    }

    public java.util.Set<String> routeKeys() {
        return routes.keySet();
    }

    /** Answers the request and logs one line for it: route, outcome, ids and time; never bodies or who by name. */
    public ApiResponse handle(ApiRequest request) {
        long started = System.nanoTime();
        ApiResponse response = answer(request);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("route", request.routeKey());
        fields.put("status", response.status());
        request.pathParameters().forEach((name, value) -> fields.put(name, value.length() <= 64 ? value
                : StructuredLog.fingerprint(value)));
        fields.put("caller", request.caller().subject().isEmpty() ? "" : StructuredLog.fingerprint(
                request.caller().subject()));
        fields.put("ms", (System.nanoTime() - started) / 1_000_000);
        if (response.status() >= 500) {
            log.error("api-request", fields);
        } else {
            log.info("api-request", fields);
        }
        return response;
    }

    /**
     * Answers one read-only request as a caller in every group, so a SnapStart snapshot holds the request path
     * warm; the answer is discarded. Path parameters should name nothing that exists, in a valid shape so the
     * request gets as far as the store.
     */
    public void prime(String routeKey, Map<String, String> pathParameters) {
        if (!routeKey.startsWith("GET ")) {
            throw new IllegalArgumentException("only reads prime: " + routeKey);
        }
        handle(new ApiRequest(routeKey, pathParameters, Map.of(), null, new dev.sentinel.cases.Actor(
                "sentinel-priming", List.of(Groups.UPLOADER_APP, Groups.REVIEWER, Groups.ADMIN, Groups.NOTIFIER,
                Groups.LIKENESS_REGISTRAR))));
    }

    private ApiResponse answer(ApiRequest request) {
        Route route = routes.get(request.routeKey());
        if (route == null) {
            return ApiResponse.problem(ApiProblem.notFound("no route " + request.routeKey()));
        }
        if (!route.open() && (request.caller().subject().isEmpty() || !request.caller().inAny(route.groups()))) {
            return ApiResponse.problem(ApiProblem.forbidden());
        }
        try {
            return route.handler().apply(request);
        } catch (ApiProblem problem) {
            return ApiResponse.problem(problem);
        } catch (CaseNotFoundException e) {
            return ApiResponse.problem(ApiProblem.notFound(e.getMessage()));
        } catch (CaseConflictException e) {
            return ApiResponse.problem(ApiProblem.conflict(e.getMessage()));
        } catch (InvalidCaseRequestException e) {
            return ApiResponse.problem(ApiProblem.badRequest(e.getMessage()));
        } catch (CheckUnavailableException e) {
            log.warn("request-failed", Map.of("route", request.routeKey(), "error", e.getClass().getSimpleName()));
            return ApiResponse.problem(new ApiProblem(503, "urn:sentinel:problem:unavailable",
                    "Try again later", "the moderation pipeline could not answer now; nothing was published"));
        } catch (RuntimeException e) {
            // Nothing of what went wrong reaches the caller; the incident id ties the answer to the log line.
            String incident = java.util.UUID.randomUUID().toString();
            log.error("request-crashed", Map.of("route", request.routeKey(), "incident", incident,
                    "error", e.getClass().getName()));
            return ApiResponse.problem(ApiProblem.internal(incident));
        }
    }

    /** Reads a JSON body into {@code type}, refusing unknown fields, wrong types and missing bodies. */
    public static <T> T body(ApiRequest request, Class<T> type) {
        if (request.body() == null || request.body().isBlank()) {
            throw ApiProblem.badRequest("a JSON body is required");
        }
        try {
            T value = Json.mapper().readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).readValue(request.body());
            if (value == null) {
                throw ApiProblem.badRequest("a JSON object is required");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiProblem.badRequest("unknown field '" + e.getPropertyName() + "'");
        } catch (InvalidFormatException e) {
            throw ApiProblem.badRequest("field '" + path(e) + "' has a value of the wrong type or format");
        } catch (MismatchedInputException e) {
            throw ApiProblem.badRequest("the body does not have the expected shape"
                    + (e.getPath().isEmpty() ? "" : " at '" + path(e) + "'"));
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("the body is not valid JSON");
        }
    }

    private static String path(MismatchedInputException e) {
        StringBuilder path = new StringBuilder();
        e.getPath().forEach(ref -> {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else {
                path.append('[').append(ref.getIndex()).append(']');
            }
        });
        return path.toString();
    }
}
