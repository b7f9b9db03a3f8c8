package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every AWS call a function's code made in a test JVM, one JSON line each, under the repository's
 * {@code target/aws-calls/<module>.jsonl}: what each module's tests exercised, read back by the least-privilege
 * proof after the whole suite. A module's file is started afresh by the first call of each run of its tests.
 */
public final class CallLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static BufferedWriter writer;

    /** The stack the repository's template.yaml deploys; other stacks are written by tests of single rules. */
    public static final String REPOSITORY_STACK = "template.yaml";

    /**
     * One recorded call: which stack judged it, who made it, what it was, which test made it, and each permission
     * with its decision.
     */
    public record Call(String stack, String function, String operation, String test, List<Checked> checks) { }

    /**
     * @param context the condition keys the decision read, with the values the request had
     * @param outcome ALLOWED, EXPLICIT_DENY or IMPLICIT_DENY at the time of the call
     */
    public record Checked(Authorization authorization, Map<String, String> context, String outcome) { }

    private CallLog() {
    }

    static synchronized void append(Call call) {
        try {
            if (writer == null) {
                Path file = directory().resolve(moduleName() + ".jsonl");
                Files.createDirectories(file.getParent());
                writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            }
            writer.write(JSON.writeValueAsString(toJson(call)));
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("recording an AWS call", e);
        }
    }

    public static Path directory() {
        return SamTransform.repositoryRoot().resolve("target/aws-calls");
    }

    /** Surefire runs each module's tests in the module's folder: its name tells the modules' logs apart. */
    private static String moduleName() {
        return System.getProperty("sentinel.module", Path.of("").toAbsolutePath().getFileName().toString());
    }

    /** Every call recorded by every module's tests, in file order. */
    public static List<Call> readAll() {
        List<Call> calls = new ArrayList<>();
        if (!Files.isDirectory(directory())) {
            return calls;
        }
        try (Stream<Path> files = Files.list(directory())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        calls.add(fromJson(JSON.readTree(line)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the recorded AWS calls", e);
        }
        return calls;
    }

    private static ObjectNode toJson(Call call) {
        ObjectNode node = JSON.createObjectNode().put("stack", call.stack()).put("function", call.function())
                .put("operation", call.operation())
                .put("test", call.test());
        ArrayNode checks = node.putArray("checks");
        for (Checked checked : call.checks()) {
            Authorization a = checked.authorization();
            ObjectNode check = checks.addObject().put("action", a.action()).put("arn", a.resourceArn())
                    .put("resource", a.resource()).put("why", a.why()).put("outcome", checked.outcome());
            check.set("requestKeys", JSON.valueToTree(a.requestKeys()));
            check.set("context", JSON.valueToTree(checked.context()));
            if (a.object() != null) {
                check.set("object", JSON.valueToTree(a.object()));
            }
        }
        return node;
    }

    private static Call fromJson(JsonNode node) {
        List<Checked> checks = new ArrayList<>();
        for (JsonNode check : node.path("checks")) {
            Authorization.ObjectAddress object = check.has("object")
                    ? JSON.convertValue(check.get("object"), Authorization.ObjectAddress.class) : null;
            Authorization a = new Authorization(check.path("action").asText(), check.path("arn").asText(),
                    check.path("resource").isNull() ? null : check.path("resource").asText(null),
                    strings(check.path("requestKeys")), check.path("why").asText(), object);
            checks.add(new Checked(a, strings(check.path("context")), check.path("outcome").asText()));
        }
        return new Call(node.path("stack").asText(), node.path("function").asText(), node.path("operation").asText(),
                node.path("test").asText(), checks);
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        node.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
        return values;
    }
}
