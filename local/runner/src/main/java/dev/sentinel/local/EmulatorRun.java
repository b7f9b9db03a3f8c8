package dev.sentinel.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.local.emulator.EmulatedStack;
import dev.sentinel.local.emulator.Emulator;
import dev.sentinel.local.emulator.EmulatorClients;
import dev.sentinel.local.emulator.SqsEventSource;
import dev.sentinel.local.iam.SamTransform;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.verdict.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;

/**
 * The runner's {@code --emulator} mode: template.yaml's data plane deployed into an AWS emulator, the images uploaded
 * to its uploads bucket as an application uploads them, and the scan function driven by the emulator's own S3
 * notifications through the scan queue, as deployed. Prints the same verdict table as the in-process run.
 */
final class EmulatorRun {

    /** How soon a failed delivery comes back here (360 s on AWS: the queue's visibility timeout). */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(2);
    private static final Duration PER_UPLOAD = Duration.ofMinutes(2);

    private EmulatorRun() {
    }

    /** @param rekognitionCredentials for the Rekognition engines (null for the embedded one) */
    static int run(RunnerOptions options, List<Path> images, Path repo, PrintStream out, PrintStream err,
                   AwsCredentialsProvider rekognitionCredentials, Region region) {
        Emulator.Choice choice = Emulator.choose(System.getenv(), options.s3Port());
        if (choice instanceof Emulator.Choice.Unavailable unavailable) {
            err.println(unavailable.reason());
            return 69;
        }
        Emulator.Choice.Available available = (Emulator.Choice.Available) choice;
        err.println("Starting " + available.description() + "; deploying template.yaml's data plane; engine "
                + options.engine() + ", policy " + options.policy() + "...");
        try (Emulator emulator = available.start().get(); EmulatorClients clients = EmulatorClients.of(emulator)) {
            // An emulator of our own holds the stack under its usual names; a shared one gets names of this run.
            String run = Long.toString(System.currentTimeMillis() % 2_176_782_336L, 36);
            Map<String, String> parameters = emulator.startedHere() ? Map.of("ModerationEngine", options.engine())
                    : Map.of("ModerationEngine", options.engine(), "NamePrefix", "run" + run);
            EmulatedStack stack = EmulatedStack.deploy(emulator, clients, SamTransform.repositoryTemplate(),
                    parameters, emulator.startedHere() ? "sentinel" : "sentinel-" + run);
            err.print(stack.summary());

            Watch watch = new Watch(out);
            // The real Rekognition cannot read the emulator's buckets: images go to it inline.
            EmulatedScanFunction.Rekognition rekognition = new EmulatedScanFunction.Rekognition(
                    options.rekognitionEndpoint(), rekognitionCredentials, false);
            try (EmulatedScanFunction function = EmulatedScanFunction.start(stack, rekognition,
                    Map.of("POLICY_SOURCE", options.policy()), StructuredLog.discard(), RETRY_AFTER,
                    invocation -> watch.delivered(invocation))) {
                watch.function = function;
                String bucket = function.settings().uploadBuckets().iterator().next();
                List<LocalSentinel.Result> results = Collections.synchronizedList(new ArrayList<>());
                results.addAll(scan(images, bucket, clients, function, watch, err));
                LocalRunner.printHeader(out);
                results.forEach(r -> LocalRunner.printRows(r, out));
                if (options.watch()) {
                    watch(options, bucket, emulator, watch, results, err);
                }
                LocalRunner.writeJson(results, options.jsonOut());
                out.println();
                out.println("Verdicts (full JSON, with statements of reasons): " + repo.relativize(
                        options.jsonOut().toAbsolutePath()));
                return results.stream().anyMatch(r -> r.error() != null && r.verdicts().isEmpty()) ? 1 : 0;
            }
        } catch (IllegalStateException | IOException e) {
            err.println("the emulator run failed: " + e.getMessage());
            return 70;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }

    /** Uploads each image under its file name, then waits for the verdict its notification leads to. */
    private static List<LocalSentinel.Result> scan(List<Path> images, String bucket, EmulatorClients clients,
                                                   EmulatedScanFunction function, Watch watch, PrintStream err)
            throws IOException, InterruptedException {
        Map<String, String> versions = new java.util.LinkedHashMap<>();
        int done = 0;
        for (Path image : images) {
            String key = image.getFileName().toString();
            err.printf("[%d/%d] %s%n", ++done, images.size(), key);
            byte[] bytes = Files.readAllBytes(image);
            versions.put(key, clients.s3().putObject(b -> b.bucket(bucket).key(key).contentType(contentType(key)),
                    RequestBody.fromBytes(bytes)).versionId());
        }
        List<LocalSentinel.Result> results = new ArrayList<>();
        for (Map.Entry<String, String> upload : versions.entrySet()) {
            long deadline = System.nanoTime() + PER_UPLOAD.toNanos();
            Optional<Verdict> verdict = Optional.empty();
            while (verdict.isEmpty() && !watch.gaveUp(upload.getKey()) && System.nanoTime() < deadline) {
                verdict = function.verdicts().historyOf(bucket, upload.getKey()).stream()
                        .filter(v -> upload.getValue() == null || upload.getValue().equals(v.object().versionId()))
                        .filter(v -> v.placement().state().settled()).findFirst();
                if (verdict.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            results.add(verdict.map(v -> new LocalSentinel.Result(upload.getKey(), "", null, List.of(v)))
                    .orElseGet(() -> new LocalSentinel.Result(upload.getKey(), "", watch.gaveUp(upload.getKey())
                            ? "every delivery failed; its message is in the dead-letter queue"
                            : "no verdict within " + PER_UPLOAD.toMinutes() + " min", List.of())));
        }
        return results;
    }

    private static void watch(RunnerOptions options, String bucket, Emulator emulator, Watch watch,
                              List<LocalSentinel.Result> results, PrintStream err) throws InterruptedException {
        err.println("Watching s3://" + bucket + " in " + emulator.name() + " at " + emulator.endpoint()
                + (options.watchFor() == null ? " until Ctrl-C." : " for " + options.watchFor().toSeconds() + " s."));
        err.println("Upload with any S3 client (any credentials), for example:");
        err.println("  aws --endpoint-url " + emulator.endpoint() + " s3 cp photo.jpg s3://" + bucket + "/");
        watch.results = results;
        long deadline = options.watchFor() == null ? Long.MAX_VALUE : System.nanoTime() + options.watchFor().toNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static String contentType(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        return name.endsWith(".png") ? "image/png" : name.endsWith(".gif") ? "image/gif"
                : name.endsWith(".webp") ? "image/webp" : name.endsWith(".jpg") || name.endsWith(".jpeg")
                ? "image/jpeg" : "application/octet-stream";
    }

    /**
     * What the scan function's deliveries came to: which uploads failed on their last receive, and, once watching,
     * a row for each upload a delivery decided.
     */
    private static final class Watch {

        private final PrintStream out;
        private final Set<String> gaveUp = ConcurrentHashMap.newKeySet();
        private volatile EmulatedScanFunction function;
        private volatile List<LocalSentinel.Result> results;

        Watch(PrintStream out) {
            this.out = out;
        }

        boolean gaveUp(String key) {
            return gaveUp.contains(key);
        }

        void delivered(SqsEventSource.Invocation invocation) {
            int last = redriveCount();
            for (SqsEventSource.Received message : invocation.batch()) {
                for (String key : keys(message.body())) {
                    if (invocation.failed().contains(message.messageId())) {
                        if (message.receiveCount() >= last) {
                            gaveUp.add(key);
                        }
                    } else if (results != null && function != null) {
                        String bucket = function.settings().uploadBuckets().iterator().next();
                        LocalSentinel.Result result = new LocalSentinel.Result(key, "", null,
                                function.verdicts().historyOf(bucket, key).stream().limit(1).toList());
                        results.add(result);
                        LocalRunner.printRows(result, out);
                    }
                }
            }
        }

        private int redriveCount() {
            return function == null ? Integer.MAX_VALUE : function.settings().retry().holdAfterAttempts();
        }

        private static List<String> keys(String body) {
            try {
                JsonNode notification = Json.mapper().readTree(body);
                return SampleEvents.mentions(notification).stream().map(SampleEvents.ObjectMention::key).toList();
            } catch (IOException | IllegalArgumentException unreadable) {
                return List.of();
            }
        }
    }
}
