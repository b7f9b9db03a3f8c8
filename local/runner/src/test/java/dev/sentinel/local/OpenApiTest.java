package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sentinel.api.AppealRoutes;
import dev.sentinel.api.HashListRoutes;
import dev.sentinel.api.OperationsRoutes;
import dev.sentinel.api.ModerationRoutes;
import dev.sentinel.api.NoticeRoutes;
import dev.sentinel.api.ReviewRoutes;
import dev.sentinel.api.Router;
import dev.sentinel.log.StructuredLog;
import java.nio.file.Path;
import java.time.Period;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The published OpenAPI document, the template's HTTP API routes and the handlers' routers name the same routes. */
class OpenApiTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void documentTemplateAndRoutersAgreeOnEveryRoute() throws Exception {
        Set<String> documented = new TreeSet<>();
        JsonNode paths = YAML.readTree(REPO.resolve("docs/openapi.yaml").toFile()).path("paths");
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method ->
                documented.add(method.toUpperCase() + " " + path.getKey())));

        Set<String> deployed = new TreeSet<>();
        JsonNode resources = YAML.readTree(REPO.resolve("template.yaml").toFile()).path("Resources");
        resources.forEach(resource -> resource.path("Properties").path("Events").forEach(event -> {
            if (event.path("Type").asText().equals("HttpApi")) {
                JsonNode p = event.path("Properties");
                deployed.add(p.path("Method").asText().toUpperCase() + " " + p.path("Path").asText());
            }
        }));

        // Registering routes touches no service, so the routers can be listed without any AWS behind them.
        Period window = Period.ofMonths(6);
        Set<String> handled = new TreeSet<>();
        for (Router router : List.of(
                new ModerationRoutes(null, null, null, window).register(new Router(StructuredLog.discard())),
                new ReviewRoutes(null, null, null, null).register(new Router(StructuredLog.discard())),
                dev.sentinel.api.ConsoleAssets.bundled().register(new Router(StructuredLog.discard())),
                new dev.sentinel.api.ReportRoutes(null, null).register(new Router(StructuredLog.discard())),
                new NoticeRoutes(null).register(new Router(StructuredLog.discard())),
                new AppealRoutes(null, window).register(new Router(StructuredLog.discard())),
                new HashListRoutes(null, null).register(new Router(StructuredLog.discard())),
                new OperationsRoutes(null, null, null, null, null).register(new Router(StructuredLog.discard())))) {
            handled.addAll(router.routeKeys());
        }

        assertTrue(documented.size() >= 11, documented.toString());
        assertEquals(documented, deployed, "docs/openapi.yaml and template.yaml");
        assertEquals(documented, handled, "docs/openapi.yaml and the functions' routers");
    }
}
