package dev.sentinel.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sentinel.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Status, content type, body and extra headers of an answer (JSON for the API, text for the console's assets).
 *
 * @param headers headers beyond content type and the ones every answer gets (see {@link HttpApiEvents#write})
 */
public record ApiResponse(int status, String contentType, String body, Map<String, String> headers) {

    public ApiResponse {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public ApiResponse(int status, String contentType, String body) {
        this(status, contentType, body, Map.of());
    }

    public static ApiResponse json(int status, Object value) {
        try {
            return new ApiResponse(status, "application/json", Json.mapper().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response is not serializable", e);
        }
    }

    public static ApiResponse problem(ApiProblem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        ApiResponse json = json(problem.status(), body);
        return new ApiResponse(problem.status(), "application/problem+json", json.body());
    }
}
