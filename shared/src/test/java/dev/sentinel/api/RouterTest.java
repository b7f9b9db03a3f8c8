package dev.sentinel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.cases.Actor;
import dev.sentinel.json.Json;
import dev.sentinel.log.StructuredLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    /** A handler that fails in a way nobody planned for answers a problem document, never a stack trace. */
    @Test
    void anUnexpectedErrorIsA500ProblemWithAnIncidentIdAndNoInternalDetail() throws Exception {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Router router = new Router(new StructuredLog(new PrintStream(logged, true, StandardCharsets.UTF_8),
                Clock.systemUTC(), "test")).add("GET /boom", List.of(Groups.REVIEWER), request -> {
                    throw new IllegalStateException("table sentinel-VerdictsTable-X12 in account 123456789012");
                });

        ApiResponse response = router.handle(new ApiRequest("GET /boom", Map.of(), Map.of(), null,
                new Actor("rev-1", List.of(Groups.REVIEWER))));

        assertEquals(500, response.status());
        assertEquals("application/problem+json", response.contentType());
        JsonNode problem = Json.mapper().readTree(response.body());
        assertEquals("urn:sentinel:problem:internal", problem.path("type").asText());
        assertFalse(response.body().contains("VerdictsTable") || response.body().contains("IllegalState"),
                response.body());
        String incident = problem.path("detail").asText().replaceAll(".*incident ([0-9a-f-]{36}).*", "$1");
        assertEquals(36, incident.length(), problem.toString());
        String log = logged.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains(incident) && log.contains("IllegalStateException"), log);
    }
}
