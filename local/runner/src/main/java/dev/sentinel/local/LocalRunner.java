package dev.sentinel.local;

import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.json.Json;
import dev.sentinel.policy.PolicyException;
import dev.sentinel.verdict.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The README's main job: scans images (or replays sample events) through the real scan handler against local S3
 * and DynamoDB servers, and prints the verdicts as a table, with the full verdicts written as JSON.
 */
public final class LocalRunner {

    private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp",
            ".tif", ".tiff", ".heic");

    private LocalRunner() {
    }

    public static void main(String[] args) {
        // No instance-metadata lookups on a laptop: they only add seconds before "no credentials".
        System.setProperty("aws.disableEc2Metadata", "true");
        int code = run(args, repoRoot(), System.out, System.err, DefaultCredentialsProvider.builder().build());
        System.exit(code);
    }

    /** @param awsCredentials where Amazon Rekognition credentials come from when no endpoint is given */
    static int run(String[] args, Path repo, PrintStream out, PrintStream err, AwsCredentialsProvider awsCredentials) {
        RunnerOptions options;
        try {
            options = RunnerOptions.parse(args, repo);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 64;
        }
        if (options.help()) {
            out.print(RunnerOptions.USAGE);
            return 0;
        }
        Region region = region();
        if (options.operations().redrive()) {
            return Redrive.run(options.operations(), region, awsCredentials, out, err);
        }
        AwsCredentialsProvider credentials = null;
        if (options.engine().equals("embedded")) {
            // Offline: no AWS call is made.
        } else if (options.rekognitionEndpoint() != null) {
            credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        } else {
            credentials = awsCredentials;
            try {
                credentials.resolveCredentials();
            } catch (SdkClientException e) {
                err.println("No AWS credentials found: the " + options.engine() + " engine calls Amazon Rekognition "
                        + "(about $1 per 1,000 images). Configure credentials and a region (aws configure, or "
                        + "AWS_PROFILE, or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY + AWS_REGION), pass "
                        + "--rekognition-endpoint for a stand-in, or use --engine embedded (offline).");
                return 2;
            }
        }
        List<Path> images;
        try {
            // The console starts with the samples scanned, so its queue has something to show.
            boolean samples = options.inputs().isEmpty() && options.events().isEmpty()
                    && (!options.watch() || options.console());
            images = images(samples ? List.of(repo.resolve("local/samples")) : options.inputs());
        } catch (IOException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 66;
        }
        if (images.isEmpty() && options.events().isEmpty() && !options.watch()) {
            err.println("No images to scan in " + options.inputs());
            return 66;
        }
        if (options.emulator()) {
            return EmulatorRun.run(options, images, repo, out, err, credentials, region);
        }

        err.println("Starting local S3 and DynamoDB servers; engine " + options.engine() + ", policy "
                + options.policy() + "...");
        List<LocalSentinel.Result> results = new ArrayList<>();
        AwsCredentialsProvider rekognitionCredentials = credentials;
        try (LocalSentinel sentinel = quietly(() -> LocalSentinel.start(options, rekognitionCredentials, region))) {
            for (Path list : options.hashLists()) {
                var imported = sentinel.importHashes(list);
                err.printf("Imported %d hashes from %s%s%n", imported.entries().size(), list.getFileName(),
                        imported.problems().isEmpty() ? "" : "; skipped " + imported.problems().size() + ":");
                imported.problems().forEach(p -> err.printf("  line %d: %s%n", p.line(), p.problem()));
            }
            int total = images.size() + options.events().size();
            int done = 0;
            for (Path image : images) {
                err.printf("[%d/%d] %s%n", ++done, total, image.getFileName());
                results.add(sentinel.scanFile(image, image.getFileName().toString()));
            }
            byte[] sample = Files.readAllBytes(repo.resolve("local/samples/street-q2821.jpg"));
            for (Path event : options.events()) {
                err.printf("[%d/%d] event %s%n", ++done, total, event.getFileName());
                results.add(sentinel.replay(event, sample));
            }
            // S3 notifies what the pipeline wrote back into the uploads bucket too; so does the runner.
            results.addAll(sentinel.notifyPipelineWrites());
            printHeader(out);
            results.forEach(r -> printRows(r, out));
            if (options.console()) {
                try (LocalApi api = LocalApi.start(options.apiPort(), sentinel.apiRouters())) {
                    err.println("API on " + api.endpoint() + " (tokens: local:SUBJECT:GROUPS, loopback only)");
                    err.println("Reviewer console: " + api.consoleFor("reviewer-1", "reviewer"));
                    err.println("  a second reviewer (child-safety releases need two): "
                            + api.consoleFor("reviewer-2", "reviewer"));
                    watch(sentinel, options, results, out, err);
                }
            } else if (options.watch()) {
                watch(sentinel, options, results, out, err);
            }
            if (options.operations().rescanPrefix() != null) {
                rescan(sentinel, options, results, out, err);
            }
            writeJson(results, options.jsonOut());
            if (options.report() != null) {
                writeReport(sentinel, options.report(), out, err);
            }
            if (options.exportHashes() != null) {
                sentinel.exportHashes(options.exportHashes());
                err.println("Hash bank written to " + options.exportHashes());
            }
            out.println();
            out.println("Verdicts (full JSON, with statements of reasons): " + repo.relativize(
                    options.jsonOut().toAbsolutePath()));
        } catch (PolicyException e) {
            err.println(e.getMessage());
            return 78;
        } catch (IOException e) {
            err.println("local run failed: " + e.getMessage());
            return 74;
        }
        return results.stream().anyMatch(r -> r.error() != null && r.verdicts().isEmpty()) ? 1 : 0;
    }

    private static void writeReport(LocalSentinel sentinel, RunnerOptions.Report request, PrintStream out,
                                    PrintStream err) throws IOException {
        dev.sentinel.report.TransparencyReport report;
        try {
            report = sentinel.transparencyReport(request.from(), request.to());
        } catch (IllegalArgumentException e) {
            err.println("transparency report: " + e.getMessage());
            return;
        }
        Files.createDirectories(request.out().toAbsolutePath().getParent());
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(request.out().toFile(), report);
        Path csv = request.out().resolveSibling(request.out().getFileName().toString().replaceFirst("\\.json$", "")
                + ".csv");
        Files.writeString(csv, dev.sentinel.report.TransparencyReportCsv.toCsv(report));
        out.println();
        out.printf("Transparency report %s to %s: %d decisions %s; %d notices; %d appeals%n", report.period().from(),
                report.period().to(), report.moderationDecisions().total(), report.moderationDecisions().byAction(),
                report.notices().received(), report.appeals().lodged());
        out.println("  written to " + request.out() + " and " + csv.getFileName());
    }

    /** Starts the servers without their banners and request logs, which would bury the verdict table. */
    private static <T> T quietly(java.util.function.Supplier<T> start) {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            return start.get();
        } finally {
            System.setOut(stdout);
        }
    }

    private static List<Path> images(List<Path> inputs) throws IOException {
        List<Path> images = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> files = Files.list(input)) {
                    files.filter(Files::isRegularFile)
                            .filter(f -> IMAGE_SUFFIXES.stream().anyMatch(s ->
                                    f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(s)))
                            .sorted(Comparator.comparing(Path::toString))
                            .forEach(images::add);
                }
            } else if (Files.isRegularFile(input)) {
                images.add(input);
            } else {
                throw new IllegalArgumentException("no such file or folder: " + input);
            }
        }
        return images;
    }

    private static void watch(LocalSentinel sentinel, RunnerOptions options, List<LocalSentinel.Result> results,
                              PrintStream out, PrintStream err) throws IOException {
        String endpoint = sentinel.s3Endpoint().toString();
        err.println("Watching s3://" + LocalSentinel.UPLOADS + " at " + endpoint + (options.watchFor() == null
                ? " until Ctrl-C." : " for " + options.watchFor().toSeconds() + " s."));
        err.println("Upload with any S3 client (any credentials), for example:");
        err.println("  aws --endpoint-url " + endpoint + " s3 cp photo.jpg s3://" + LocalSentinel.UPLOADS + "/");
        err.println("  curl -T photo.jpg " + endpoint + "/" + LocalSentinel.UPLOADS + "/photo.jpg");
        long deadline = options.watchFor() == null ? Long.MAX_VALUE
                : System.nanoTime() + options.watchFor().toNanos();
        sentinel.watch(result -> {
            results.add(result);
            printRows(result, out);
        }, () -> System.nanoTime() < deadline, Duration.ofMillis(500));
    }

    private static void rescan(LocalSentinel sentinel, RunnerOptions options, List<LocalSentinel.Result> results,
                               PrintStream out, PrintStream err) {
        String policy = options.operations().rescanPolicy() != null ? options.operations().rescanPolicy()
                : options.policy();
        String prefix = options.operations().rescanPrefix();
        err.println("Rescanning s3://" + LocalSentinel.UPLOADS + "/" + prefix + "* under " + policy + "...");
        int[] seen = {0};
        Map<String, Integer> counts = new java.util.TreeMap<>();
        List<LocalSentinel.Rescanned> all = sentinel.rescan(prefix, policy, 100, page -> {
            seen[0] += page.size();
            page.forEach(r -> counts.merge(r.change().startsWith("kept") ? "kept" : r.change(), 1, Integer::sum));
            err.printf("[rescan] %d objects so far %s%n", seen[0], counts);
        });
        out.println();
        out.printf("%-34s %-10s %-11s %s%n", "RESCANNED", "CHANGE", "DECISION", "PLACEMENT / WHY KEPT");
        for (LocalSentinel.Rescanned r : all) {
            out.printf("%-34s %-10s %-11s %s%n", clip(r.key(), 34), r.change().startsWith("kept") ? "kept"
                    : r.change(), r.verdict() == null ? "-" : r.verdict().action(), r.verdict() == null
                    ? clip(r.change().substring("kept: ".length()), 60) : r.verdict().placement().state());
        }
        // The JSON written afterwards shows each verdict as the rescan left it.
        Map<String, Verdict> newest = new java.util.HashMap<>();
        all.stream().filter(r -> r.verdict() != null).forEach(r -> newest.put(r.verdict().verdictId(), r.verdict()));
        results.replaceAll(r -> new LocalSentinel.Result(r.name(), r.response(), r.error(), r.verdicts().stream()
                .map(v -> newest.getOrDefault(v.verdictId(), v)).toList()));
        out.println("Rescan done: " + counts);
    }

    private static final String ROW = "%-34s %-10s %-11s %-44s %s%n";

    static void printHeader(PrintStream out) {
        out.printf(ROW, "UPLOAD", "DECISION", "PLACEMENT", "STRONGEST LABEL / REASON", "VERDICT");
    }

    static void printRows(LocalSentinel.Result result, PrintStream out) {
        if (result.verdicts().isEmpty()) {
            boolean failed = result.error() != null;
            out.printf(ROW, clip(result.name(), 34), failed ? "ERROR" : "-", failed ? "NOT-PUBLIC" : "-",
                    clip(failed ? "error: " + result.error() : "skipped (nothing to scan)", 44), "-");
        }
        for (Verdict v : result.verdicts()) {
            out.printf(ROW, clip(v.object().key(), 34), v.action(), v.placement().state(), clip(summary(v), 44),
                    v.verdictId());
        }
    }

    private static String summary(Verdict v) {
        return v.labels().stream().max(Comparator.comparingDouble(ModerationLabel::confidence))
                .map(l -> String.format(Locale.ROOT, "%s %.1f%%", l.name(), l.confidence()))
                .orElseGet(() -> v.reasons().isEmpty() ? "" : v.reasons().get(0).text());
    }

    private static String clip(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }

    static void writeJson(List<LocalSentinel.Result> results, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        List<Verdict> all = results.stream().flatMap(r -> r.verdicts().stream()).toList();
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), all);
    }

    private static Region region() {
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }

    private static Path repoRoot() {
        String configured = System.getProperty("sentinel.repo");
        return Path.of(configured != null ? configured : "").toAbsolutePath().normalize();
    }
}
