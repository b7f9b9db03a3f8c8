package dev.sentinel.bench;

import dev.sentinel.engine.embedded.LayerTime;
import dev.sentinel.engine.embedded.NsfwClassifier;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Measurements of the embedded engine, printed as Markdown:
 *
 * <ol>
 *   <li>{@code speed}: ms per image for mobilenet_v2 on a 224 x 224 input in this JVM, and for nsfwjs 4.4.0 on
 *       tfjs's CPU backend in node on the same image in the same run (models/nsfwjs/oracle/bench.mjs), as a ratio;
 *       peak heap of this JVM.</li>
 *   <li>{@code kernels}: the vector and scalar kernels beside TensorFlow Java on the same weights, 1 and 2 threads
 *       ({@link EngineComparison}; TensorFlow only when built with {@code -Ptensorflow}).</li>
 *   <li>{@code layers}: one thread, the median time of every layer of the forward pass.</li>
 *   <li>{@code false-positives FOLDER...}: the class probabilities of every image in the folders (safe photos), and
 *       how many would pass each candidate threshold, to choose the engine's policy thresholds from data.</li>
 * </ol>
 *
 * <p>Run: {@code mvn -q -DskipTests -pl bench -am package exec:java -Dexec.args="speed"} (needs the oracle's
 * node_modules: {@code npm --prefix models/nsfwjs/oracle ci}).
 */
public final class EmbeddedEngineBench {

