package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.local.emulator.EmulatedStack;
import dev.sentinel.local.emulator.Emulator;
import dev.sentinel.local.emulator.EmulatorClients;
import dev.sentinel.local.emulator.EventSourceMapping;
import dev.sentinel.local.iam.DeployedStack;
import dev.sentinel.local.iam.SamTransform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * template.yaml's data plane deployed into an AWS emulator (moto unless the environment names another) through its
 * CloudFormation, every declared property read back from the services, and what the scan function is wired to
 * checked there. Copies of the template broken where deployments go wrong fail.
 */
class EmulatorStackTest {

    private static Emulator emulator;
    private static EmulatorClients clients;
    private static EmulatedStack stack;

    @TempDir
    Path dir;

    @BeforeAll
    static void deploy() {
        emulator = EmulatorTests.start(EmulatorStackTest.class);
        clients = EmulatorClients.of(emulator);
        long started = System.nanoTime();
        stack = EmulatorTests.deploy(emulator, clients, Map.of("ModerationEngine", "embedded"));
        System.out.print(stack.report());
        System.out.printf("Deployed in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    }

    @AfterAll
    static void stop() {
        EmulatorTests.closeAll(clients, emulator);
    }

    @Test
    void everyPropertyTheTemplateDeclaresForTheDataPlaneHoldsInTheEmulator() {
        DeployedStack deployed = stack.stack();
        Set<String> declared = new TreeSet<>();
        for (String type : types()) {
            for (String id : deployed.resourcesOfType(type)) {
                deployed.resource(id).path("Properties").fieldNames().forEachRemaining(p -> declared.add(id + "." + p));
            }
        }
        Set<String> settled = new TreeSet<>();
        stack.outcomes().forEach(o -> settled.add(o.logicalId() + "." + o.property()));
        assertEquals(declared, settled, "every declared property is read back, none is skipped");
        stack.outcomes().stream().filter(o -> o.how() == EmulatedStack.How.NOT_EMULATED).forEach(o ->
                assertTrue(EmulatedStack.notEmulated(emulator).containsKey(o.type() + "." + o.property()), o.toString()));
    }

    @Test
    void theScanFunctionsEnvironmentAndEventSourceNameTheDeployedResources() {
        DeployedStack deployed = stack.stack();
        JsonNode env = deployed.property(EmulatedScanFunction.FUNCTION, "Environment").path("Variables");
        EventSourceMapping mapping = EventSourceMapping.single(deployed, EmulatedScanFunction.FUNCTION);

        // The uploads the function scans notify the queue its event source polls.
        String uploads = env.path("UPLOAD_BUCKETS").asText();
        List<String> notified = new ArrayList<>();
        clients.s3().getBucketNotificationConfiguration(b -> b.bucket(uploads)).queueConfigurations()
                .forEach(q -> notified.add(q.queueArn()));
        assertTrue(notified.contains(mapping.queueArn()), uploads + " notifies " + notified + ", but "
                + EmulatedScanFunction.FUNCTION + " polls " + mapping.queueArn());

        // The function holds an upload on the delivery its queue's redrive policy makes the last.
        String queue = stack.queueUrlOf(mapping.queueArn());
        JsonNode redrive = dev.sentinel.json.Json.mapper().valueToTree(clients.sqs().getQueueAttributes(b -> b
                .queueUrl(queue).attributeNamesWithStrings("RedrivePolicy")).attributesAsStrings());
        String maxReceives = parse(redrive.path("RedrivePolicy").asText()).path("maxReceiveCount").asText();
        assertEquals(env.path("SCAN_HOLD_AFTER_ATTEMPTS").asText(), maxReceives);

        // Every table and bucket the function is told of exists in the emulator.
        for (String table : List.of("VERDICTS_TABLE", "HASH_BANK_TABLE", "CASES_TABLE")) {
            assertEquals("ACTIVE", clients.dynamo().describeTable(b -> b.tableName(env.path(table).asText())).table()
                    .tableStatusAsString(), table);
        }
        clients.s3().headBucket(b -> b.bucket(env.path("QUARANTINE_BUCKET").asText()));
        clients.s3().headBucket(b -> b.bucket(uploads));
    }

    @Test
    void everyResourceTypeLeftOutIsNamedInTheReadme() throws Exception {
        String readme = Files.readString(SamTransform.repositoryRoot().resolve("README.md"));
        for (String type : EmulatedStack.leftOut(stack.stack().template()).keySet()) {
            assertTrue(readme.contains("`" + type + "`"), "the README's emulator section names " + type);
        }
    }

    /** What a broken copy breaks: the text replaced in template.yaml, and what the failure must mention. */
    record Breakage(String name, String original, String broken, String expected) { }

    static Stream<Breakage> breakages() {
        return Stream.of(
                new Breakage("notification target", "s3:ObjectCreated:*\n            Queue: !GetAtt ScanQueue.Arn\n",
                        "s3:ObjectCreated:*\n            Queue: !GetAtt ScanDeadLetterQueue.Arn\n", "no verdict"),
                new Breakage("notification to a queue that is not there",
                        "s3:ObjectCreated:*\n            Queue: !GetAtt ScanQueue.Arn\n",
                        "s3:ObjectCreated:*\n            Queue: !Sub \"${ScanQueue.Arn}-gone\"\n", "deployment refused"),
                new Breakage("event source queue", "            Queue: !GetAtt ScanQueue.Arn\n            BatchSize",
                        "            Queue: !GetAtt ScanDeadLetterQueue.Arn\n            BatchSize", "no verdict"),
                new Breakage("redrive target", "deadLetterTargetArn: !GetAtt ScanDeadLetterQueue.Arn",
                        "deadLetterTargetArn: !Sub \"${ScanDeadLetterQueue.Arn}-gone\"", "deployment refused"),
                new Breakage("verdicts key schema", "      KeySchema:\n        - AttributeName: verdictId\n",
                        "      KeySchema:\n        - AttributeName: objectKey\n", "no verdict"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void aCopyOfTheTemplateBrokenWhereDeploymentsGoWrongFails(Breakage breakage) throws Exception {
        String text = Files.readString(SamTransform.repositoryRoot().resolve("template.yaml"));
        assertEquals(text.indexOf(breakage.original()), text.lastIndexOf(breakage.original()),
                "the text to break is in template.yaml exactly once: " + breakage.original());
        assertTrue(text.contains(breakage.original()), "template.yaml still has " + breakage.original());
        Path copy = dir.resolve("template.yaml");
        Files.writeString(copy, text.replace(breakage.original(), breakage.broken()));

        String failure = deployAndScanOne(SamTransform.transform(copy));
        System.out.println("Broken " + breakage.name() + ": " + failure);
        assertTrue(failure.contains(breakage.expected()), failure);
    }

    /** The pipeline in miniature on a fresh stack of {@code template}: deploy, upload one image, expect its verdict. */
    private static String deployAndScanOne(JsonNode template) throws InterruptedException {
        EmulatedStack broken;
        try {
            broken = EmulatorTests.deploy(emulator, clients, template, Map.of("ModerationEngine", "embedded"));
        } catch (IllegalStateException e) {
            return "deployment refused: " + e.getMessage();
        }
        try (EmulatedScanFunction function = EmulatorTests.embeddedFunction(broken, invocation -> { })) {
            String bucket = function.settings().uploadBuckets().iterator().next();
            String version = clients.s3().putObject(b -> b.bucket(bucket).key("probe.jpg"),
                    RequestBody.fromBytes(EmulatorTests.sample("wee.jpg"))).versionId();
            return EmulatorTests.awaitVerdictOrQuiet(function, bucket, "probe.jpg", version, Duration.ofSeconds(60))
                    .map(v -> "scanned: " + v.action())
                    .orElse("no verdict; " + function.source().invocations().size() + " invocations, "
                            + function.source().invocations().stream().mapToInt(i -> i.failed().size()).sum()
                            + " failed deliveries; the function's last error: " + EmulatorTests.lastLoggedError(broken));
        } catch (RuntimeException e) {
            return "the function failed to start or scan: " + e;
        }
    }

    @Test
    void anIntactCopyScans() throws Exception {
        // The same probe passes on the template as it is, so the failures above are the breakages'.
        String result = deployAndScanOne(SamTransform.repositoryTemplate());
        assertTrue(result.startsWith("scanned"), result);
        assertFalse(result.contains("no verdict"), result);
    }

    private static List<String> types() {
        List<String> all = new ArrayList<>(EmulatedStack.CLOUDFORMATION_TYPES);
        all.addAll(EmulatedStack.SDK_TYPES);
        return all;
    }

    private static JsonNode parse(String json) {
        try {
            return dev.sentinel.json.Json.mapper().readTree(json);
        } catch (Exception e) {
            return fail("not JSON: " + json);
        }
    }
}
