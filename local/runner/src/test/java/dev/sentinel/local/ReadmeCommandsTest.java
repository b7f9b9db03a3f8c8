package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's two commands are what CI runs and what every other instruction repeats: .ci/run reads them from the
 * README, the runner's usage text and the README's other runner lines start the same way, the test command is a
 * script that can be run, and nothing tells anyone to `mvn install` (a SNAPSHOT in ~/.m2 hides a broken command).
 */
class ReadmeCommandsTest {

    private static Path repo;
    private static List<String> readmeCommands;

    @BeforeAll
    static void readReadme() throws IOException {
        repo = dev.sentinel.local.aws.SampleEvents.directory().getParent();
        readmeCommands = new ArrayList<>();
        boolean inBlock = false;
        for (String line : Files.readAllLines(repo.resolve("README.md"))) {
            if (!inBlock) {
                inBlock = line.startsWith("```bash");
                continue;
            }
            if (line.startsWith("```")) {
                break;
            }
            String command = line.replaceAll("\\s+#.*$", "").strip();
            if (!command.isEmpty()) {
                readmeCommands.add(command);
            }
        }
        assertTrue(readmeCommands.size() >= 2, "the README's first bash block holds two commands: " + readmeCommands);
    }

    @Test
    void ciRunsTheReadmesTwoCommandsAsWritten() throws Exception {
        Process print = new ProcessBuilder("bash", ".ci/run", "--print").directory(repo.toFile())
                .redirectErrorStream(true).start();
        String printed = new String(print.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(print.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, print.exitValue(), printed);
        assertEquals(readmeCommands.subList(0, 2), printed.lines().toList());
    }

    @Test
    void theTestCommandIsAnExecutableScriptInTheRepository() {
        Path script = repo.resolve(readmeCommands.get(1).split(" ")[0]);
        assertTrue(Files.isRegularFile(script) && Files.isExecutable(script), script + " must be an executable file");
    }

    @Test
    void everyRunnerCommandStartsLikeTheFirstAndNeverInstalls() throws IOException {
        String first = readmeCommands.get(0);
        assertTrue(RunnerOptions.USAGE.startsWith("Usage: " + first + " -Dexec.args="), RunnerOptions.USAGE.lines()
                .findFirst().orElse(""));
        List<String> runnerLines = Files.readAllLines(repo.resolve("README.md")).stream()
                .filter(line -> line.startsWith("mvn ") && line.contains("-pl local/runner")).toList();
        assertTrue(runnerLines.size() >= 5, runnerLines.toString());
        for (String line : runnerLines) {
            assertTrue(line.startsWith(first), line + "\n  does not start with the README's first command " + first);
        }

        Pattern install = Pattern.compile("\\bmvn\\b[^\\n]*\\sinstall\\b");
        List<Path> texts = new ArrayList<>(List.of(repo.resolve("README.md"), repo.resolve("Makefile"),
                repo.resolve(".ci/run"), repo.resolve(readmeCommands.get(1).split(" ")[0]),
                repo.resolve("local/runner/src/main/java/dev/sentinel/local/RunnerOptions.java")));
        try (Stream<Path> docs = Files.list(repo.resolve("docs"))) {
            docs.filter(f -> f.toString().endsWith(".md")).forEach(texts::add);
        }
        for (Path text : texts) {
            assertFalse(install.matcher(Files.readString(text)).find(), text + " tells someone to run mvn install");
        }
    }
}
