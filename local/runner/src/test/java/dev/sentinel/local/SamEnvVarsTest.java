package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.config.ScanSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * events/env-vars.json is what `sam local invoke <Function> -e events/<sample> --env-vars events/env-vars.json` reads.
 * SAM local resolves a parameter to its default but a resource to nothing usable, and it overrides only variables
 * the template declares for that function; so the file must name, for each function, every variable whose value is
 * a resource of the stack, only such declared variables, and the buckets the sample events use.
 */
class SamEnvVarsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path repo;
    private static JsonNode template;
    private static JsonNode envVars;

    @BeforeAll
    static void read() throws IOException {
        repo = dev.sentinel.local.aws.SampleEvents.directory().getParent();
        // Short tags are read as plain scalars: `!Ref UploadsBucket` is "UploadsBucket".
        template = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("template.yaml").toFile());
        envVars = JSON.readTree(repo.resolve("events/env-vars.json").toFile());
    }

    @Test
    void everyFunctionIsGivenItsResourcesAndOnlyVariablesItDeclares() {
        Set<String> functions = functions();
        assertEquals(functions, names(envVars), "events/env-vars.json names each function of the template");
        Map<String, String> agreed = new HashMap<>();
        for (String function : functions) {
            Map<String, String> declared = declared(function);
            JsonNode given = envVars.get(function);
            for (String variable : names(given)) {
                assertTrue(declared.containsKey(variable), function + " does not declare " + variable
                        + ", so SAM local ignores it");
                String value = given.get(variable).asText();
                assertFalse(value.isBlank(), function + " " + variable);
                // One resource, one name, whichever function is invoked.
                String before = agreed.putIfAbsent(variable, value);
                assertTrue(before == null || before.equals(value), variable + " is " + before + " and " + value);
            }
            for (Map.Entry<String, String> variable : declared.entrySet()) {
                if (namesAResource(variable.getValue())) {
                    assertTrue(given.has(variable.getKey()), function + " " + variable.getKey() + " is "
                            + variable.getValue() + " in the template, which SAM local cannot resolve");
                }
            }
            // What the handlers read at start must accept what SAM local passes them.
            Map<String, String> env = localEnvironment(function);
            if (env.containsKey("QUARANTINE_BUCKET")) {
                ScanSettings.fromEnvironment(env);
                if (env.containsKey("CASES_TABLE")) {
                    ApiSettings.fromEnvironment(env);
                }
            }
            if (env.containsKey("LIKENESS_COLLECTION")) {
                assertTrue(dev.sentinel.likeness.LikenessSettings.fromEnvironment(env) != null, function);
            }
        }
    }

    @Test
    void bucketsAndQueuesAreTheOnesTheSampleEventsName() throws IOException {
        Map<String, String> byRoute = new HashMap<>();
        for (String function : functions()) {
            template.at("/Resources/" + function + "/Properties/Events").forEach(event -> {
                JsonNode properties = event.path("Properties");
                if (event.path("Type").asText().equals("HttpApi")) {
                    byRoute.put(properties.path("Method").asText() + " " + properties.path("Path").asText(), function);
                }
            });
        }
        int checked = 0;
        try (Stream<Path> files = Files.list(repo.resolve("events"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                if (file.getFileName().toString().equals("env-vars.json")) {
                    continue;
                }
                JsonNode event = JSON.readTree(file.toFile());
                Set<String> buckets = new TreeSet<>();
                collectBuckets(event, buckets);
                String function;
                if (event.has("routeKey")) {
                    function = byRoute.get(event.get("routeKey").asText());
                    assertTrue(function != null, file + ": no function serves " + event.get("routeKey"));
                } else if (event.has("Records")) {
                    function = "ScanUploadFunction";
                    for (JsonNode record : event.get("Records")) {
                        if (record.path("eventSource").asText().equals("aws:sqs")) {
                            String queue = record.get("eventSourceARN").asText();
                            String url = envVars.at("/OperationsApiFunction/SCAN_QUEUE_URL").asText();
                            assertEquals(queue.substring(queue.lastIndexOf(':') + 1),
                                    url.substring(url.lastIndexOf('/') + 1), file + ": the scan queue");
                        }
                    }
                } else {
                    assertEquals(Set.of(), buckets, file + " names buckets but no function it goes to");
                    continue;
                }
                if (!localEnvironment(function).containsKey("QUARANTINE_BUCKET")) {
                    assertEquals(Set.of(), buckets, file + " names buckets but " + function + " is given none");
                    continue;
                }
                ScanSettings settings = ScanSettings.fromEnvironment(localEnvironment(function));
                Set<String> known = new TreeSet<>(settings.uploadBuckets());
                known.add(settings.quarantineBucket());
                assertTrue(known.containsAll(buckets), file + " names " + buckets + " but " + function
                        + " is given " + known);
                checked += buckets.size();
            }
        }
        assertTrue(checked >= 10, "the samples name buckets: " + checked);
    }

    /** The environment SAM local gives a function: parameters at their defaults, then the file's values. */
    private static Map<String, String> localEnvironment(String function) {
        Map<String, String> env = new TreeMap<>();
        declared(function).forEach((name, value) -> {
            JsonNode parameter = template.path("Parameters").path(value);
            env.put(name, parameter.isMissingNode() ? value : parameter.path("Default").asText());
        });
        envVars.path(function).fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    private static Map<String, String> declared(String function) {
        Map<String, String> declared = new TreeMap<>();
        for (JsonNode variables : List.of(template.at("/Globals/Function/Environment/Variables"),
                template.at("/Resources/" + function + "/Properties/Environment/Variables"))) {
            variables.fields().forEachRemaining(e -> declared.put(e.getKey(), e.getValue().asText()));
        }
        return declared;
    }

    /** `!Ref Resource`, `!GetAtt Resource.Attribute` or a `!Sub` with `${Resource...}`. */
    private static boolean namesAResource(String value) {
        JsonNode resources = template.get("Resources");
        for (String resource : names(resources)) {
            if (value.equals(resource) || value.startsWith(resource + ".") || value.contains("${" + resource)) {
                return true;
            }
        }
        return false;
    }

    /** S3 records' bucket.name, a "bucket" field or path parameter; inside JSON bodies and SQS messages too. */
    private static void collectBuckets(JsonNode node, Set<String> into) {
        if (node.isTextual() && node.asText().startsWith("{")) {
            try {
                collectBuckets(JSON.readTree(node.asText()), into);
            } catch (IOException notJson) {
                // a string that only starts like JSON
            }
        }
        node.fields().forEachRemaining(e -> {
            if (e.getKey().equals("bucket") && e.getValue().isTextual()) {
                into.add(e.getValue().asText());
            } else if (e.getKey().equals("bucket") && e.getValue().has("name")) {
                into.add(e.getValue().get("name").asText());
            }
            collectBuckets(e.getValue(), into);
        });
        node.elements().forEachRemaining(child -> collectBuckets(child, into));
    }

    private static Set<String> functions() {
        Set<String> functions = new TreeSet<>();
        template.get("Resources").fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                functions.add(e.getKey());
            }
        });
        return functions;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
