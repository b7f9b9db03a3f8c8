package dev.sentinel.engine.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The path is chosen once per JVM, from how the JVM was started: each case runs {@link #main} in a new JVM and
 * reads the one structured line the choice logs.
 */
class KernelSelectionTest {

    /** In the child: selects twice, so a second log line would show. */
    public static void main(String[] args) {
        Kernels.selected();
        Kernels.selected();
    }

    @Test
    void withoutTheVectorModuleTheScalarPathIsChosenAndTheLineSaysWhy() throws Exception {
        JsonNode line = selectionIn();

        assertEquals("scalar", line.path("path").asText());
        assertTrue(line.path("reason").asText().contains("--add-modules jdk.incubator.vector"), line.toString());
    }

    @Test
    void withTheModuleTheVectorPathIsChosen() throws Exception {
        JsonNode line = selectionIn("--add-modules", "jdk.incubator.vector");

        assertEquals("vector", line.path("path").asText());
        assertTrue(line.path("vectorBits").asInt() >= 128, line.toString());
    }

    @Test
    void withoutTheC2CompilerTheScalarPathIsChosenEvenWithTheModule() throws Exception {
        JsonNode line = selectionIn("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");

        assertEquals("scalar", line.path("path").asText());
        assertTrue(line.path("reason").asText().contains("TieredStopAtLevel=1"), line.toString());
    }

    @Test
    void aPropertyForcesTheScalarPath() throws Exception {
        JsonNode line = selectionIn("--add-modules", "jdk.incubator.vector", "-D" + Kernels.PATH_PROPERTY + "=scalar");

        assertEquals("scalar", line.path("path").asText());
        assertEquals(Kernels.PATH_PROPERTY + "=scalar", line.path("reason").asText());
    }

    /** The selection line logged by a new JVM started with {@code options}; fails unless there is exactly one. */
    private static JsonNode selectionIn(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelSelectionTest.class.getName()));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out);
        List<JsonNode> lines = new ArrayList<>();
        for (String text : out.lines().toList()) {
            JsonNode line = Json.mapper().readTree(text);
            if (line.path("event").asText().equals("embedded-kernels-selected")) {
                lines.add(line);
            }
        }
        assertEquals(1, lines.size(), out);
        return lines.get(0);
    }
}
