package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** An operator deploys with the README's parameter table in hand: it lists the template's parameters and defaults. */
class ReadmeParameterTableTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    // CloudFormation's short tags (!Ref, !Equals) are read as plain scalars; only Parameters is used here.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String HEADER = "| Parameter | Default | Meaning |";
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    @Test
    void readmeParameterTableListsEveryTemplateParameterWithItsDefault() throws Exception {
        JsonNode parameters = YAML.readTree(REPO.resolve("template.yaml").toFile()).path("Parameters");
        assertFalse(parameters.isEmpty(), "template.yaml has no Parameters");
        List<String> problems = disagreements(parameters, Files.readAllLines(REPO.resolve("README.md")));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyDisagreementNamesItsParameter() throws Exception {
        JsonNode parameters = YAML.readTree("""
                Parameters:
                  Size: {Type: String, Default: auto}
                  Days: {Type: Number, Default: 365}
                  Email: {Type: String, Default: ""}
                  Region: {Type: String}
                  Extra: {Type: String, Default: x}
                """).path("Parameters");
        List<String> readme = List.of("Intro", "", HEADER, "|---|---|---|",
                "| `Size` | 1024 | memory |",
                "| `Days` | 365 | retention |",
                "| `Email` | `\"\"` (none) | alarm address |",
                "| `Region` | (required) | where |",
                "| `Gone` | `y` | no longer a parameter |",
                "", "| `NotInTheTable` | 1 | after the table ends |");
        assertEquals(List.of(
                "Size: README says default \"1024\", template.yaml says \"auto\"",
                "Extra: in template.yaml (default \"x\") but not in the README's table",
                "Gone: in the README's table but not a parameter of template.yaml"),
                disagreements(parameters, readme));
    }

    private static List<String> disagreements(JsonNode parameters, List<String> readme) {
        Map<String, String> documented = readmeTable(readme);
        List<String> problems = new ArrayList<>();
        parameters.fields().forEachRemaining(parameter -> {
            String name = parameter.getKey();
            JsonNode value = parameter.getValue().get("Default");
            // A parameter without a default must be answered at deploy time.
            String expected = value == null ? "(required)" : value.asText();
            if (!documented.containsKey(name)) {
                problems.add(name + ": in template.yaml (default \"" + expected + "\") but not in the README's table");
            } else if (!documented.get(name).equals(expected)) {
                problems.add(name + ": README says default \"" + documented.get(name) + "\", template.yaml says \""
                        + expected + "\"");
            }
        });
        documented.keySet().stream().filter(name -> !parameters.has(name)).forEach(name ->
                problems.add(name + ": in the README's table but not a parameter of template.yaml"));
        return problems;
    }

    /**
     * Parameter name to default, from the table under {@link #HEADER}. A default cell is read from its first code
     * span when it has one (so `""` is the empty string and may be followed by a note), else as written.
     */
    private static Map<String, String> readmeTable(List<String> lines) {
        int start = lines.indexOf(HEADER);
        assertTrue(start >= 0, "README.md has no table headed " + HEADER);
        Map<String, String> table = new LinkedHashMap<>();
        for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String[] cells = lines.get(i).split("\\|", -1);
            assertTrue(cells.length >= 4, "README table row: " + lines.get(i));
            String name = cells[1].trim().replace("`", "");
            String cell = cells[2].trim();
            Matcher code = CODE.matcher(cell);
            String value = code.find() ? code.group(1) : cell;
            table.put(name, value.equals("\"\"") ? "" : value);
        }
        return table;
    }
}
