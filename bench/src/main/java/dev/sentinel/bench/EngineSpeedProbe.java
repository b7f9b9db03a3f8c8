package dev.sentinel.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.engine.embedded.KerasModel;
import dev.sentinel.engine.embedded.NsfwClassifier;
import dev.sentinel.json.Json;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The child JVM of {@link EngineComparison}: the embedded engine, with the kernels this JVM's flags choose, and the
 * {@link Baseline} when the {@code tensorflow} profile built one, on the same preprocessed input. The two must agree
 * (largest probability difference at most {@value #AGREEMENT}) before anything is timed. Then, for each thread
 * count, both are warmed up and timed in alternating rounds (which goes first alternates too), so drifting load on
 * a shared machine falls on both; each round gives a paired ratio.
 *
 * <p>Arguments: thread counts ("1,2"), rounds, images per round. Prints one JSON line per thread count, marked
 * {@code "probe"}.
 */
public final class EngineSpeedProbe {

    static final double AGREEMENT = 1e-5;
    private static final int WARM_UP = 30;

    private EngineSpeedProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> threadCounts = Arrays.stream(args[0].split(",")).map(Integer::valueOf).toList();
        int rounds = Integer.parseInt(args[1]);
        int perRound = Integer.parseInt(args[2]);
        NsfwClassifier ours = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);
        float[] input = ours.input(EmbeddedEngineBench.input224(Path.of(EmbeddedEngineBench.BENCH_IMAGE)));
        try (Baseline baseline = baseline()) {
            float[] expected = ours.classifyInput(input, 1);
            double difference = Double.NaN;
            if (baseline != null) {
                float[] other = baseline.classify(input, 1);
                difference = 0;
                for (int c = 0; c < expected.length; c++) {
                    difference = Math.max(difference, Math.abs(expected[c] - other[c]));
                }
                if (!(difference <= AGREEMENT)) {
                    throw new IllegalStateException(baseline.describe() + " disagrees with the embedded engine by "
                            + difference + ": ours " + Arrays.toString(expected) + ", theirs "
                            + Arrays.toString(other));
                }
            }
            for (int threads : threadCounts) {
                System.out.println(Json.mapper().writeValueAsString(measure(ours, baseline, input, threads, rounds,
                        perRound, difference)));
            }
        }
        System.exit(0);
    }

    private static ObjectNode measure(NsfwClassifier ours, Baseline baseline, float[] input, int threads, int rounds,
                                      int perRound, double difference) {
        Runnable oursOnce = () -> ours.classifyInput(input, threads);
        Runnable theirsOnce = baseline == null ? null : () -> baseline.classify(input, threads);
        for (int i = 0; i < WARM_UP; i++) {
            oursOnce.run();
            if (theirsOnce != null) {
                theirsOnce.run();
            }
        }
        double[] oursMs = new double[rounds];
        double[] oursCpu = new double[rounds];
        double[] theirsMs = new double[rounds];
        double[] theirsCpu = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double[] a = null;
            double[] b = null;
            if (theirsOnce != null && r % 2 == 1) {
                b = time(theirsOnce, perRound);
            }
            a = time(oursOnce, perRound);
            if (theirsOnce != null && r % 2 == 0) {
                b = time(theirsOnce, perRound);
            }
            oursMs[r] = a[0];
            oursCpu[r] = a[1];
            theirsMs[r] = b == null ? Double.NaN : b[0];
            theirsCpu[r] = b == null ? Double.NaN : b[1];
            ratio[r] = b == null ? Double.NaN : a[0] / b[0];
        }
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("probe", "engine-speed");
        line.put("threads", threads);
        line.put("kernels", ours.kernels());
        line.put("baseline", baseline == null ? null : baseline.describe());
        line.put("maxProbabilityDifference", difference);
        line.put("rounds", rounds);
        line.put("imagesPerRound", perRound);
        // Wall time: the median round. CPU time: all rounds together, since the process CPU clock ticks in
        // 10 ms steps on Linux.
        line.put("oursMs", Stats.of(oursMs).p50());
        line.put("oursCpuMs", Stats.of(oursCpu).mean());
        line.put("oursMinMs", Stats.of(oursMs).min());
        if (baseline != null) {
            line.put("baselineMs", Stats.of(theirsMs).p50());
            line.put("baselineCpuMs", Stats.of(theirsCpu).mean());
            line.put("baselineMinMs", Stats.of(theirsMs).min());
            line.put("ratio", Stats.of(ratio).p50());
        }
        return line;
    }

    /** Wall and process CPU milliseconds per image over {@code n} runs. */
    private static double[] time(Runnable once, int n) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            once.run();
        }
        return new double[] {(System.nanoTime() - start) / 1e6 / n, (os.getProcessCpuTime() - cpu) / 1e6 / n};
    }

    /** TensorFlow on the bundled model's files, when the profile compiled it; null otherwise. */
    private static Baseline baseline() throws Exception {
        Class<?> type;
        try {
            type = Class.forName("dev.sentinel.bench.TensorFlowBaseline");
        } catch (ClassNotFoundException e) {
            return null;
        }
        return (Baseline) type.getDeclaredConstructor(byte[].class, byte[].class)
                .newInstance(resource("model.json"), resource("weights.bin"));
    }

    static byte[] resource(String name) throws java.io.IOException {
        try (InputStream in = KerasModel.class.getResourceAsStream(NsfwClassifier.DEFAULT_MODEL + "/" + name)) {
            return in.readAllBytes();
        }
    }
}
