package dev.sentinel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.store.CaseTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Two builds of the function jars side by side: this checkout's and another's (e.g. the commit a change started
 * from), each jar's size and its plain-JVM cold start, runs of the two alternating in one run so that the machine's
 * load falls on both alike. Every cold start is one new JVM with {@link ColdStartProbe}, as in the cold-start
 * section of {@code all}; the trivial handler is measured in the same rounds as the baseline.
 *
 * <p>Arguments after {@code jars}: the other checkout's folder (its functions built with {@code mvn -DskipTests
 * package}), {@code --runs N} (per function and build, default 5), {@code --memory MB} (default 1024),
 * {@code --class-log DIR} (one more start of each, logging every class it loads, summarised by library).
 */
final class JarComparisonBench {

    private static final String UPLOADS = "jars-uploads";
    private static final PrintStream PROGRESS = System.err;

    /** A function as the bench starts it, with the name Lambda's runtime gives it in the environment. */
    private record Function(String name, String module, String handler, Supplier<List<Path>> events,
                            Map<String, String> env) {
        ColdStartBench.Subject subject() {
            Map<String, String> lambda = new LinkedHashMap<>(env);
            lambda.put("AWS_LAMBDA_FUNCTION_NAME", module);
            return new ColdStartBench.Subject(name, module, handler, events, lambda);
        }
    }

    /** Medians of one function on one build. */
    record Row(String function, String build, long jarBytes, int runs, double firstResultMs, double cpuMs,
               double initMs, double firstInvokeMs, double rssPeakMb, double classes, String firstResponse) { }

    private JarComparisonBench() {
    }

    static void run(Path repo, List<String> args) throws Exception {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("jars BEFORE_CHECKOUT [--runs N] [--memory MB] [--class-log DIR]");
        }
        Path before = Path.of(args.get(0)).toAbsolutePath();
        int runs = intOption(args, "--runs", 5);
        int memory = intOption(args, "--memory", 1024);
        int logAt = args.indexOf("--class-log");
        Path classLog = logAt >= 0 ? Path.of(args.get(logAt + 1)).toAbsolutePath() : null;
        String loadBefore = loadAverage();

