package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.RekognitionStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The README's main job, run as a user runs it, with Rekognition stood in over HTTP. */
class LocalRunnerTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final AwsCredentialsProvider NO_CREDENTIALS = () -> {
        throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
    };
    private static RekognitionStandIn rekognition;

    @TempDir
    Path dir;

    @BeforeAll
    static void standIn() throws Exception {
        String bridge = sha256(Files.readAllBytes(REPO.resolve("local/samples/bridge-512.jpg")));
        String beach = sha256(Files.readAllBytes(REPO.resolve("local/samples/street-q0003.jpg")));
        rekognition = RekognitionStandIn.start().respondWith(request -> bridge.equals(request.imageSha256())
                ? RekognitionStandIn.moderationLabels(List.of(
                        new RekognitionStandIn.Label("Explicit", "", 1, 97.5),
                        new RekognitionStandIn.Label("Explicit Nudity", "Explicit", 2, 96.0)))
                : beach.equals(request.imageSha256()) ? RekognitionStandIn.moderationLabels(List.of(
                        new RekognitionStandIn.Label("Swimwear or Underwear", "", 1, 91.0)))
                : RekognitionStandIn.moderationLabels(List.of()));
    }

    @AfterAll
    static void stop() {
        rekognition.close();
    }

    @Test
    void scansTheSampleImagesAndPrintsAVerdictTableAndJson() throws Exception {
        Path json = dir.resolve("verdicts.json");
        Run run = run("--engine", "rekognition", "--rekognition-endpoint", rekognition.endpoint().toString(), "--json", json.toString());

        assertEquals(0, run.code, run.err);
        List<String> rows = run.out.lines().toList();
        assertTrue(rows.get(0).startsWith("UPLOAD"), run.out);
        assertRow(rows, "bridge-512.jpg", "QUARANTINE", "QUARANTINED");
        assertRow(rows, "street-q0003.jpg", "ALLOW", "PUBLISHED");
        assertRow(rows, "not-an-image.jpg", "REVIEW", "HELD");
        assertTrue(run.err.contains("[6/6]"), "progress is shown: " + run.err);

        JsonNode verdicts = Json.mapper().readTree(json.toFile());
        assertEquals(6, verdicts.size());
        JsonNode bridge = find(verdicts, "bridge-512.jpg");
        assertEquals("sentinel-quarantine-example", bridge.at("/placement/location/bucket").asText());
        assertEquals(97.5, bridge.at("/reasons/0/confidence").asDouble(), 1e-9);
        assertTrue(bridge.at("/reasons/0/automated").asBoolean());
    }

    @Test
    void replaysTheSampleEventsLikeSamLocalInvoke() throws Exception {
        Path json = dir.resolve("events.json");
        Run run = run("--engine", "rekognition", "--rekognition-endpoint", rekognition.endpoint().toString(), "--json", json.toString(),
                "--events");

        assertEquals(0, run.code, run.err);
        assertRow(run.out.lines().toList(), "users/alice/holiday.jpg", "ALLOW", "PUBLISHED");
        assertEquals("PUBLISHED", find(Json.mapper().readTree(json.toFile()),
                "users/renée/summer trip/café €5+1 🌊.jpg").at("/placement/state").asText());
        assertTrue(run.out.contains("s3-put-quarantine-bucket.json"), "an event that scans nothing is listed: "
                + run.out);
    }

    @Test
    void watchModeScansWhatAnyS3ClientUploads() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path json = dir.resolve("watched.json");
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> LocalRunner.run(new String[] {
            "--engine", "rekognition", "--rekognition-endpoint", rekognition.endpoint().toString(), "--watch-for", "6", "--json", json.toString()},
                REPO, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), NO_CREDENTIALS));
        String endpoint = await(() -> {
            Matcher m = Pattern.compile("Watching s3://\\S+ at (\\S+) ").matcher(err.toString(StandardCharsets.UTF_8));
            return m.find() ? m.group(1) : null;
        });

        // A plain unsigned HTTP PUT, as the printed curl command does, and a signed SDK upload.
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint + "/sentinel-uploads-example/from-curl.jpg"))
                .PUT(HttpRequest.BodyPublishers.ofFile(REPO.resolve("local/samples/bridge-512.jpg"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        uploadWithSdk(endpoint, "sentinel-uploads-example", "from sdk/wee.jpg");

        assertEquals(0, code.get(60, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
        List<String> rows = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertRow(rows, "from-curl.jpg", "QUARANTINE", "QUARANTINED");
        assertRow(rows, "from sdk/wee.jpg", "ALLOW", "PUBLISHED");
        assertEquals(2, Json.mapper().readTree(json.toFile()).size(), "samples are not scanned in watch mode");
    }

    @Test
    void emulatorModeScansTheSamplesThroughTheDeployedStacksNotifications() throws Exception {
        EmulatorTests.assumeAvailable(LocalRunnerTest.class);
        Path json = dir.resolve("emulated.json");
        Run run = run("--emulator", "--json", json.toString());

        assertEquals(0, run.code, run.err);
        assertTrue(run.err.contains("Deployed ") && run.err.contains("Not deployed: "), run.err);
        List<String> rows = run.out.lines().toList();
        assertTrue(rows.get(0).startsWith("UPLOAD"), run.out);
        for (String safe : List.of("street-q0003.jpg", "street-q0291.jpg", "street-q2821.jpg", "bridge-512.jpg")) {
            assertRow(rows, safe, "ALLOW", "PUBLISHED");
        }
        assertRow(rows, "not-an-image.jpg", "REVIEW", "HELD");
        JsonNode verdicts = Json.mapper().readTree(json.toFile());
        assertEquals(6, verdicts.size());
        assertTrue(find(verdicts, "wee.jpg").at("/object/bucket").asText().startsWith("sentinel-uploads-"),
                "the template's uploads bucket, named as deployed");
    }

    @Test
    void emulatorWatchModeScansWhatAnyS3ClientUploads() throws Exception {
        EmulatorTests.assumeAvailable(LocalRunnerTest.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> LocalRunner.run(new String[] {
            "--emulator", "--watch-for", "15", "--json", dir.resolve("watched-emulator.json").toString()},
                REPO, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), NO_CREDENTIALS));
        Matcher watching = await(() -> {
            Matcher m = Pattern.compile("Watching s3://(\\S+) in .+ at (\\S+) for").matcher(
                    err.toString(StandardCharsets.UTF_8));
            return m.find() ? m : null;
        });
        String bucket = watching.group(1);
        String endpoint = watching.group(2);

        // A plain unsigned HTTP PUT, as curl would send it, and a signed SDK upload.
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(endpoint + "/" + bucket + "/from-http.jpg"))
                .PUT(HttpRequest.BodyPublishers.ofFile(REPO.resolve("local/samples/street-q0003.jpg"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        uploadWithSdk(endpoint, bucket, "from sdk/wee.jpg");

        assertEquals(0, code.get(90, TimeUnit.SECONDS), err.toString(StandardCharsets.UTF_8));
        List<String> rows = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertRow(rows, "from-http.jpg", "ALLOW", "PUBLISHED");
        assertRow(rows, "from sdk/wee.jpg", "ALLOW", "PUBLISHED");
    }

    /** A signed upload of the sample wee.jpg with the SDK, any credentials, as an application would make it. */
    private static void uploadWithSdk(String endpoint, String bucket, String key) {
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true)
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("any", "any"))).build()) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(REPO.resolve("local/samples/wee.jpg")));
        }
    }

    private static <T> T await(Supplier<T> probe) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting");
    }

    @Test
    void withoutCredentialsRekognitionStopsWithOneClearLine() {
        Run run = run("--engine", "rekognition");

        assertEquals(2, run.code);
        assertEquals(1, run.err.lines().count(), run.err);
        assertTrue(run.err.startsWith("No AWS credentials found"), run.err);
        assertTrue(run.out.isEmpty());
    }

    @Test
    void defaultRunIsOfflineWithTheEmbeddedEngine() throws Exception {
        Path json = dir.resolve("offline.json");
        int callsBefore = rekognition.requests().size();
        Run run = run("--json", json.toString());

        assertEquals(0, run.code, run.err);
        assertTrue(run.err.contains("engine embedded, policy bundled:embedded-v7"), run.err);
        List<String> rows = run.out.lines().toList();
        for (String safe : List.of("street-q0003.jpg", "street-q0291.jpg", "street-q2821.jpg", "bridge-512.jpg")) {
            assertRow(rows, safe, "ALLOW", "PUBLISHED");
        }
        assertRow(rows, "not-an-image.jpg", "REVIEW", "HELD");
        JsonNode street = find(Json.mapper().readTree(json.toFile()), "street-q2821.jpg");
        assertEquals("embedded", street.path("engine").asText());
        assertEquals("nsfwjs-mobilenet_v2@4.4.0", street.path("modelVersion").asText());
        assertEquals("embedded-v7/2026-11-25", street.path("policyVersion").asText());
        assertEquals(callsBefore, rekognition.requests().size(), "offline means no Rekognition call");
    }

    @Test
    void importedHashListQuarantinesMatchingSamplesWithoutTheEngine() throws Exception {
        String pdq = new dev.sentinel.hash.PdqHasher().hash(javax.imageio.ImageIO.read(
                REPO.resolve("local/samples/street-q0291.jpg").toFile())).hex();
        Path list = dir.resolve("partner-list.csv");
        Files.writeString(list, "hash,kind,category,source\n" + pdq + ",pdq,intimate-imagery,\nzzz,pdq,x,\n");
        Path exported = dir.resolve("bank.csv");

        Run run = run("--import-hashes", list.toString(), "--export-hashes", exported.toString(), "--json",
                dir.resolve("v.json").toString());

        assertEquals(0, run.code, run.err);
        assertTrue(run.err.contains("Imported 1 hashes from partner-list.csv; skipped 1:"), run.err);
        assertTrue(run.err.contains("line 3: "), run.err);
        assertRow(run.out.lines().toList(), "street-q0291.jpg", "QUARANTINE", "QUARANTINED");
        assertRow(run.out.lines().toList(), "street-q2821.jpg", "ALLOW", "PUBLISHED");
        assertTrue(Files.readString(exported).contains(pdq + ",pdq,intimate-imagery,partner-list"));
    }

    @Test
    void rescanAfterAPolicyChangeTightensAndShowsProgress() throws Exception {
        Path policy = dir.resolve("no-swimwear.json");
        Path defaults = REPO.resolve("shared/core/src/main/resources/policies/default-v7.json");
        Files.writeString(policy, Files.readString(defaults)
                .replace("\"policyVersion\": \"default-v7/2026-11-24\"", "\"policyVersion\": \"no-swimwear/1\"")
                .replace("{ \"label\": \"Swimwear or Underwear\", \"minConfidence\": 50, \"action\": \"ALLOW\"",
                        "{ \"label\": \"Swimwear or Underwear\", \"minConfidence\": 50, \"action\": \"QUARANTINE\""));
        Path json = dir.resolve("verdicts.json");
        Run run = run("--engine", "rekognition", "--rekognition-endpoint", rekognition.endpoint().toString(),
                "--json", json.toString(), "--rescan", "street-", "--rescan-policy", "file:" + policy);

        assertEquals(0, run.code, run.err);
        assertRow(run.out.lines().toList(), "street-q0003.jpg", "ALLOW", "PUBLISHED");
        List<String> rescanned = run.out.lines().dropWhile(l -> !l.startsWith("RESCANNED")).toList();
        assertTrue(rescanned.stream().anyMatch(l -> l.startsWith("street-q0003.jpg") && l.contains("stricter")
                && l.contains("QUARANTINED")), run.out);
        assertTrue(rescanned.stream().anyMatch(l -> l.startsWith("street-q2821.jpg") && l.contains("unchanged")),
                run.out);
        assertTrue(rescanned.stream().noneMatch(l -> l.startsWith("bridge-512.jpg")), "outside the prefix");
        assertTrue(run.err.contains("[rescan] 3 objects so far"), run.err);
        JsonNode after = find(Json.mapper().readTree(json.toFile()), "street-q0003.jpg");
        assertEquals("QUARANTINE", after.path("action").asText());
        assertEquals("no-swimwear/1", after.path("policyVersion").asText());
    }

    @Test
    void redriveMovesADeadLetterQueueBack() {
        URI endpoint = dev.sentinel.local.aws.LocalAws.shared().sqsEndpoint();
        AwsCredentialsProvider local = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        try (var sqs = dev.sentinel.aws.AwsClients.sqs(Region.US_EAST_1, local, endpoint)) {
            String dlq = sqs.createQueue(b -> b.queueName("runner-dlq")).queueUrl();
            String queue = sqs.createQueue(b -> b.queueName("runner-scan")).queueUrl();
            for (int i = 0; i < 4; i++) {
                int n = i;
                sqs.sendMessage(b -> b.queueUrl(dlq).messageBody("{\"Records\":[],\"n\":" + n + "}"));
            }
            Run run = run(local, "--redrive", "--sqs-endpoint", endpoint.toString(), "--scan-queue", queue,
                    "--dead-letter-queue", dlq);

            assertEquals(0, run.code, run.out + run.err);
            assertTrue(run.out.contains("Redrive COMPLETED: 4 messages moved"), run.out);
            assertEquals("4", sqs.getQueueAttributes(b -> b.queueUrl(queue).attributeNamesWithStrings(
                    "ApproximateNumberOfMessages")).attributesAsStrings().get("ApproximateNumberOfMessages"));
            Run again = run(local, "--redrive", "--sqs-endpoint", endpoint.toString(), "--scan-queue", queue,
                    "--dead-letter-queue", dlq);
            assertTrue(again.out.contains("empty"), again.out);
        }
        assertEquals(64, run("--redrive").code, "a redrive needs both queue URLs");
    }

    @Test
    void badOptionsGetUsage() {
        Run run = run("--frobnicate");

        assertEquals(64, run.code);
        assertTrue(run.err.contains("unknown option --frobnicate") && run.err.contains("Usage:"), run.err);
    }

    private static void assertRow(List<String> rows, String key, String decision, String placement) {
        String row = rows.stream().filter(r -> r.startsWith(key + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + key + " in\n" + String.join("\n", rows)));
        List<String> cells = List.of(row.substring(34).trim().split("\\s+"));
        assertEquals(decision, cells.get(0), row);
        assertEquals(placement, cells.get(1), row);
    }

    private static JsonNode find(JsonNode verdicts, String key) {
        for (JsonNode v : verdicts) {
            if (v.at("/object/key").asText().equals(key)) {
                return v;
            }
        }
        throw new AssertionError("no verdict for " + key);
    }

    @Test
    void writesATransparencyReportOfTheRunAsJsonAndCsv() throws Exception {
        Path report = dir.resolve("report.json");
        Run run = run("--engine", "rekognition", "--rekognition-endpoint", rekognition.endpoint().toString(),
                "--json", dir.resolve("verdicts.json").toString(), "--transparency-report", "--report-out",
                report.toString());

        assertEquals(0, run.code, run.err);
        JsonNode json = dev.sentinel.json.Json.mapper().readTree(report.toFile());
        JsonNode verdicts = dev.sentinel.json.Json.mapper().readTree(dir.resolve("verdicts.json").toFile());
        assertTrue(verdicts.size() >= 5, verdicts.toString());
        assertEquals(verdicts.size(), json.at("/moderationDecisions/total").asInt(), json.toString());
        assertEquals(1, json.at("/moderationDecisions/byCategory/SEXUAL_CONTENT/QUARANTINE").asInt(),
                json.toString());
        String csv = Files.readString(dir.resolve("report.csv"));
        assertTrue(csv.startsWith("section,metric,dimension,value"), csv);
        assertTrue(run.out.contains("Transparency report"), run.out);

        Run bad = run("--engine", "rekognition", "--rekognition-endpoint", rekognition.endpoint().toString(),
                "--json", dir.resolve("v2.json").toString(), "--report-from", "2026-12-01", "--report-to",
                "2026-11-01", "--report-out", dir.resolve("bad.json").toString());
        assertTrue(bad.err.contains("transparency report"), bad.err);
        assertFalse(Files.exists(dir.resolve("bad.json")));
    }

    private record Run(int code, String out, String err) { }

    private static Run run(String... args) {
        return run(NO_CREDENTIALS, args);
    }

    private static Run run(AwsCredentialsProvider credentials, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LocalRunner.run(args, REPO, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), credentials);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
