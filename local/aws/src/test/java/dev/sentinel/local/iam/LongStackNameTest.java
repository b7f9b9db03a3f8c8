package dev.sentinel.local.iam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The template deploys under any stack name CloudFormation accepts: every name and other text a resource gets,
 * resolved with a long stack name, fits the limits of its resource type's schema (as cfn-lint ships them). A
 * {@code FunctionName: ${AWS::StackName}-operations-api} broke every stack name over 49 characters.
 */
class LongStackNameTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode template;
    private static JsonNode limits;

    @BeforeAll
    static void readTemplateAndLimits() throws IOException, InterruptedException {
        template = SamTransform.repositoryTemplate();
        Set<String> types = new TreeSet<>();
        template.path("Resources").forEach(resource -> types.add(resource.path("Type").asText()));
        limits = limitsOf(types);
        assertTrue(limits.has("AWS::Lambda::Function") && limits.has("AWS::Logs::LogGroup"), limits.toString());
    }

    @Test
    void aSixtyOneCharacterStackNameGivesValidNames() {
        String name = "sentinel-image-moderation-production-eu-west-1-tenant-17-2026";
        assertEquals(61, name.length());
        assertEquals(List.of(), problems(DeployedStack.of(template, Map.of(), name)));
    }

    @Test
    void theLongestStackNameCloudFormationAcceptsGivesValidNames() {
        String name = "s" + "-moderation".repeat(11) + "x".repeat(6);
        assertEquals(DeployedStack.MAX_STACK_NAME, name.length());
        assertEquals(List.of(), problems(DeployedStack.of(template, Map.of(), name)));
    }

    /** The check itself: a name that cannot fit is reported. */
    @Test
    void aNameOverItsLimitIsReported() {
        JsonNode named = template.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) named.path("Resources").path("ScanUploadFunction")
                .path("Properties")).set("FunctionName", JSON.createObjectNode()
                .put("Fn::Sub", "${AWS::StackName}-operations-api"));

        List<String> problems = problems(DeployedStack.of(named, Map.of(), "s" + "x".repeat(49)));

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("ScanUploadFunction FunctionName: 65 characters"), problems.get(0));
    }

    /** Every top-level text property the schemas limit, resolved in {@code stack}, that breaks its limit. */
    private static List<String> problems(DeployedStack stack) {
        List<String> problems = new ArrayList<>();
        stack.template().path("Resources").fields().forEachRemaining(resource -> {
            JsonNode typeLimits = limits.path(resource.getValue().path("Type").asText());
            resource.getValue().path("Properties").fieldNames().forEachRemaining(property -> {
                JsonNode limit = typeLimits.path(property);
                if (limit.isMissingNode()) {
                    return;
                }
                JsonNode value = stack.property(resource.getKey(), property);
                if (!value.isTextual()) {
                    return;
                }
                String text = value.asText();
                String where = resource.getKey() + " " + property + ": ";
                if (limit.has("maxLength") && text.length() > limit.get("maxLength").asInt()) {
                    problems.add(where + text.length() + " characters, over " + limit.get("maxLength").asInt()
                            + " (" + text + ")");
                }
                if (limit.has("minLength") && text.length() < limit.get("minLength").asInt()) {
                    problems.add(where + "shorter than " + limit.get("minLength").asInt());
                }
                if (limit.has("pattern") && !matches(limit.get("pattern").asText(), text)) {
                    problems.add(where + "'" + text + "' does not match " + limit.get("pattern").asText());
                }
            });
        });
        return problems;
    }

    /** Schema patterns are ECMAScript: searched, not matched whole; the few Java cannot read are left out. */
    private static boolean matches(String pattern, String text) {
        try {
            return Pattern.compile(pattern).matcher(text).find();
        } catch (PatternSyntaxException unreadable) {
            return true;
        }
    }

    private static JsonNode limitsOf(Set<String> types) throws IOException, InterruptedException {
        Path script = Files.createTempFile("property_limits", ".py");
        try (InputStream in = LongStackNameTest.class.getResourceAsStream("property_limits.py")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Process python = new ProcessBuilder("python3", script.toString()).redirectErrorStream(false).start();
            python.getOutputStream().write(JSON.writeValueAsBytes(types));
            python.getOutputStream().close();
            byte[] out = python.getInputStream().readAllBytes();
            String err = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!python.waitFor(120, TimeUnit.SECONDS) || python.exitValue() != 0) {
                throw new IllegalStateException(SamTransform.INSTALL_HINT + ": " + err);
            }
            return JSON.readTree(out);
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
