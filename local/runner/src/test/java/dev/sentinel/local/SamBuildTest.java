package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sentinel.engine.embedded.NsfwClassifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `sam build` does with template.yaml, without SAM CLI: for each function built with {@code BuildMethod:
 * makefile}, aws-lambda-builders' custom_make workflow copies the CodeUri folder (less .git and .aws-sam) to a scratch
 * folder and runs {@code make --makefile <CodeUri>/Makefile build-<LogicalId>} there with {@code ARTIFACTS_DIR} set to
 * an empty folder. Then each folder must be a function Lambda's Java runtime can load: the handler class from the
 * folder's root and lib/*.jar, with only the platform's classes beneath, and the model weights where the engine runs.
 */
class SamBuildTest {

    // SAM's exclusions, plus what a clean clone does not have: build output the copy must not lean on.
    private static final Set<String> NOT_COPIED = Set.of(".git", ".aws-sam", "target", "node_modules", "local-output");

    @TempDir
    Path scratch;

    @Test
    void everyMakefileTargetLaysOutALoadableFunctionFromACleanCopy() throws Exception {
        Path repo = dev.sentinel.local.aws.SampleEvents.directory().getParent();
        JsonNode resources = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("template.yaml").toFile())
                .get("Resources");
        Map<String, JsonNode> functions = new LinkedHashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Serverless::Function")) {
                functions.put(e.getKey(), e.getValue());
            }
        });
        assertEquals(7, functions.size(), functions.keySet().toString());

        Path source = scratch.resolve("source");
        copyAsSamDoes(repo, source);
        Set<String> runEngine = new java.util.TreeSet<>();
        long total = System.nanoTime();
        for (Map.Entry<String, JsonNode> function : functions.entrySet()) {
            String id = function.getKey();
            JsonNode props = function.getValue().get("Properties");
            assertEquals("makefile", function.getValue().at("/Metadata/BuildMethod").asText(), id);
            // The CodeUri folder holds the Makefile SAM runs; the working directory is the copy of that folder.
            Path makefile = repo.resolve(props.get("CodeUri").asText()).resolve("Makefile").normalize();
            Path artifacts = Files.createDirectories(scratch.resolve("artifacts").resolve(id));

            long started = System.nanoTime();
            run(source, artifacts, List.of("make", "--makefile", makefile.toString(), "build-" + id));
            System.out.printf("SamBuildTest: build-%s took %.1f s%n", id, (System.nanoTime() - started) / 1e9);

            String handler = props.get("Handler").asText();
            try (URLClassLoader lambda = lambdaClassLoader(artifacts)) {
                try {
                    Class<?> type = Class.forName(handler.split("::")[0], false, lambda);
                    assertTrue(type.getClassLoader() == lambda, handler + " must come from the function's own code");
                    Class<?> context = Class.forName("com.amazonaws.services.lambda.runtime.Context", false, lambda);
                    type.getMethod(handler.split("::")[1], InputStream.class, OutputStream.class, context);
                    type.getConstructor();
                } catch (ReflectiveOperationException | LinkageError e) {
                    throw new AssertionError("build-" + id + " laid out code Lambda cannot load " + handler
                            + " from: " + e, e);
                }

                // The functions that run an engine read the embedded model's weights from their class path.
                boolean runsEngine = props.path("Environment").path("Variables").has("MODERATION_ENGINE");
                if (runsEngine) {
                    runEngine.add(id);
                }
                for (String file : runsEngine ? List.of("model.json", "weights.bin") : List.<String>of()) {
                    String name = NsfwClassifier.DEFAULT_MODEL.substring(1) + "/" + file;
                    URL packaged = lambda.getResource(name);
                    assertNotNull(packaged, id + " runs the engine but its code has no " + name);
                    try (InputStream in = packaged.openStream()) {
                        assertEquals(Files.size(source.resolve("models/nsfwjs/target/classes").resolve(name)),
                                in.readAllBytes().length, id + ": " + name + " is not the built model's");
                    }
                }
            }
        }
        System.out.printf("SamBuildTest: %d functions built in %.1f s%n", functions.size(),
                (System.nanoTime() - total) / 1e9);
        assertEquals(Set.of("ModerationApiFunction", "ScanUploadFunction"), runEngine, "the functions checked for the model");
    }

    /** Lambda's Java runtime: /var/task itself, then every jar in /var/task/lib, above the platform's classes. */
    private static URLClassLoader lambdaClassLoader(Path task) throws IOException {
        List<URL> path = new ArrayList<>();
        path.add(task.toUri().toURL());
        Path lib = task.resolve("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                for (Path jar : jars.filter(j -> j.toString().endsWith(".jar")).sorted().toList()) {
                    path.add(jar.toUri().toURL());
                }
            }
        }
        return new URLClassLoader(path.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static void run(Path workingDirectory, Path artifacts, List<String> command) throws Exception {
        Path log = Files.createTempFile(artifacts.getParent(), "make-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("ARTIFACTS_DIR", artifacts.toString());
        Process make;
        try {
            make = builder.start();
        } catch (IOException e) {
            throw new AssertionError("`sam build` runs make, which is not installed here (Debian: apt-get install "
                    + "make): " + e.getMessage(), e);
        }
        if (!make.waitFor(10, TimeUnit.MINUTES)) {
            make.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 10 minutes");
        }
        if (make.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log);
            fail(String.join(" ", command) + " failed (exit " + make.exitValue() + "):\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        try (Stream<Path> laidOut = Files.list(artifacts)) {
            assertFalse(laidOut.findAny().isEmpty(), String.join(" ", command) + " left ARTIFACTS_DIR empty");
        }
    }

    private static void copyAsSamDoes(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                if (!dir.equals(from) && NOT_COPIED.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!NOT_COPIED.contains(file.getFileName().toString())) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
