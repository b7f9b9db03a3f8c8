package dev.sentinel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded engine's kernels against TensorFlow Java, each configuration in a JVM of its own
 * ({@link EngineSpeedProbe}): TensorFlow reads {@code TF_ENABLE_ONEDNN_OPTS} once, when its native library loads,
 * so Eigen and oneDNN need separate JVMs, and the embedded engine's kernel path is chosen once per JVM too. Without
 * the {@code tensorflow} profile the children time the embedded engine alone.
 */
final class EngineComparison {

    /** One child JVM: the embedded engine's kernels and TensorFlow's. */
    record Setup(String name, List<String> jvmOptions, String oneDnn) { }

    static final List<Setup> SETUPS = List.of(
            new Setup("vector kernels, TensorFlow Eigen", List.of("--add-modules", "jdk.incubator.vector"), "0"),
            new Setup("vector kernels, TensorFlow oneDNN", List.of("--add-modules", "jdk.incubator.vector"), "1"),
            new Setup("scalar kernels, TensorFlow Eigen", List.of("--add-modules", "jdk.incubator.vector",
                    "-Dsentinel.embedded.kernels=scalar"), "0"));

    /**
     * One thread count of one setup. {@code oneDnnOn}: TensorFlow's own start-up line said its oneDNN operations
     * are on. Load averages (1 minute) of the machine before and after the child ran.
     */
    record Row(String setup, int threads, String kernels, String baseline, boolean oneDnnOn,
               double maxProbabilityDifference, double oursMs, double oursCpuMs, double baselineMs,
               double baselineCpuMs, double ratio, double loadBefore, double loadAfter) { }

    private EngineComparison() {
    }

    static List<Row> run(int rounds, int perRound) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (Setup setup : SETUPS) {
            rows.addAll(run(setup, rounds, perRound));
        }
        return rows;
    }

    private static List<Row> run(Setup setup, int rounds, int perRound) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g"));
        command.addAll(setup.jvmOptions());
        command.addAll(List.of("-cp", EmbeddedEngineBench.classPath(), EngineSpeedProbe.class.getName(), "1,2",
                Integer.toString(rounds), Integer.toString(perRound)));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("TF_ENABLE_ONEDNN_OPTS", setup.oneDnn());
        Path err = Files.createTempFile("engine-probe-", ".err");
        builder.redirectError(err.toFile());
        double loadBefore = loadAverage();
        Process child = builder.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = child.waitFor();
        double loadAfter = loadAverage();
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (exit != 0) {
            throw new IllegalStateException(setup.name() + ": the probe failed (exit " + exit + "):\n" + stderr);
        }
        boolean oneDnnOn = stderr.contains("oneDNN custom operations are on");
        List<Row> rows = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (!line.startsWith("{\"probe\"")) {
                continue;
            }
            JsonNode n = Json.mapper().readTree(line);
            rows.add(new Row(setup.name(), n.path("threads").asInt(), n.path("kernels").asText(),
                    n.path("baseline").asText(null), oneDnnOn, n.path("maxProbabilityDifference").asDouble(),
                    n.path("oursMs").asDouble(), n.path("oursCpuMs").asDouble(),
                    n.path("baselineMs").asDouble(Double.NaN), n.path("baselineCpuMs").asDouble(Double.NaN),
                    n.path("ratio").asDouble(Double.NaN), loadBefore, loadAfter));
        }
        return rows;
    }

    /** The 1-minute load average, NaN where /proc is not there. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static String markdown(List<Row> rows) {
        StringBuilder md = new StringBuilder("| setup | threads | embedded ms/image | embedded CPU ms | baseline "
                + "| baseline ms/image | baseline CPU ms | embedded / baseline | load (1 min) before, after |\n"
                + "|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %s | %s | %s | %s | %.1f, %.1f |%n",
                    r.setup() + " (" + r.kernels() + ")", r.threads(), r.oursMs(), r.oursCpuMs(),
                    r.baseline() == null ? "not built (-Ptensorflow)" : r.baseline()
                            + (r.baseline().endsWith("oneDNN") && !r.oneDnnOn() ? " (not confirmed)" : ""),
                    number(r.baselineMs()), number(r.baselineCpuMs()), number(r.ratio()), r.loadBefore(),
                    r.loadAfter()));
        }
        return md.toString();
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }
}
