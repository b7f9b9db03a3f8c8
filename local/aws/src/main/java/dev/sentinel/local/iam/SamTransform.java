package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sentinel.local.aws.SampleEvents;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * template.yaml expanded to plain CloudFormation by the SAM translator (the same library `sam deploy` runs), so what
 * is evaluated is the roles, policies and resources AWS would create, not our reading of SAM's shorthand. The
 * translator is Python (aws-sam-translator, with cfn-lint to read the YAML); the result is kept under target/ per
 * template content, so each test JVM pays for it once.
 */
public final class SamTransform {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String INSTALL_HINT = "the SAM transform needs python3 with aws-sam-translator and cfn-lint "
            + "(on other machines: pip install aws-sam-translator cfn-lint)";

    private SamTransform() {
    }

    /** The repository's template.yaml, transformed. */
    public static JsonNode repositoryTemplate() {
        return transform(repositoryRoot().resolve("template.yaml"));
    }

    public static Path repositoryRoot() {
        return SampleEvents.directory().getParent();
    }

    public static synchronized JsonNode transform(Path template) {
        try {
            byte[] text = Files.readAllBytes(template);
            Path cached = repositoryRoot().resolve("target/sam/template-" + sha256(text).substring(0, 16) + ".json");
            if (!Files.isRegularFile(cached)) {
                Files.createDirectories(cached.getParent());
                Path partial = Files.createTempFile(cached.getParent(), "transform", ".json");
                run(template, partial);
                Files.move(partial, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return JSON.readTree(cached.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("transforming " + template, e);
        }
    }

    private static void run(Path template, Path output) throws IOException {
        Path script = Files.createTempFile("sam_transform", ".py");
        try (InputStream in = SamTransform.class.getResourceAsStream("sam_transform.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path errors = Files.createTempFile("sam_transform", ".err");
        ProcessBuilder builder = new ProcessBuilder("python3", script.toString(), template.toAbsolutePath().toString())
                .redirectOutput(output.toFile()).redirectError(errors.toFile());
        builder.environment().put("AWS_DEFAULT_REGION", DeployedStack.REGION);
        try {
            Process process = builder.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the SAM transform did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                String detail = Files.readString(errors, StandardCharsets.UTF_8).strip();
                throw new IllegalStateException("the SAM transform of " + template + " failed ("
                        + (detail.contains("ModuleNotFoundError") ? INSTALL_HINT : "exit " + process.exitValue())
                        + "): " + detail);
            }
        } catch (IOException e) {
            throw new IllegalStateException(INSTALL_HINT + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while transforming " + template, e);
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(errors);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