        LocalAws servers = BenchDeployment.quietServers();
        try (servers; AwsClients clients = AwsClients.create(new AwsClients.Settings(Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")),
                servers.s3Endpoint(), servers.dynamoEndpoint(), servers.rekognitionEndpoint(), true, 1,
                AwsClients.Settings.DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT, servers.sqsEndpoint()))) {
            List<Function> functions = deploy(servers, clients, repo);
            ColdStartBench after = new ColdStartBench(repo, ColdStartBench.localEnvironment(endpoints(servers)));
            Map<String, ColdStartBench> builds = new LinkedHashMap<>();
            builds.put("before", after.withJarsOf(before));
            builds.put("after", after);
            String text = compare(functions, builds, runs, memory)
                    + (classLog == null ? "" : classes(functions, builds, memory, classLog));
            System.out.print(text);
            Path results = repo.resolve("bench/results/function-jars.md");
            Files.writeString(results, "# Function jars before and after\n\n" + header(before, runs, memory, loadBefore)
                    + text);
            PROGRESS.println("Written: " + repo.relativize(results));
        }
        System.exit(0);
    }

    private static String header(Path before, int runs, int memory, String loadBefore) {
        return String.format(Locale.ROOT, "%s, %s, load average before the run %s. `jars %s --runs %d --memory %d`: "
                        + "before = the jars built in that checkout, after = this one's.%n%n", java.time.Instant.now(),
                machine(), loadBefore, before, runs, memory);
    }

    private static String compare(List<Function> functions, Map<String, ColdStartBench> builds, int runs, int memory)
            throws IOException, InterruptedException {
        Map<String, List<JsonNode>> samples = new LinkedHashMap<>();
        for (int round = 0; round < runs; round++) {
            for (Function function : functions) {
                List<String> order = new ArrayList<>(builds.keySet());
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String build : order) {
                    PROGRESS.printf("[bench] round %d/%d %s (%s)%n", round + 1, runs, function.name(), build);
                    samples.computeIfAbsent(function.name() + "|" + build, k -> new ArrayList<>())
                            .add(builds.get(build).runOnce(function.subject(), memory, List.of()));
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Function function : functions) {
            for (var build : builds.entrySet()) {
                List<JsonNode> s = samples.get(function.name() + "|" + build.getKey());
                rows.add(new Row(function.name(), build.getKey(), Files.size(build.getValue().jar(function.module())),
                        s.size(), median(s, "jvmStartToFirstResultMs"), median(s, "cpuMsAtFirstResult"),
                        median(s, "initMs"),
                        median(s, "firstInvokeMs"), max(s, "rssPeakMb"), median(s, "classesAtFirstResult"),
                        s.get(0).path("firstResponse").asText()));
            }
        }
        double trivialBefore = find(rows, "trivial", "before").firstResultMs();
        double trivialAfter = find(rows, "trivial", "after").firstResultMs();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "Plain JVM at %d MB, medians of %d cold "
                + "starts per function and build, alternating. CPU ms: the process's CPU time (all threads) at the "
                + "first result. Load average after: %s.%n%n", memory, runs, loadAverage()));
        md.append("| function | jar bytes before | after | after / before | JVM start → first result ms before "
                + "| after | after / before | x trivial before | after | CPU ms before | after | after / before "
                + "| init ms before | after | first invocation ms before | after | classes loaded before | after "
                + "| peak RSS MB before | after |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Function function : functions) {
            Row b = find(rows, function.name(), "before");
            Row a = find(rows, function.name(), "after");
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.2f | %.0f | %.0f | %.2f | %.1f | %.1f | %.0f "
                            + "| %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
                    function.name(), b.jarBytes(), a.jarBytes(), (double) a.jarBytes() / b.jarBytes(),
                    b.firstResultMs(), a.firstResultMs(), a.firstResultMs() / b.firstResultMs(),
                    b.firstResultMs() / trivialBefore, a.firstResultMs() / trivialAfter, b.cpuMs(), a.cpuMs(),
                    a.cpuMs() / b.cpuMs(), b.initMs(), a.initMs(), b.firstInvokeMs(), a.firstInvokeMs(),
                    b.classes(), a.classes(), b.rssPeakMb(), a.rssPeakMb()));
        }
        md.append("\nFirst responses (after): ");
        rows.stream().filter(r -> r.build().equals("after")).forEach(r -> md.append("\n- ").append(r.function())
                .append(": `").append(r.firstResponse().length() > 90 ? r.firstResponse().substring(0, 90)
                        : r.firstResponse()).append('`'));
        md.append("\n\n");
        return md.toString();
    }

    /** One more start of each function on each build with {@code -Xlog:class+load}, summarised by library. */
    private static String classes(List<Function> functions, Map<String, ColdStartBench> builds, int memory, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        StringBuilder md = new StringBuilder("Classes loaded up to the first result, by library (one start with "
                + "`-Xlog:class+load`; the JDK's own from its class-data archive or modules):\n\n");
        for (Function function : functions) {
            for (var build : builds.entrySet()) {
                Path log = dir.resolve(build.getKey() + "-" + function.name().replaceAll("[^a-z0-9-]", "") + ".log");
                Files.deleteIfExists(log);
                build.getValue().runOnce(function.subject(), memory,
                        List.of("-Xlog:class+load:file=" + log + ":uptime"));
                Map<String, Integer> byLibrary = new TreeMap<>();
                for (String line : Files.readAllLines(log)) {
                    int at = line.indexOf("] ");
                    int source = line.indexOf(" source: ");
                    if (at < 0 || source < 0) {
                        continue;
                    }
                    byLibrary.merge(library(line.substring(at + 2, source), line.substring(source + 9)), 1,
                            Integer::sum);
                }
                md.append("- ").append(function.name()).append(" (").append(build.getKey()).append("): ")
                        .append(byLibrary.values().stream().mapToInt(Integer::intValue).sum()).append(" classes; ");
                byLibrary.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .forEach(e -> md.append(e.getKey()).append(' ').append(e.getValue()).append(", "));
                md.setLength(md.length() - 2);
                md.append('\n');
            }
        }
        return md.append('\n').toString();
    }

    /** The library a loaded class comes from, by package. */
    static String library(String className, String source) {
        if (!source.startsWith("file:") && !source.startsWith("jar:")) {
            return "JDK";
        }
        String path = className.replace('.', '/');
        String[][] prefixes = {
            {"software/amazon/awssdk/services/", null},
            {"software/amazon/awssdk/", "SDK core, auth, regions, HTTP"},
            {"com/fasterxml/jackson/", "Jackson"},
            {"dev/sentinel/engine/embedded/", "embedded engine"},
            {"dev/sentinel/", "Sentinel"},
            {"com/twelvemonkeys/", "image decoders"},
            {"com/drew/", "metadata-extractor"},
            {"com/adobe/", "metadata-extractor"},
            {"org/slf4j/", "slf4j"},
            {"com/amazonaws/", "Lambda core"},
        };
        for (String[] prefix : prefixes) {
            if (path.startsWith(prefix[0])) {
                if (prefix[1] != null) {
                    return prefix[1];
                }
                String service = path.substring(prefix[0].length());
                return "SDK " + service.substring(0, service.indexOf('/'));
            }
        }
        return "other (" + path.substring(0, Math.max(0, path.indexOf('/'))) + ")";
    }

    /** Buckets, tables and queues the functions name, and the functions with the events of one start each. */
    private static List<Function> deploy(LocalAws servers, AwsClients clients, Path repo) throws IOException {
        String quarantine = "jars-quarantine";
        BenchDeployment.create(servers, clients, UPLOADS, quarantine, "jars-verdicts");
        CaseTable.createIfMissing(clients.dynamo(), "jars-cases");
        CaseTable.createIfMissing(clients.dynamo(), "jars-bank");
        String dlq = clients.sqs().createQueue(b -> b.queueName("jars-dlq")).queueUrl();
        String queue = clients.sqs().createQueue(b -> b.queueName("jars-scan")).queueUrl();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("UPLOAD_BUCKETS", UPLOADS);
        env.put("QUARANTINE_BUCKET", quarantine);
        env.put("VERDICTS_TABLE", "jars-verdicts");
        env.put("CASES_TABLE", "jars-cases");
        env.put("HASH_BANK_TABLE", "jars-bank");
        env.put("MODERATION_ENGINE", "rekognition");
        env.put("SCAN_QUEUE_URL", queue);
        env.put("SCAN_DEAD_LETTER_QUEUE_URL", dlq);

        Path events = Files.createTempDirectory("bench-jars-");
        byte[] photo = Files.readAllBytes(repo.resolve("local/samples/bridge-512.jpg"));
        int[] uploads = {0};
        // Each start scans an upload of its own: bytes decided before would reuse their verdict.
        Supplier<List<Path>> scan = () -> {
            int n = ++uploads[0];
            byte[] bytes = PipelineOverheadBench.distinctCopy(photo, n);
            String key = "jars/" + n + ".jpg";
            PutObjectResponse put = clients.s3().putObject(b -> b.bucket(UPLOADS).key(key),
                    RequestBody.fromBytes(bytes));
            return List.of(BenchAll.write(events, "scan-" + n + ".json", SampleEvents.s3Put(UPLOADS, key,
                    new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), bytes.length))));
        };
        return List.of(
                new Function("trivial handler", "review-api", TrivialHandler.class.getName(),
                        sample(events, "api-get-reviews.json"), Map.of()),
                new Function("review-api", "review-api", "dev.sentinel.functions.review.ReviewApiHandler",
                        sample(events, "api-get-reviews.json"), env),
                new Function("notice-api", "notice-api", "dev.sentinel.functions.notice.NoticeApiHandler",
                        sample(events, "api-get-notice.json"), env),
                new Function("appeal-api", "appeal-api", "dev.sentinel.functions.appeal.AppealApiHandler",
                        sample(events, "api-get-appeal.json"), env),
                new Function("operations-api", "operations-api",
                        "dev.sentinel.functions.operations.OperationsApiHandler",
                        sample(events, "api-get-redrives.json"), env),
                new Function("moderation-api", "moderation-api",
                        "dev.sentinel.functions.moderation.ModerationApiHandler",
                        sample(events, "api-get-moderation.json"), env),
                new Function("scan-upload (rekognition)", "scan-upload",
                        "dev.sentinel.functions.scan.ScanUploadHandler", scan, env));
    }

    private static Map<String, String> endpoints(LocalAws servers) {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("AWS_ENDPOINT_URL_S3", servers.s3Endpoint().toString());
        endpoints.put("AWS_ENDPOINT_URL_DYNAMODB", servers.dynamoEndpoint().toString());
        endpoints.put("AWS_ENDPOINT_URL_REKOGNITION", servers.rekognitionEndpoint().toString());
        endpoints.put("AWS_ENDPOINT_URL_SQS", servers.sqsEndpoint().toString());
        return endpoints;
    }

    private static Supplier<List<Path>> sample(Path dir, String name) {
        Path file = BenchAll.write(dir, name, SampleEvents.load(name));
        return () -> List.of(file);
    }

    private static Row find(List<Row> rows, String function, String build) {
        return rows.stream().filter(r -> r.function().startsWith(function) && r.build().equals(build)).findFirst()
                .orElseThrow();
    }

    private static double median(List<JsonNode> samples, String field) {
        return Stats.of(samples.stream().mapToDouble(s -> s.path(field).asDouble()).toArray()).p50();
    }

    private static double max(List<JsonNode> samples, String field) {
        return samples.stream().mapToDouble(s -> s.path(field).asDouble()).max().orElse(0);
    }

    private static int intOption(List<String> args, String name, int otherwise) {
        int at = args.indexOf(name);
        return at >= 0 && at + 1 < args.size() ? Integer.parseInt(args.get(at + 1)) : otherwise;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version");
    }
}
