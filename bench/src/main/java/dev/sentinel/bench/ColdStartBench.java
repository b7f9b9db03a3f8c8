package dev.sentinel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cold starts measured the way Lambda makes them: a new JVM per run, with the function's own shaded jar, the JVM
 * flags of the template, and the local servers already up. Each function is compared with {@link TrivialHandler}
 * started the same way in the same run.
 */
final class ColdStartBench {

    /** A function to start: its module (jar), handler, the events of one cold and some warm invocations. */
    record Subject(String name, String module, String handler, java.util.function.Supplier<List<Path>> events,
                   Map<String, String> env) { }

    /** Medians over the runs of one subject at one memory size. */
    record Result(String function, int memoryMb, int runs, double jvmStartToFirstResultMs, double jvmToMainMs,
                  double initMs, double firstInvokeMs, double warmMedianMs, double peakHeapMb, double rssPeakMb,
                  String firstResponse) { }

    private final Path repo;
    private final Path probeClasses;
    private final Map<String, String> baseEnv;

    ColdStartBench(Path repo, Map<String, String> baseEnv) {
        this.repo = repo;
        this.probeClasses = repo.resolve("bench/target/classes");
        this.baseEnv = baseEnv;
    }

    Result measure(Subject subject, int memoryMb, int runs) throws IOException, InterruptedException {
        List<JsonNode> samples = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            samples.add(runOnce(subject, memoryMb));
        }
        return new Result(subject.name(), memoryMb, runs, median(samples, "jvmStartToFirstResultMs"),
                median(samples, "jvmToMainMs"), median(samples, "initMs"), median(samples, "firstInvokeMs"),
                median(samples, "warmMedianMs"), max(samples, "peakHeapMb"), max(samples, "rssPeakMb"),
                samples.get(0).path("firstResponse").asText());
    }

    private JsonNode runOnce(Subject subject, int memoryMb) throws IOException, InterruptedException {
        Path jar = repo.resolve("functions").resolve(subject.module()).resolve("target")
                .resolve(subject.module() + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the functions first (mvn -DskipTests package)");
        }
        List<String> command = new ArrayList<>(List.of(javaBinary(),
                // What Lambda's memory setting gives the JVM, and the template's tiered-compilation flags.
                "-XX:MaxRAM=" + memoryMb + "m", "-XX:MaxRAMPercentage=85", "-XX:+UseSerialGC",
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", probeClasses + java.io.File.pathSeparator + jar, ColdStartProbe.class.getName(),
                subject.handler()));
        subject.events().get().forEach(e -> command.add(e.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(baseEnv);
        builder.environment().putAll(subject.env());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(subject.name() + " did not finish");
        }
        String line = out.lines().filter(l -> l.startsWith("{\"jvmToMainMs\"")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException(subject.name() + " printed no result: " + out));
        return Json.mapper().readTree(line);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static double median(List<JsonNode> samples, String field) {
        double[] values = samples.stream().mapToDouble(s -> s.path(field).asDouble()).toArray();
        return Stats.of(values).p50();
    }

    private static double max(List<JsonNode> samples, String field) {
        return samples.stream().mapToDouble(s -> s.path(field).asDouble()).max().orElse(0);
    }

    /** Environment common to every function: local endpoints, a region, test credentials, no metadata lookups. */
    static Map<String, String> localEnvironment(Map<String, String> endpoints) {
        Map<String, String> env = new LinkedHashMap<>(endpoints);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "bench");
        env.put("AWS_SECRET_ACCESS_KEY", "bench");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return env;
    }
}