    private EmbeddedEngineBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "speed" : args[0];
        if (mode.equals("jmh")) {
            // JMH micro-benchmarks, e.g. "jmh PdqBenchmark"; the rest of the arguments go to JMH, whose forked
            // JVMs are told where the classes are.
            System.setProperty("java.class.path", classPath());
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (mode.equals("all")) {
            BenchAll.run(Arrays.asList(args).subList(1, args.length));
            return;
        }
        if (mode.equals("jars")) {
            JarComparisonBench.run(Path.of("").toAbsolutePath(), Arrays.asList(args).subList(1, args.length));
            return;
        }
        if (mode.equals("animations")) {
            AnimationCallsBench.run(Path.of("").toAbsolutePath());
            return;
        }
        NsfwClassifier classifier = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);
        switch (mode) {
            case "speed" -> speed(classifier, Path.of(BENCH_IMAGE));
            case "kernels" -> System.out.print(EngineComparison.markdown(EngineComparison.run(10, 40)));
            case "layers" -> printLayers(layerBreakdown(classifier, input224(Path.of(BENCH_IMAGE)), 30));
            case "false-positives" -> falsePositives(classifier, Arrays.stream(args).skip(1).map(Path::of).toList());
            default -> throw new IllegalArgumentException("modes: all [--quick], jars BEFORE_CHECKOUT, animations, "
                    + "speed, kernels, layers, "
                    + "false-positives FOLDER..., jmh [JMH args]");
        }
    }

    /**
     * One side-by-side run.
     *
     * @param javaMs      median wall ms per image in this JVM
     * @param javaCpuMs   process CPU ms per image (all cores): what one vCPU would take
     * @param nodeMs      median ms per image of nsfwjs on tfjs-node's CPU backend; NaN when node could not run it
     */
    record Speed(int runs, double javaMs, double javaP90Ms, double javaCpuMs, double nodeMs, String nodeProblem,
                 long peakHeapMb) {
        double ratio() {
            return nodeMs / javaMs;
        }
    }

    private static void speed(NsfwClassifier classifier, Path image) throws Exception {
        Speed s = measureSpeed(classifier, image, 50, 10);
        System.out.printf(Locale.ROOT, "| engine | ms/image (median of %d, 224x224) | peak heap |%n", s.runs());
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| embedded (Java, %d cores) | %.1f (p90 %.1f) | %d MB |%n",
                Runtime.getRuntime().availableProcessors(), s.javaMs(), s.javaP90Ms(), s.peakHeapMb());
        System.out.printf(Locale.ROOT, "| nsfwjs 4.4.0 on tfjs cpu (node) | %s | - |%n",
                s.nodeProblem() == null ? String.format(Locale.ROOT, "%.1f", s.nodeMs()) : "not run: " + s.nodeProblem());
        if (s.nodeProblem() == null) {
            System.out.printf(Locale.ROOT, "%nratio: the embedded engine is %.1fx faster%n", s.ratio());
        }
    }

    /** The embedded engine and nsfwjs (node, same 224 x 224 input) timed in the same run. */
    static Speed measureSpeed(NsfwClassifier classifier, Path image, int runs, int nodeRuns) throws Exception {
        BufferedImage input = input224(image);
        Path input224 = Files.createTempFile("bench-224-", ".png");
        ImageIO.write(input, "png", input224.toFile());

        for (int i = 0; i < 20; i++) {
            classifier.classify(input);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] ms = new double[runs];
        long cpuStart = os.getProcessCpuTime();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            classifier.classify(input);
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        double cpuMs = (os.getProcessCpuTime() - cpuStart) / 1e6 / runs;
        Stats java = Stats.of(ms);
        long peakHeap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).mapToLong(p -> p.getPeakUsage().getUsed()).sum();

        Process node = new ProcessBuilder("node", "models/nsfwjs/oracle/bench.mjs", input224.toString(),
                Integer.toString(nodeRuns)).redirectErrorStream(false).start();
        String nodeOut = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String nodeErr = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int exit = node.waitFor();
        Files.deleteIfExists(input224);
        double nodeMedian = exit == 0 ? Double.parseDouble(nodeOut.lines().reduce((a, b) -> b).orElse("NaN"))
                : Double.NaN;
        String problem = exit == 0 ? null : (nodeErr.isEmpty() ? nodeOut : nodeErr).lines().findFirst().orElse("exit "
                + exit);
        return new Speed(runs, java.p50(), java.p90(), cpuMs, nodeMedian, problem, peakHeap >> 20);
    }

    /**
     * This JVM's class path for a child JVM: under exec:java the classes come from Maven's class loader, not from
     * {@code java.class.path}.
     */
    static String classPath() throws java.net.URISyntaxException {
        if (Thread.currentThread().getContextClassLoader() instanceof java.net.URLClassLoader loader) {
            StringBuilder classPath = new StringBuilder();
            for (java.net.URL url : loader.getURLs()) {
                classPath.append(classPath.length() == 0 ? "" : java.io.File.pathSeparator)
                        .append(Path.of(url.toURI()));
            }
            return classPath.toString();
        }
        return System.getProperty("java.class.path");
    }

    /** A median time per layer of the forward pass, and its kind (see {@link LayerTime}). */
    record LayerMs(String layer, String kind, double ms) { }

    /** The photo every engine measurement classifies, scaled to the model's 224 x 224 input. */
    static final String BENCH_IMAGE = "shared/src/test/resources/nsfw/reg-test-input_labelme-subset_q2821.png";

    static BufferedImage input224(Path image) throws IOException {
        BufferedImage photo = ImageIO.read(image.toFile());
        BufferedImage input = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        input.createGraphics().drawImage(photo, 0, 0, 224, 224, null);
        return input;
    }

    /** Each layer's median over {@code runs} profiled passes, after 20 unprofiled warm-up passes. */
    static List<LayerMs> layerBreakdown(NsfwClassifier classifier, BufferedImage input, int runs) {
        for (int i = 0; i < 20; i++) {
            classifier.classify(input);
        }
        List<List<LayerTime>> passes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            passes.add(classifier.profileLayers(input));
        }
        List<LayerMs> rows = new ArrayList<>();
        for (int layer = 0; layer < passes.get(0).size(); layer++) {
            double[] ms = new double[runs];
            for (int i = 0; i < runs; i++) {
                ms[i] = passes.get(i).get(layer).nanos() / 1e6;
            }
            LayerTime first = passes.get(0).get(layer);
            rows.add(new LayerMs(first.layer(), first.kind(), Stats.of(ms).p50()));
        }
        return rows;
    }

    /** Milliseconds per kind of layer, in order of first appearance. */
    static Map<String, Double> byKind(List<LayerMs> rows) {
        Map<String, Double> kinds = new LinkedHashMap<>();
        rows.forEach(r -> kinds.merge(r.kind(), r.ms(), Double::sum));
        return kinds;
    }

    private static void printLayers(List<LayerMs> rows) {
        double total = rows.stream().mapToDouble(LayerMs::ms).sum();
        System.out.printf(Locale.ROOT, "| kind | ms (sum of per-layer medians) | share |%n|---|---|---|%n");
        byKind(rows).forEach((kind, ms) -> System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f%% |%n", kind, ms,
                100 * ms / total));
        System.out.printf(Locale.ROOT, "| total | %.2f | |%n%n| layer | kind | ms |%n|---|---|---|%n", total);
        rows.forEach(r -> System.out.printf(Locale.ROOT, "| %s | %s | %.3f |%n", r.layer(), r.kind(), r.ms()));
    }

    private static void falsePositives(NsfwClassifier classifier, List<Path> folders) throws IOException {
        List<float[]> all = new ArrayList<>();
        System.out.println("| image | Drawing | Hentai | Neutral | Porn | Sexy |");
        System.out.println("|---|---|---|---|---|---|");
        for (Path folder : folders) {
            List<Path> files;
            try (Stream<Path> list = Files.list(folder)) {
                files = list.filter(f -> f.toString().matches("(?i).*\\.(jpe?g|png|gif|webp|bmp)$")).sorted()
                        .toList();
            }
            for (Path file : files) {
                BufferedImage image = ImageIO.read(file.toFile());
                if (image == null) {
                    continue;
                }
                float[] p = classifier.classify(image);
                all.add(p);
                System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f |%n", file.getFileName(),
                        p[0], p[1], p[2], p[3], p[4]);
            }
        }
        System.out.printf(Locale.ROOT, "%n%d safe images. Share flagged at each threshold (Explicit = Porn+Hentai, "
                + "Non-Explicit Nudity = Sexy):%n%n| threshold | Explicit | Non-Explicit Nudity |%n|---|---|---|%n",
                all.size());
        for (double t : new double[] {0.02, 0.05, 0.10, 0.20, 0.30, 0.50, 0.70, 0.90}) {
            long explicit = all.stream().filter(p -> p[1] + p[3] >= t).count();
            long sexy = all.stream().filter(p -> p[4] >= t).count();
            System.out.printf(Locale.ROOT, "| %.0f%% | %d (%.0f%%) | %d (%.0f%%) |%n", t * 100, explicit,
                    100.0 * explicit / all.size(), sexy, 100.0 * sexy / all.size());
        }
        double maxExplicit = all.stream().mapToDouble(p -> p[1] + p[3]).max().orElse(0);
        double maxSexy = all.stream().mapToDouble(p -> p[4]).max().orElse(0);
        System.out.printf(Locale.ROOT, "%nhighest on safe images: Explicit %.1f%%, Non-Explicit Nudity %.1f%%%n",
                maxExplicit * 100, maxSexy * 100);
    }
}
