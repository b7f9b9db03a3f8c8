package dev.sentinel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.local.aws.SampleEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API events the tests send are the ones API Gateway would send: built from the deployed routes, and every
 * hand-written sample in events/ agrees with what the builder makes of its own route and path.
 */
class HttpApiEventTest {

    private static final String HISTORY = "GET /verdicts/{bucket}/{key+}";

    @Test
    void aGreedyParameterIsNamedWithoutItsPlusAndItsSlashesStayInTheRawPath() {
        ObjectNode event = HttpApiEvent.of(HISTORY, "uploads-1", "users/alice/summer 2026/ü+1.jpg")
                .by("rev-1", "reviewer").json();

        assertEquals("/verdicts/uploads-1/users/alice/summer%202026/%C3%BC%2B1.jpg", event.get("rawPath").asText());
        assertEquals(event.get("rawPath"), event.at("/requestContext/http/path"));
        assertEquals("users/alice/summer 2026/ü+1.jpg", event.at("/pathParameters/key").asText());
        assertFalse(event.path("pathParameters").has("key+"));
        assertEquals(HISTORY, event.get("routeKey").asText());
        assertEquals("GET", event.at("/requestContext/http/method").asText());
        assertEquals("[reviewer]", event.at("/requestContext/authorizer/jwt/claims/cognito:groups").asText());
    }

    @Test
    void onlyRoutesAndPathsApiGatewayCouldServeAreBuilt() {
        assertThrows(IllegalArgumentException.class, () -> HttpApiEvent.of("GET /verdicts/{bucket}/{key}", "b", "k"));
        assertThrows(IllegalArgumentException.class, () -> HttpApiEvent.of("GET /moderations/{id}", "a/b"));
        assertThrows(IllegalArgumentException.class, () -> HttpApiEvent.of("GET /moderations/{id}", ""));
        assertThrows(IllegalArgumentException.class, () -> HttpApiEvent.of(HISTORY, "bucket-only"));
        assertThrows(IllegalStateException.class, () -> HttpApiEvent.of("GET /moderations/{id}", "vd-1").json(),
                "the authorizer never lets a request without a token through");
        assertFalse(HttpApiEvent.of("GET /console/{asset}", "console.js").json().path("requestContext")
                .has("authorizer"), "the console's open routes carry no caller");
    }

    @Test
    void pathValuesAreReadBackFromTheRawPathAsApiGatewayMatchesIt() {
        String rawPath = HttpApiEvent.of(HISTORY, "b", "a b/c+d.jpg").by("r", "reviewer").json().get("rawPath")
                .asText();

        assertEquals(List.of("b", "a b/c+d.jpg"), HttpApiEvent.match(HISTORY, rawPath).orElseThrow());
        assertTrue(HttpApiEvent.match("GET /moderations/{id}", "/moderations/a/b").isEmpty());
    }

    /** A sample written by hand with a parameter API Gateway would name otherwise (key+ for key) fails here. */
    @Test
    void everySampleApiEventIsWhatApiGatewaySendsForItsRoute() throws IOException {
        List<String> problems = new ArrayList<>();
        List<Path> samples;
        try (Stream<Path> files = Files.list(SampleEvents.directory())) {
            samples = files.filter(f -> f.getFileName().toString().matches("api-.*\\.json")).sorted().toList();
        }
        assertTrue(samples.size() >= 20, samples.toString());
        for (Path file : samples) {
            problems.addAll(differences(file.getFileName().toString(), SampleEvents.load(file)));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void aSampleWithTheGreedyParameterNamedAsInTheTemplateIsCaught() {
        ObjectNode wrong = HttpApiEvent.of(HISTORY, "b", "users/k.jpg").by("r", "reviewer").json();
        ObjectNode parameters = (ObjectNode) wrong.get("pathParameters");
        parameters.set("key+", parameters.remove("key"));

        assertFalse(differences("edited", wrong).isEmpty());
    }

    /** Where a sample differs from the builder's event for the same route, path, query and caller. */
    private static List<String> differences(String name, JsonNode sample) {
        List<String> problems = new ArrayList<>();
        String routeKey = sample.path("routeKey").asText();
        if (!HttpApiEvent.routeKeys().contains(routeKey)) {
            return List.of(name + ": routeKey " + routeKey + " is not a route of the deployed API");
        }
        List<String> values = HttpApiEvent.match(routeKey, sample.path("rawPath").asText()).orElse(null);
        if (values == null) {
            return List.of(name + ": rawPath " + sample.path("rawPath").asText() + " does not match " + routeKey);
        }
        HttpApiEvent request = HttpApiEvent.of(routeKey, values.toArray(String[]::new));
        JsonNode claims = sample.at("/requestContext/authorizer/jwt/claims");
        if (!claims.isMissingNode()) {
            String groups = claims.path("cognito:groups").asText().replaceAll("[\\[\\]]", "").trim();
            request = request.by(claims.path("sub").asText(), groups.isEmpty() ? new String[0] : groups.split(" "));
        }
        var query = sample.path("queryStringParameters").fields();
        while (query.hasNext()) {
            var parameter = query.next();
            request = request.query(parameter.getKey(), parameter.getValue().asText());
        }
        JsonNode built;
        try {
            built = request.json();
        } catch (IllegalStateException e) {
            return List.of(name + ": " + e.getMessage());
        }
        for (String field : List.of("/version", "/routeKey", "/rawPath", "/rawQueryString", "/pathParameters",
                "/requestContext/routeKey", "/requestContext/http/method", "/requestContext/http/path",
                "/requestContext/stage", "/isBase64Encoded", "/requestContext/authorizer/jwt/claims/sub",
                "/requestContext/authorizer/jwt/claims/cognito:groups")) {
            if (!sample.at(field).equals(built.at(field))) {
                problems.add(name + ": " + field + " is " + sample.at(field) + ", API Gateway sends " + built.at(field));
            }
        }
        return problems;
    }
}
