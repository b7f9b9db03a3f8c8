package dev.sentinel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.engine.embedded.NsfwClassifier;
import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.hash.PdqIndex;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.store.CaseTable;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Every benchmark in one run, each next to its baseline measured in the same run, written to
 * {@code bench/results/results.json} and {@code results.md}: cold starts of every function against a trivial
 * handler, the pipeline's per-image overhead at 1, 4 and 16 workers, the embedded engine against nsfwjs, PDQ and
 * hash-bank lookups, peak memory at 512 MB and 1 GB, and the cost model that picks the scan function's memory.
 */
final class BenchAll {

    /** Memory sizes the cost model compares (MB). */
    private static final int[] MEMORY_SIZES = {512, 1024, 1536, 1769, 2048, 3008};
    /**
     * Rekognition's own answer time per image, which cannot be measured here: an assumption, stated in the results
     * (DetectModerationLabels on an S3 object typically answers in a few hundred milliseconds).
     */
    static final double ASSUMED_REKOGNITION_MS = 250;

    private final boolean quick;
    /** Run only this section (overhead, engine, pdq, cold); null for all. */
    private final String only;
    private final Path repo = Path.of("").toAbsolutePath();
    private final ObjectNode results = Json.mapper().createObjectNode();
    private final StringBuilder markdown = new StringBuilder();
    private final PrintStream progress = System.err;

    /** The committed results, when only the engine section is measured again and written into them. */
    private final ObjectNode previous;

    private BenchAll(boolean quick, String only, ObjectNode previous) {
        this.quick = quick;
        this.only = only;
        this.previous = previous;
    }

    /**
     * Arguments after {@code all}: {@code --quick} for fewer iterations, {@code --only SECTION}; {@code --only engine
     * --write} measures the engine section and writes it, and the cost model recomputed with it, into the committed
     * results, leaving the other sections as they were measured.
     */
    static void run(List<String> args) throws Exception {
        int only = args.indexOf("--only");
        String section = only >= 0 && only + 1 < args.size() ? args.get(only + 1) : null;
        ObjectNode previous = null;
        if (args.contains("--write")) {
            if (!"engine".equals(section)) {
                throw new IllegalArgumentException("--write goes with --only engine");
            }
            previous = (ObjectNode) Json.mapper().readTree(Path.of("bench/results/results.json").toFile());
        }
        new BenchAll(args.contains("--quick"), section, previous).runAll();
    }

    private boolean wanted(String section) {
        return only == null || only.equals(section);
    }

