package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Period;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The published OpenAPI document is valid OpenAPI 3 as the tools API users feed it to read it, and it, the
 * template's HTTP API routes and the handlers' routers name the same routes.
 */
class OpenApiTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    // A key written twice is silently dropped by a lenient reader; the structural checks must see it.
    private static final ObjectMapper STRICT_YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    private static final Pattern PATH_TEMPLATE = Pattern.compile("\\{([^}]+)}");

    @Test
    void documentIsValidOpenApiWithNoParserMessages() throws Exception {
        List<String> problems = problemsOf(Files.readString(REPO.resolve("docs/openapi.yaml")));
        assertTrue(problems.isEmpty(), "docs/openapi.yaml has " + problems.size() + " problem(s):\n  "
                + String.join("\n  ", problems));
    }

    /** Each check can fail: a small valid document passes, and each kind of defect in a copy of it is reported. */
    @Test
    void everyKindOfDefectIsReported() throws Exception {
        String valid = """
                openapi: 3.0.3
                info: {title: Example, version: '1'}
                security: [{jwt: []}]
                paths:
                  /things/{id}:
                    get:
                      summary: One thing
                      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
                      responses:
                        '200': {description: The thing, content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}}
                components:
                  securitySchemes:
                    jwt: {type: http, scheme: bearer}
                  schemas:
                    Thing: {type: object, properties: {description: {type: string}}}
                """;
        assertEquals(List.of(), problemsOf(valid));

        // Each defect: what is written in place of what, and the words the report must contain.
        String[][] defects = {
                {"description: The thing,", "description: The thing, or none,", "or none: key without a value"},
                {"summary: One thing", "summary: {One thing, or none}", "summary: not a string"},
                {"[{jwt: []}]", "[{cognito: []}]", "security scheme cognito is not in components.securitySchemes"},
                {"[{jwt: []}]", "[{jwt: [read]}]", "scheme jwt takes no scopes"},
                {"'200': {description", "'200': {summary", "description is missing"},
                {"responses:\n        '200'", "x-responses:\n        '200'", "GET /things/{id}: no responses"},
                {"schemas/Thing'", "schemas/Thin'", "$ref #/components/schemas/Thin points at nothing"},
                {"[{name: id, in: path", "[{name: key, in: path", "path names [id] but declares path parameters [key]"},
                {"in: path, required: true", "in: path, required: false", "path parameter id must be required"},
                {"version: '1'}", "version: '1', title: Again}", "Duplicate field 'title'"},
                {"openapi: 3.0.3", "swagger: '2.0'", "not read as an OpenAPI 3 document"}};
        for (String[] defect : defects) {
            assertTrue(valid.contains(defect[0]), defect[0]);
            List<String> problems = problemsOf(valid.replace(defect[0], defect[1]));
            assertTrue(problems.stream().anyMatch(p -> p.contains(defect[2])),
                    "writing " + defect[1] + " must report " + defect[2] + "; reported " + problems);
        }
    }

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
                new OperationsRoutes(null, null, null, null, null).register(new Router(StructuredLog.discard())),
                new dev.sentinel.api.LikenessRoutes(null, null, null, null, null)
                        .register(new Router(StructuredLog.discard())))) {
            handled.addAll(router.routeKeys());
        }

        assertTrue(documented.size() >= 11, documented.toString());
        assertEquals(documented, deployed, "docs/openapi.yaml and template.yaml");
        assertEquals(documented, handled, "docs/openapi.yaml and the functions' routers");
    }

    /** Every message of a fully validating OpenAPI parser, and what it does not check, as readable lines. */
    private static List<String> problemsOf(String text) {
        List<String> problems = new ArrayList<>();
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        options.setValidateExternalRefs(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(text, null, options);
        if (parsed.getMessages() != null) {
            parsed.getMessages().forEach(message -> problems.add("parser: " + message));
        }
        if (parsed.getOpenAPI() == null || parsed.getOpenAPI().getOpenapi() == null
                || !parsed.getOpenAPI().getOpenapi().startsWith("3.")) {
            problems.add("not read as an OpenAPI 3 document");
        }

        JsonNode doc;
        try {
            doc = STRICT_YAML.readTree(text);
        } catch (Exception e) {
            problems.add("YAML: " + e.getMessage());
            return problems;
        }
        checkScalars(doc, "", false, problems);
        checkRefs(doc, doc, "", problems);
        JsonNode schemes = doc.path("components").path("securitySchemes");
        checkSecurity(doc.path("security"), "security", schemes, problems);
        doc.path("paths").fields().forEachRemaining(path -> {
            JsonNode item = path.getValue();
            item.fields().forEachRemaining(entry -> {
                if (!METHODS.contains(entry.getKey())) {
                    return;
                }
                String where = entry.getKey().toUpperCase() + " " + path.getKey();
                JsonNode operation = entry.getValue();
                if (!operation.path("responses").isObject() || operation.path("responses").isEmpty()) {
                    problems.add(where + ": no responses");
                }
                checkSecurity(operation.path("security"), where + " security", schemes, problems);
                checkPathParameters(doc, path.getKey(), where, item, operation, problems);
            });
        });
        return problems;
    }

    /**
     * A comma inside an unquoted {...} ends a flow-mapping entry, so the rest of a sentence becomes a key without a
     * value, and a description that starts with { becomes a mapping: neither is ever meant in this document.
     */
    private static void checkScalars(JsonNode node, String at, boolean keysAreNames, List<String> problems) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkScalars(node.get(i), at + "/" + i, false, problems);
            }
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String where = at + "/" + field.getKey();
            JsonNode value = field.getValue();
            if (value.isNull()) {
                problems.add(where + ": key without a value (an unquoted comma inside {...}?)");
            }
            if (keysAreNames) {
                // A schema's property names are names, not keywords: a property may be called "description".
                checkScalars(value, where, false, problems);
                continue;
            }
            if ((field.getKey().equals("description") || field.getKey().equals("summary")) && !value.isTextual()) {
                problems.add(where + ": not a string but " + value);
            }
            if (!field.getKey().equals("example") && !field.getKey().equals("default")) {
                checkScalars(value, where, field.getKey().equals("properties"), problems);
            }
        }
    }

    private static void checkRefs(JsonNode doc, JsonNode node, String at, List<String> problems) {
        if (node.isObject() && node.has("$ref")) {
            String ref = node.get("$ref").asText();
            if (!ref.startsWith("#/")) {
                problems.add(at + ": $ref " + ref + " leaves the document; it must stand alone");
            } else if (doc.at(JsonPointer.compile(ref.substring(1))).isMissingNode()) {
                problems.add(at + ": $ref " + ref + " points at nothing");
            }
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> checkRefs(doc, f.getValue(), at + "/" + f.getKey(), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkRefs(doc, node.get(i), at + "/" + i, problems);
            }
        }
    }

    private static void checkSecurity(JsonNode requirements, String where, JsonNode schemes, List<String> problems) {
        requirements.forEach(requirement -> requirement.fields().forEachRemaining(entry -> {
            JsonNode scheme = schemes.get(entry.getKey());
            if (scheme == null) {
                problems.add(where + ": security scheme " + entry.getKey() + " is not in components.securitySchemes");
            } else if (!Set.of("oauth2", "openIdConnect").contains(scheme.path("type").asText())
                    && !entry.getValue().isEmpty()) {
                problems.add(where + ": scheme " + entry.getKey() + " takes no scopes");
            }
        }));
    }

    /** Each {name} in the path is a required path parameter of the operation, and each path parameter is in the path. */
    private static void checkPathParameters(JsonNode doc, String path, String where, JsonNode item,
            JsonNode operation, List<String> problems) {
        Set<String> templated = new TreeSet<>();
        Matcher m = PATH_TEMPLATE.matcher(path);
        while (m.find()) {
            templated.add(m.group(1));
        }
        Set<String> declared = new TreeSet<>();
        List<JsonNode> parameters = new ArrayList<>();
        item.path("parameters").forEach(parameters::add);
        operation.path("parameters").forEach(parameters::add);
        for (JsonNode parameter : parameters) {
            if (parameter.path("$ref").asText().startsWith("#/")) {
                parameter = doc.at(JsonPointer.compile(parameter.get("$ref").asText().substring(1)));
            }
            if (parameter.path("in").asText().equals("path")) {
                declared.add(parameter.path("name").asText());
                if (!parameter.path("required").asBoolean(false)) {
                    problems.add(where + ": path parameter " + parameter.path("name").asText() + " must be required");
                }
            }
        }
        if (!templated.equals(declared)) {
            problems.add(where + ": path names " + templated + " but declares path parameters " + declared);
        }
    }
}
