package dev.sentinel.api;

import dev.sentinel.cases.Actor;
import java.util.Map;

/**
 * One HTTP API request as the functions see it, independent of Lambda types.
 *
 * @param routeKey the matched route, e.g. {@code POST /reviews/{id}/decision}
 * @param body     the body as text (already base64-decoded when API Gateway encoded it); null when absent
 * @param caller   subject and groups from the JWT authorizer
 */
public record ApiRequest(String routeKey, Map<String, String> pathParameters, Map<String, String> query,
                         String body, Actor caller) {

    public ApiRequest {
        pathParameters = pathParameters == null ? Map.of() : Map.copyOf(pathParameters);
        query = query == null ? Map.of() : Map.copyOf(query);
    }

    public String path(String name) {
        String value = pathParameters.get(name);
        if (value == null || value.isEmpty()) {
            throw ApiProblem.badRequest("path parameter " + name + " is missing");
        }
        return value;
    }
}