    private void runAll() throws Exception {
        results.put("date", Instant.now().toString());
        results.put("machine", machine());
        results.put("quick", quick);
        markdown.append("# Benchmark results\n\n").append(String.format(Locale.ROOT,
                "%s, %s. Written by `bench` (`all%s`); see docs/benchmarks.md for the method.%n%n",
                results.get("date").asText(), results.get("machine").asText(), quick ? " --quick" : ""));

        LocalAws servers = BenchDeployment.quietServers();
        try (servers; AwsClients clients = AwsClients.create(new AwsClients.Settings(Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")),
                servers.s3Endpoint(), servers.dynamoEndpoint(), servers.rekognitionEndpoint(), true, 3))) {
            byte[] photo = Files.readAllBytes(repo.resolve("local/samples/bridge-512.jpg"));
            if (wanted("overhead")) {
                overhead(servers, clients, photo);
            }
            int engineStart = markdown.length();
            EngineResults engine = wanted("engine") ? embedded(servers, clients, photo) : null;
            double escalation = wanted("engine") ? cascadeEscalation() : Double.NaN;
            String engineSection = markdown.substring(engineStart);
            if (wanted("pdq")) {
                pdq(photo);
            }
            if (wanted("cold")) {
                coldStarts(servers, clients, photo);
            }
            // The cost model from this run, or (updating the engine section alone) from the committed one.
            JsonNode from = only == null ? results : previous;
            if (from != null) {
                int costStart = markdown.length();
                JsonNode cold = from.path("coldStarts");
                costs(from.path("pipelineOverhead").path(0).path("p50Ms").asDouble(), engine.cpuMsPerImage(),
                        escalation, peakRss(cold, "scan-upload (rekognition)"),
                        engine.peakRssMb(peakRss(cold, "scan-upload (embedded)")));
                if (previous != null) {
                    writeEngineUpdate(engineSection, markdown.substring(costStart));
                    return;
                }
            }
        }
        if (only != null) {
            // A partial run only prints; the results files always hold a complete run.
            System.out.print(markdown);
            System.exit(0);
        }
        Path dir = repo.resolve("bench/results");
        Files.createDirectories(dir);
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("results.json").toFile(), results);
        Files.writeString(dir.resolve("results.md"), markdown);
        System.out.print(markdown);
        progress.println("Written: bench/results/results.json, bench/results/results.md");
        System.exit(0);
    }

    // ------------------------------------------------------------------ per-image overhead

    private List<PipelineOverheadBench.Result> overhead(LocalAws servers, AwsClients clients, byte[] photo)
            throws Exception {
        progress.println("[bench] pipeline overhead per image (engine answering at once)...");
        PipelineOverheadBench bench = new PipelineOverheadBench(servers, clients, photo);
        bench.warmUp(quick ? 40 : 150);
        List<PipelineOverheadBench.Result> rows = new ArrayList<>();
        for (int workers : new int[] {1, 4, 16}) {
            rows.add(bench.run(workers, quick ? 80 : 400));
        }
        Map<String, Double> roundTrips = bench.serverRoundTrips(quick ? 50 : 200);
        results.set("pipelineOverhead", Json.mapper().valueToTree(rows));
        results.set("localServerRoundTripsP50Ms", Json.mapper().valueToTree(roundTrips));
        markdown.append("## Per-image overhead of the scan pipeline (engine excluded)\n\n")
                .append("Real scan service, local S3 and DynamoDB servers, Rekognition stand-in answering at once; ")
                .append("each scan is a new 512 x 512 JPEG upload (81 KB) that is read, hashed (SHA-256, MD5, PDQ), ")
                .append("claimed, judged, recorded and tagged: ten S3 and DynamoDB calls. Target: p50 under 15 ms ")
                .append("warm. *Own CPU* is the scanning thread's CPU time: the pipeline's work without the waits ")
                .append("for the servers; *wall* includes those waits, which here are the local servers' (all in ")
                .append("one JVM on the same 2 cores as the workers).\n\n")
                .append("| workers | images | own CPU p50 ms | own CPU p99 ms | wall p50 ms | wall p90 ms | wall p99 ms ")
                .append("| images/s |\n|---|---|---|---|---|---|---|---|\n");
        for (PipelineOverheadBench.Result r : rows) {
            markdown.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f |%n",
                    r.workers(), r.images(), r.cpuP50Ms(), r.cpuP99Ms(), r.p50Ms(), r.p90Ms(), r.p99Ms(),
                    r.imagesPerSecond()));
        }
        markdown.append(String.format(Locale.ROOT, "%nOne call to the local servers alone (p50): S3 HeadObject %.1f ms, "
                + "GetObject of the 81 KB image %.1f ms, DynamoDB GetItem %.1f ms.%n%n", roundTrips.get("s3HeadObject"),
                roundTrips.get("s3GetObject81KB"), roundTrips.get("dynamoGetItem")));
        return rows;
    }

    // ------------------------------------------------------------------ embedded engine vs nsfwjs

    /** What the engine section measured that the cost model uses. */
    private record EngineResults(EmbeddedEngineBench.Speed speed, List<EngineComparison.Row> comparison,
                                 List<ColdStartBench.Result> deployed) {

        /**
         * One thread, vector kernels (what the functions run; Lambda below 1,769 MB has one vCPU), as measured
         * beside TensorFlow's Eigen kernels.
         */
        double cpuMsPerImage() {
            return comparison.stream().filter(r -> r.threads() == 1 && r.kernels().startsWith("vector"))
                    .mapToDouble(EngineComparison.Row::oursCpuMs).findFirst().orElse(speed.javaCpuMs());
        }

        double peakRssMb(double otherwise) {
            return deployed.stream().mapToDouble(ColdStartBench.Result::rssPeakMb).max().orElse(otherwise);
        }
    }

    private EngineResults embedded(LocalAws servers, AwsClients clients, byte[] photo) throws Exception {
        progress.println("[bench] embedded engine vs nsfwjs (node)...");
        ensureOracleInstalled();
        NsfwClassifier classifier = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);
        Path image = repo.resolve(EmbeddedEngineBench.BENCH_IMAGE);
        EmbeddedEngineBench.Speed s = EmbeddedEngineBench.measureSpeed(classifier, image, quick ? 20 : 50,
                quick ? 5 : 10);
        results.set("embeddedEngine", Json.mapper().valueToTree(s));
        results.put("embeddedEngineDate", Instant.now().toString());
        markdown.append("## Embedded engine vs nsfwjs\n\n")
                .append("mobilenet_v2 on the same 224 x 224 input; nsfwjs 4.4.0 on tfjs's CPU backend in node, ")
                .append("timed in the same run. Embedded engine on the ").append(classifier.kernels())
                .append(" kernels, as many threads as the JVM has processors.\n\n")
                .append("| engine | ms/image (median) | CPU ms/image |\n|---|---|---|\n")
                .append(String.format(Locale.ROOT, "| embedded (Java) | %.1f | %.1f |%n", s.javaMs(), s.javaCpuMs()))
                .append(String.format(Locale.ROOT, "| nsfwjs 4.4.0 (node, tfjs cpu) | %s | - |%n%n",
                        s.nodeProblem() == null ? String.format(Locale.ROOT, "%.1f", s.nodeMs())
                                : "not run: " + s.nodeProblem()));
        if (s.nodeProblem() == null) {
            markdown.append(String.format(Locale.ROOT, "Ratio: the embedded engine is **%.1fx** faster.%n%n",
                    s.ratio()));
        }

        progress.println("[bench] embedded engine vs TensorFlow Java (a JVM per setup)...");
        List<EngineComparison.Row> comparison = EngineComparison.run(quick ? 4 : 10, quick ? 20 : 40);
        results.set("engineComparison", Json.mapper().valueToTree(comparison));
        markdown.append("### Against TensorFlow on the same weights\n\n")
                .append("The same preprocessed input, forward pass only, in one JVM per setup: the embedded engine ")
                .append("and TensorFlow Java (built from the project's model.json and weights.bin; `-Ptensorflow`) ")
                .append("alternate in rounds of images, after their probabilities are checked to agree within ")
                .append(EngineSpeedProbe.AGREEMENT).append(". Wall time: median round; CPU: process CPU over all ")
                .append("rounds; the ratio is the median of the rounds' paired ratios (below 1: the embedded engine ")
                .append("is faster). TensorFlow's oneDNN is confirmed by its own start-up line.\n\n")
                .append(EngineComparison.markdown(comparison)).append('\n');

        progress.println("[bench] where the embedded engine's time goes (one thread)...");
        List<EmbeddedEngineBench.LayerMs> layers = EmbeddedEngineBench.layerBreakdown(classifier,
                EmbeddedEngineBench.input224(image), quick ? 10 : 30);
        Map<String, Double> kinds = EmbeddedEngineBench.byKind(layers);
        ObjectNode layerNode = results.putObject("engineLayers");
        layerNode.put("kernels", classifier.kernels());
        layerNode.set("msByKind", Json.mapper().valueToTree(kinds));
        layerNode.set("msByLayer", Json.mapper().valueToTree(layers));
        double total = kinds.values().stream().mapToDouble(Double::doubleValue).sum();
        markdown.append("### Where the time goes\n\nOne thread, ").append(classifier.kernels())
                .append(" kernels, median per layer over profiled passes (a layer folded into another counts ")
                .append("there; docs/embedded-engine.md has the breakdown per layer, before and after).\n\n")
                .append("| kind | ms | share |\n|---|---|---|\n");
        kinds.forEach((kind, ms) -> markdown.append(String.format(Locale.ROOT, "| %s | %.2f | %.0f%% |%n", kind, ms,
                100 * ms / total)));
        markdown.append(String.format(Locale.ROOT, "| total | %.2f | |%n%n", total));

        progress.println("[bench] the scan function with the embedded engine, as the template starts it...");
        List<ColdStartBench.Result> deployed = deployedEngine(coldSetup(servers, clients, photo));
        results.set("deployedEngine", Json.mapper().valueToTree(deployed));
        markdown.append("### The scan function with the embedded engine, as deployed\n\n")
                .append("The scan function's jar in a new JVM with the template's JVM options for it (C2 and the ")
                .append("Vector API module), 1 + ").append(coldSetup.warm()).append(" scans (the last a 12 MP JPEG);")
                .append(" its peak resident memory sets the memory floor of the modes that load the model.\n\n")
                .append("| memory MB | first invocation ms | warm invocation ms | peak heap MB | peak RSS MB |\n")
                .append("|---|---|---|---|---|\n");
        for (ColdStartBench.Result r : deployed) {
            markdown.append(String.format(Locale.ROOT, "| %d | %.0f | %.1f | %.0f | %.0f |%n", r.memoryMb(),
                    r.firstInvokeMs(), r.warmMedianMs(), r.peakHeapMb(), r.rssPeakMb()));
        }
        markdown.append('\n');
        return new EngineResults(s, comparison, deployed);
    }

    /** The embedded-engine scan function started with the template's JAVA_TOOL_OPTIONS for it. */
    private List<ColdStartBench.Result> deployedEngine(ColdSetup setup) throws Exception {
        java.util.regex.Matcher options = java.util.regex.Pattern
                .compile("JAVA_TOOL_OPTIONS: \"([^\"]*add-modules[^\"]*)\"")
                .matcher(Files.readString(repo.resolve("template.yaml")));
        if (!options.find()) {
            throw new IllegalStateException("template.yaml gives no engine function the Vector API module");
        }
        // The cold-start harness stops at C1 like the other functions; a later flag wins.
        List<String> flags = new ArrayList<>(List.of("-XX:TieredStopAtLevel=4"));
        flags.addAll(List.of(options.group(1).split("\\s+")));
        List<ColdStartBench.Result> rows = new ArrayList<>();
        for (int memory : new int[] {512, 1024}) {
            rows.add(setup.bench().measure(setup.subject("scan-upload (embedded)"), memory, quick ? 2 : 3, flags,
                    "template options"));
        }
        return rows;
    }

    /** Writes the engine section and the cost model into the committed results, the rest as it was. */
    private void writeEngineUpdate(String engineSection, String costSection) throws IOException {
        for (String field : List.of("embeddedEngine", "embeddedEngineDate", "engineComparison", "engineLayers",
                "deployedEngine", "cascadeEscalation", "costModel")) {
            previous.set(field, results.get(field));
        }
        Path dir = repo.resolve("bench/results");
        String md = Files.readString(dir.resolve("results.md"));
        md = replaceSection(md, "## Embedded engine", engineSection);
        md = replaceSection(md, "## Cost per 1,000 images", costSection);
        String note = "Engine section and cost model: " + results.get("embeddedEngineDate").asText() + ", "
                + machine() + " (`all --only engine --write`).";
        md = md.replaceFirst("(?m)^Engine section and cost model: .*\n\n", "");
        int afterHeader = md.indexOf("\n\n", md.indexOf("\n\n") + 2) + 2;
        md = md.substring(0, afterHeader) + note + "\n\n" + md.substring(afterHeader);
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("results.json").toFile(), previous);
        Files.writeString(dir.resolve("results.md"), md);
        System.out.print(engineSection + costSection);
        progress.println("Written: the engine section and the cost model of bench/results/results.json and .md");
        System.exit(0);
    }

    /** {@code md} with the section that starts with {@code heading} (up to the next "## ") replaced. */
    private static String replaceSection(String md, String heading, String section) {
        int start = md.indexOf(heading);
        if (start < 0) {
            return md + section;
        }
        int end = md.indexOf("\n## ", start + heading.length());
        return md.substring(0, start) + section + (end < 0 ? "" : md.substring(end + 1));
    }

    /** The oracle's node_modules, installed from its lockfile (integrity-checked by npm) when missing. */
    private void ensureOracleInstalled() throws IOException, InterruptedException {
        if (Files.isDirectory(repo.resolve("models/nsfwjs/oracle/node_modules/nsfwjs"))) {
            return;
        }
        progress.println("[bench] npm ci in models/nsfwjs/oracle ...");
        Process npm = new ProcessBuilder("npm", "--prefix", "models/nsfwjs/oracle", "ci", "--no-audit",
                "--no-fund").inheritIO().start();
        if (npm.waitFor() != 0) {
            progress.println("[bench] npm ci failed; nsfwjs will be reported as not run");
        }
    }

    /** Share of safe photos the cascade would still send to Rekognition at its default threshold. */
    private double cascadeEscalation() throws IOException {
        NsfwClassifier classifier = NsfwClassifier.fromClasspath(NsfwClassifier.DEFAULT_MODEL);
        List<Path> photos = new ArrayList<>();
        for (String folder : List.of("local/samples", "shared/src/test/resources/photos")) {
            try (Stream<Path> files = Files.list(repo.resolve(folder))) {
                files.filter(f -> f.toString().matches("(?i).*\\.(jpe?g|png|webp)$")).sorted().forEach(photos::add);
            }
        }
        int decoded = 0;
        int escalated = 0;
        for (Path file : photos) {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                continue;
            }
            decoded++;
            float[] p = classifier.classify(image);
            double threshold = dev.sentinel.config.ScanSettings.DEFAULT_CASCADE_ESCALATE_AT / 100.0;
            // The cascade escalates when any restricted label reaches the threshold (Porn+Hentai, Sexy).
            if (p[1] + p[3] >= threshold || p[4] >= threshold) {
                escalated++;
            }
        }
        double share = decoded == 0 ? 1.0 : escalated / (double) decoded;
        ObjectNode node = results.putObject("cascadeEscalation");
        node.put("safePhotos", decoded);
        node.put("escalated", escalated);
        node.put("share", share);
        return share;
    }

    // ------------------------------------------------------------------ PDQ

    private void pdq(byte[] photo) throws IOException {
        progress.println("[bench] PDQ and hash-bank lookups...");
        BufferedImage sample = ImageIO.read(new ByteArrayInputStream(photo));
        BufferedImage big = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(sample, 0, 0, 1024, 1024, null);
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(big, "jpeg", jpeg);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray()));
        int runs = quick ? 60 : 300;
        for (int i = 0; i < 50; i++) {
            new PdqHasher().hash(decoded);
        }
        double[] hashMs = new double[runs];
        double[] withDecodeMs = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            new PdqHasher().hash(decoded);
            hashMs[i] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            new PdqHasher().hash(ImageIO.read(new ByteArrayInputStream(jpeg.toByteArray())));
            withDecodeMs[i] = (System.nanoTime() - t) / 1e6;
        }
        ObjectNode node = results.putObject("pdq");
        node.put("hashMsP50", Stats.of(hashMs).p50());
        node.put("hashWithDecodeMsP50", Stats.of(withDecodeMs).p50());
        markdown.append("## PDQ and the hash bank\n\n| measurement | p50 ms |\n|---|---|\n")
                .append(String.format(Locale.ROOT, "| PDQ of a 1 MP JPEG, decode excluded | %.2f |%n",
                        Stats.of(hashMs).p50()))
                .append(String.format(Locale.ROOT, "| PDQ of a 1 MP JPEG, ImageIO decode included | %.2f |%n",
                        Stats.of(withDecodeMs).p50()));
        Random random = new Random(1);
        for (int size : new int[] {100_000, 1_000_000}) {
            PdqIndex index = new PdqIndex(size);
            for (int i = 0; i < size; i++) {
                index.add(randomHash(random));
            }
            double[] lookups = new double[quick ? 200 : 2000];
            for (int i = 0; i < 200; i++) {
                index.within(randomHash(random), PdqHasher.MATCH_DISTANCE);
            }
            for (int i = 0; i < lookups.length; i++) {
                PdqHash probe = randomHash(random);
                long t = System.nanoTime();
                index.within(probe, PdqHasher.MATCH_DISTANCE);
                lookups[i] = (System.nanoTime() - t) / 1e6;
            }
            node.put("lookupMsP50At" + size, Stats.of(lookups).p50());
            markdown.append(String.format(Locale.ROOT, "| near-match lookup (distance %d) in %,d hashes | %.3f |%n",
                    PdqHasher.MATCH_DISTANCE, size, Stats.of(lookups).p50()));
        }
        markdown.append("\nMeta publishes no per-image time for its reference implementations; docs/pdq.md ")
                .append("compares with a reference-structured variant of the same code (46 ms per 1 MP image).\n\n");
    }

    private static PdqHash randomHash(Random random) {
        return new PdqHash(new long[] {random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong()},
                100);
    }

    // ------------------------------------------------------------------ cold starts and memory

    /** The functions to start, set up once per run against the local servers (buckets, tables, queues). */
    private record ColdSetup(ColdStartBench bench, List<ColdStartBench.Subject> subjects, int warm) {
        ColdStartBench.Subject subject(String name) {
            return subjects.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        }
    }

    private ColdSetup coldSetup;

    private ColdSetup coldSetup(LocalAws servers, AwsClients clients, byte[] photo) throws Exception {
        if (coldSetup == null) {
            coldSetup = newColdSetup(servers, clients, photo);
        }
        return coldSetup;
    }

    private ColdSetup newColdSetup(LocalAws servers, AwsClients clients, byte[] photo) throws Exception {
        String uploads = "cold-uploads";
        String quarantine = "cold-quarantine";
        BenchDeployment.create(servers, clients, uploads, quarantine, "cold-verdicts");
        CaseTable.createIfMissing(clients.dynamo(), "cold-cases");
        CaseTable.createIfMissing(clients.dynamo(), "cold-bank");
        String dlq;
        String queue;
        try (SqsClient sqs = AwsClients.sqs(Region.US_EAST_1, StaticCredentialsProvider.create(
                AwsBasicCredentials.create("bench", "bench")), servers.sqsEndpoint())) {
            dlq = sqs.createQueue(b -> b.queueName("cold-dlq")).queueUrl();
            queue = sqs.createQueue(b -> b.queueName("cold-scan")).queueUrl();
        }
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("AWS_ENDPOINT_URL_S3", servers.s3Endpoint().toString());
        endpoints.put("AWS_ENDPOINT_URL_DYNAMODB", servers.dynamoEndpoint().toString());
        endpoints.put("AWS_ENDPOINT_URL_REKOGNITION", servers.rekognitionEndpoint().toString());
        endpoints.put("AWS_ENDPOINT_URL_SQS", servers.sqsEndpoint().toString());
        Map<String, String> base = ColdStartBench.localEnvironment(endpoints);
        Map<String, String> deployment = Map.of("UPLOAD_BUCKETS", uploads, "QUARANTINE_BUCKET", quarantine,
                "VERDICTS_TABLE", "cold-verdicts", "CASES_TABLE", "cold-cases", "HASH_BANK_TABLE", "cold-bank");
        Path events = Files.createTempDirectory("bench-events-");
        int warm = quick ? 5 : 20;
        int[] uploadsSoFar = {0};
        // The last warm invocation scans a 12 MP photo, so peak memory covers large uploads too.
        byte[] large = largeJpeg(photo, 4000, 3000);
        Supplier<List<Path>> scanEvents = () -> {
            List<Path> files = new ArrayList<>();
            for (int i = 0; i <= warm; i++) {
                int n = ++uploadsSoFar[0];
                byte[] bytes = PipelineOverheadBench.distinctCopy(i == warm ? large : photo, n);
                String key = "cold/" + n + ".jpg";
                PutObjectResponse put = clients.s3().putObject(b -> b.bucket(uploads).key(key),
                        RequestBody.fromBytes(bytes));
                files.add(write(events, "scan-" + n + ".json", SampleEvents.s3Put(uploads, key,
                        new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), bytes.length))));
            }
            return files;
        };
        List<ColdStartBench.Subject> subjects = List.of(
                new ColdStartBench.Subject("trivial handler (baseline)", "scan-upload", TrivialHandler.class.getName(),
                        () -> repeat(events, "api-get-reviews.json", warm), Map.of()),
                new ColdStartBench.Subject("scan-upload (rekognition)", "scan-upload",
                        "dev.sentinel.functions.scan.ScanUploadHandler", scanEvents,
                        with(deployment, "MODERATION_ENGINE", "rekognition")),
                new ColdStartBench.Subject("scan-upload (embedded)", "scan-upload",
                        "dev.sentinel.functions.scan.ScanUploadHandler", scanEvents,
                        with(deployment, "MODERATION_ENGINE", "embedded")),
                new ColdStartBench.Subject("moderation-api", "moderation-api",
                        "dev.sentinel.functions.moderation.ModerationApiHandler",
                        () -> repeat(events, "api-get-moderation.json", warm), deployment),
                new ColdStartBench.Subject("review-api", "review-api", "dev.sentinel.functions.review.ReviewApiHandler",
                        () -> repeat(events, "api-get-reviews.json", warm), deployment),
                new ColdStartBench.Subject("notice-api", "notice-api", "dev.sentinel.functions.notice.NoticeApiHandler",
                        () -> repeat(events, "api-get-notice.json", warm), deployment),
                new ColdStartBench.Subject("appeal-api", "appeal-api", "dev.sentinel.functions.appeal.AppealApiHandler",
                        () -> repeat(events, "api-get-appeal.json", warm), deployment),
                new ColdStartBench.Subject("operations-api", "operations-api",
                        "dev.sentinel.functions.operations.OperationsApiHandler",
                        () -> repeat(events, "api-get-redrives.json", warm),
                        with(with(deployment, "SCAN_QUEUE_URL", queue), "SCAN_DEAD_LETTER_QUEUE_URL", dlq)));
        return new ColdSetup(new ColdStartBench(repo, base), subjects, warm);
    }

    private List<ColdStartBench.Result> coldStarts(LocalAws servers, AwsClients clients, byte[] photo)
            throws Exception {
        progress.println("[bench] cold starts (a new JVM per run)...");
        ColdSetup setup = coldSetup(servers, clients, photo);
        List<ColdStartBench.Subject> subjects = setup.subjects();
        ColdStartBench bench = setup.bench();
        int warm = setup.warm();
        int runs = quick ? 2 : 5;
        List<ColdStartBench.Result> rows = new ArrayList<>();
        for (int memory : new int[] {512, 1024}) {
            for (ColdStartBench.Subject subject : subjects) {
                progress.printf("[bench]   %s at %d MB%n", subject.name(), memory);
                rows.add(bench.measure(subject, memory, runs));
            }
        }
        Path archives = Files.createTempDirectory("bench-cds-");
        for (ColdStartBench.Subject subject : subjects) {
            progress.printf("[bench]   %s at 1024 MB with a class-data archive%n", subject.name());
            rows.addAll(bench.measureWithClassArchive(subject, 1024, runs, archives));
        }
        results.set("coldStarts", Json.mapper().valueToTree(rows));
        markdown.append("## Cold start\n\nA new JVM per run (median of ").append(runs).append(" runs), the ")
                .append("function's own shaded jar, the template's JVM flags (`-XX:TieredStopAtLevel=1`), heap ")
                .append("bounded as by the memory setting (`-XX:MaxRAM`), local servers already up. Time from JVM ")
                .append("start to the first invocation's result; the ratio is against the trivial handler at the ")
                .append("same memory. Peak heap and resident memory are after 1 + ").append(warm)
                .append(" invocations (for the scan function the last one is a 12 MP, 4000 x 3000 JPEG). *AppCDS*: the same with an application class-data archive from one training ")
                .append("run (`-XX:SharedArchiveFile`). *AppCDS + primed*: the same, with the function's SnapStart priming hook run ")
                .append("before the first invocation, as Lambda runs it before taking the snapshot; its first invocation is ")
                .append("what a restored container spends after the restore itself (restore time cannot be measured ")
                .append("off Lambda).\n\n")
                .append("| function | memory | variant | JVM start → first result ms | x trivial | ")
                .append("JVM to main ms | init (class load, clients, policy) ms | priming ms | first invocation ms | ")
                .append("warm invocation ms | peak heap MB | peak RSS MB |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (ColdStartBench.Result r : rows) {
            double trivial = rows.stream().filter(t -> t.memoryMb() == r.memoryMb() && t.variant().equals("plain")
                    && t.function().startsWith("trivial")).findFirst().orElseThrow().jvmStartToFirstResultMs();
            markdown.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f "
                            + "| %.0f | %.0f |%n", r.function(), r.memoryMb(), r.variant(), r.jvmStartToFirstResultMs(),
                    r.jvmStartToFirstResultMs() / trivial, r.jvmToMainMs(), r.initMs(), r.primeMs(), r.firstInvokeMs(),
                    r.warmMedianMs(), r.peakHeapMb(), r.rssPeakMb()));
        }
        markdown.append("\nAfter a SnapStart restore (AppCDS + primed), the first invocation against the trivial ")
                .append("handler's whole cold start:\n\n| function | first invocation after priming ms | x trivial |\n")
                .append("|---|---|---|\n");
        double trivial1024 = rows.stream().filter(t -> t.memoryMb() == 1024 && t.variant().equals("plain")
                && t.function().startsWith("trivial")).findFirst().orElseThrow().jvmStartToFirstResultMs();
        rows.stream().filter(r -> r.variant().endsWith("primed") && !r.function().startsWith("trivial"))
                .forEach(r -> markdown.append(String.format(Locale.ROOT, "| %s | %.0f | %.1f |%n", r.function(),
                        r.firstInvokeMs(), r.firstInvokeMs() / trivial1024)));
        markdown.append('\n');
        return rows;
    }

    private static byte[] largeJpeg(byte[] photo, int width, int height) throws IOException {
        BufferedImage sample = ImageIO.read(new ByteArrayInputStream(photo));
        BufferedImage big = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(sample, 0, 0, width, height, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(big, "jpeg", out);
        return out.toByteArray();
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return copy;
    }

    private List<Path> repeat(Path dir, String sample, int warm) {
        Path file = write(dir, sample, SampleEvents.load(sample));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i <= warm; i++) {
            files.add(file);
        }
        return files;
    }

    /** Writes a sample event to a file the cold-start probe reads. */
    static Path write(Path dir, String name, JsonNode event) {
        try {
            Path file = dir.resolve(name);
            Json.mapper().writeValue(file.toFile(), event);
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ cost model

    /**
     * @param embeddedCpuMs      the engine's CPU time per image on one thread with the kernels the functions run
     * @param rekognitionPeakRss the scan function's peak resident memory without the model
     * @param modelPeakRss       the same with the model loaded (embedded and cascade modes)
     */
    private void costs(double pipelineMs, double embeddedCpuMs, double escalation, double rekognitionPeakRss,
                       double modelPeakRss) {
        List<CostModel.Mode> modes = List.of(
                new CostModel.Mode("rekognition", pipelineMs, ASSUMED_REKOGNITION_MS, 1.0),
                new CostModel.Mode("cascade", pipelineMs + embeddedCpuMs, escalation * ASSUMED_REKOGNITION_MS,
                        escalation),
                new CostModel.Mode("embedded", pipelineMs + embeddedCpuMs, 0, 0));
        CostModel prices = CostModel.US_EAST_1;
        // The Rekognition mode does not load the model; the cascade loads it like the embedded mode.
        double peakRss = Math.max(rekognitionPeakRss, modelPeakRss);
        ObjectNode node = results.putObject("costModel");
        node.put("assumedRekognitionMs", ASSUMED_REKOGNITION_MS);
        node.put("pipelineMsPerImage", pipelineMs);
        node.put("embeddedCpuMsPerImage", embeddedCpuMs);
        node.put("cascadeEscalationShare", escalation);
        node.put("scanPeakRssMb", peakRss);
        node.set("prices", Json.mapper().valueToTree(prices));
        List<CostModel.Estimate> table = prices.table(modes, MEMORY_SIZES);
        node.set("estimates", Json.mapper().valueToTree(table));
        markdown.append("## Cost per 1,000 images (us-east-1, arm64)\n\n")
                .append(String.format(Locale.ROOT, "Measured: pipeline %.1f ms/image (p50, 1 worker), embedded ",
                        pipelineMs))
                .append(String.format(Locale.ROOT, "engine %.1f CPU ms/image (one thread, the functions' kernels), "
                        + "cascade escalation %.0f%% of safe ", embeddedCpuMs, escalation * 100))
                .append(String.format(Locale.ROOT, "photos. Assumed: Rekognition answers in %.0f ms. CPU time ",
                        ASSUMED_REKOGNITION_MS))
                .append("stretches below 1,769 MB (one vCPU); waiting does not. Prices: Lambda $0.0000133334 per ")
                .append("GB-s and $0.20 per million requests (10 images per invocation), Rekognition $0.001 per ")
                .append("image, SQS $0.40 per million requests.\n\n")
                .append("| mode | memory MB | ms/image | Lambda $ | Rekognition $ | SQS $ | total $ |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (CostModel.Estimate e : table) {
            markdown.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.4f | %.4f | %.4f | %.4f |%n", e.mode(),
                    e.memoryMb(), e.msPerImage(), e.lambdaPer1000(), e.rekognitionPer1000(), e.queuePer1000(),
                    e.totalPer1000()));
        }
        markdown.append("\n| mode | cheapest memory (≥ 1.5 x the mode's peak RSS) | $ per 1,000 | with 10% dup | ")
                .append("30% dup | 50% dup |\n|---|---|---|---|---|---|\n");
        ObjectNode recommended = node.putObject("recommended");
        for (CostModel.Mode mode : modes) {
            // The memory must hold the scan function's measured peak in this mode with room to spare.
            double modePeak = mode.name().equals("rekognition") ? rekognitionPeakRss : modelPeakRss;
            int[] fitting = Arrays.stream(MEMORY_SIZES).filter(m -> m >= modePeak * 1.5).toArray();
            CostModel.Estimate best = prices.cheapest(mode, fitting);
            recommended.put(mode.name(), best.memoryMb());
            markdown.append(String.format(Locale.ROOT, "| %s | %d | %.4f | %.4f | %.4f | %.4f |%n", mode.name(),
                    best.memoryMb(), best.totalPer1000(),
                    prices.withDuplicates(mode, best.memoryMb(), 0.10, pipelineMs),
                    prices.withDuplicates(mode, best.memoryMb(), 0.30, pipelineMs),
                    prices.withDuplicates(mode, best.memoryMb(), 0.50, pipelineMs)));
        }
        markdown.append("\nA duplicate (the same bytes already decided) costs only the pipeline's own time: its ")
                .append("verdict is reused without an engine call.\n");
    }

    private static double peakRss(JsonNode coldRows, String function) {
        double peak = 0;
        for (JsonNode row : coldRows) {
            if (row.path("function").asText().equals(function)) {
                peak = Math.max(peak, row.path("rssPeakMb").asDouble());
            }
        }
        return peak;
    }

    private static String machine() {
        return String.format(Locale.ROOT, "%d cores, Java %s (%s), %s %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }
}
