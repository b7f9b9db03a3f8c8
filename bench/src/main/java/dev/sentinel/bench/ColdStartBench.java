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
    record Result(String function, int memoryMb, String variant, int runs, double jvmStartToFirstResultMs, double jvmToMainMs,
                  double initMs, double primeMs, double firstInvokeMs, double warmMedianMs, double peakHeapMb, double rssPeakMb,
                  String firstResponse) { }

    private final Path repo;
    private final Path probeJar;
    private final Map<String, String> baseEnv;

    ColdStartBench(Path repo, Map<String, String> baseEnv) throws IOException {
        this.repo = repo;
        this.probeJar = probeJar(repo.resolve("bench/target"));
        this.baseEnv = baseEnv;
    }

    /** The same probe on the function jars of another checkout ({@code checkout}/functions/&lt;module&gt;/target). */
    ColdStartBench withJarsOf(Path checkout) {
        return new ColdStartBench(checkout, probeJar, baseEnv);
    }

    private ColdStartBench(Path repo, Path probeJar, Map<String, String> baseEnv) {
        this.repo = repo;
        this.probeJar = probeJar;
        this.baseEnv = baseEnv;
    }

    /** The deployment jar of {@code module} this bench starts. */
    Path jar(String module) {
        return repo.resolve("functions").resolve(module).resolve("target").resolve(module + ".jar");
    }

    /**
     * The probe and the trivial handler in a jar of their own: the children get nothing else of the bench, and a
     * class-data archive accepts only jars on the class path, not directories.
     */
    private static Path probeJar(Path target) throws IOException {
        Path jar = target.resolve("cold-start-probe.jar");
        Path classes = target.resolve("classes");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> type : List.of(ColdStartProbe.class, TrivialHandler.class)) {
                String entry = type.getName().replace('.', '/') + ".class";
                out.putNextEntry(new java.util.jar.JarEntry(entry));
                out.write(Files.readAllBytes(classes.resolve(entry)));
                out.closeEntry();
            }
        }
        return jar;
    }

    Result measure(Subject subject, int memoryMb, int runs) throws IOException, InterruptedException {
        return measure(subject, memoryMb, runs, List.of(), "plain");
    }

    /**
     * With an application class-data archive made by one training run of the same function: the classes it loads
     * are mapped from the archive instead of being read, verified and parsed from the jar. On Lambda the archive
     * ships in the deployment package and {@code JAVA_TOOL_OPTIONS} names it. Measured twice: as it is, and with
     * the function's SnapStart priming run before the first invocation (as it runs before Lambda's snapshot), so
     * that the first invocation's time is what a restored container would spend after the restore itself.
     */
    List<Result> measureWithClassArchive(Subject subject, int memoryMb, int runs, Path archiveDir)
            throws IOException, InterruptedException {
        Path archive = archiveDir.resolve(subject.module() + "-" + Math.abs(subject.name().hashCode()) + ".jsa");
        Files.deleteIfExists(archive);
        runOnce(subject, memoryMb, List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dprobe.prime=true"));
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the training run of " + subject.name() + " wrote no class-data archive");
        }
        String useArchive = "-XX:SharedArchiveFile=" + archive;
        return List.of(measure(subject, memoryMb, runs, List.of(useArchive), "AppCDS"),
                measure(subject, memoryMb, runs, List.of(useArchive, "-Dprobe.prime=true"), "AppCDS + primed"));
    }

    Result measure(Subject subject, int memoryMb, int runs, List<String> flags, String variant)
            throws IOException, InterruptedException {
        List<JsonNode> samples = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            samples.add(runOnce(subject, memoryMb, flags));
        }
        return new Result(subject.name(), memoryMb, variant, runs, median(samples, "jvmStartToFirstResultMs"),
                median(samples, "jvmToMainMs"), median(samples, "initMs"), median(samples, "primeMs"),
                median(samples, "firstInvokeMs"),
                median(samples, "warmMedianMs"), max(samples, "peakHeapMb"), max(samples, "rssPeakMb"),
                samples.get(0).path("firstResponse").asText());
    }

    /** One cold start: the probe's JSON line (timings, memory, classes loaded, the first response). */
    JsonNode runOnce(Subject subject, int memoryMb, List<String> flags)
            throws IOException, InterruptedException {
        Path jar = jar(subject.module());
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the functions first (mvn -DskipTests package)");
        }
        List<String> command = new ArrayList<>(List.of(javaBinary(),
                // What Lambda's memory setting gives the JVM, and the template's tiered-compilation flags.
                "-XX:MaxRAM=" + memoryMb + "m", "-XX:MaxRAMPercentage=85", "-XX:+UseSerialGC",
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        command.addAll(flags);
        // Extra JVM flags for the children, e.g. a flight recording to see what a cold start spends its time on.
        String extra = System.getProperty("bench.childFlags", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-cp", probeJar + java.io.File.pathSeparator + jar, ColdStartProbe.class.getName(),
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
