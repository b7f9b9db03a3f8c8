package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.policy.Action;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The reviewer console in a real browser: Debian's headless Chromium driven by playwright-core (node) against the
 * local API, with the real review functions behind it, local S3 and DynamoDB, and the Rekognition stand-in deciding
 * one upload is explicit and another shows a minor. Screenshots of each view go to target/console-screenshots.
 */
class ConsoleBrowserTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final Path SCREENSHOTS = Path.of("target/console-screenshots").toAbsolutePath();

    @Test
    void reviewerReleasesAnItemWithAReasonAndNeverSeesAChildSafetyImage() throws Exception {
        Path released = REPO.resolve("local/samples/bridge-512.jpg");
        Path childSafety = REPO.resolve("local/samples/street-q0291.jpg");
        byte[] releasedBytes = Files.readAllBytes(released);
        String releasedSha = sha256(releasedBytes);
        String childSafetySha = sha256(Files.readAllBytes(childSafety));
        List<RekognitionStandIn.Label> explicit = List.of(new RekognitionStandIn.Label("Explicit", "", 1, 98.2),
                new RekognitionStandIn.Label("Explicit Nudity", "Explicit", 2, 97.1));
        try (RekognitionStandIn rekognition = RekognitionStandIn.start().respondWith(request ->
                request.operation().equals("DetectFaces")
                        ? RekognitionStandIn.faces(childSafetySha.equals(request.imageSha256())
                                ? List.of(new int[] {10, 14}) : List.of(new int[] {27, 35}))
                        : releasedSha.equals(request.imageSha256()) || childSafetySha.equals(request.imageSha256())
                                ? RekognitionStandIn.moderationLabels(explicit)
                                : RekognitionStandIn.moderationLabels(List.of()));
             LocalSentinel sentinel = LocalSentinel.start(RunnerOptions.parse(new String[] {"--engine", "rekognition",
                     "--rekognition-endpoint", rekognition.endpoint().toString()}, REPO),
                     StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")), Region.US_EAST_1)) {
            Verdict quarantined = only(sentinel.scanFile(released, "holiday/bridge.jpg"));
            Verdict minor = only(sentinel.scanFile(childSafety, "holiday/street.jpg"));
            assertEquals(Action.QUARANTINE, quarantined.action());
            assertEquals(Action.CHILD_SAFETY, minor.action());

            try (LocalApi api = LocalApi.start(0, sentinel.apiRouters())) {
                assertEquals(403, get(api.endpoint().resolve("reviews/" + minor.verdictId() + "/preview")),
                        "the API itself refuses a child-safety image");
                assertEquals(403, get(api.endpoint().resolve("reviews")),
                        "no token, no queue");

                // A takedown notice on the quarantined item: the queue counts down to its 2-hour deadline.
                HttpResponse<String> notice = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                api.endpoint().resolve("notices"))
                        .header("authorization", "Bearer local:intake-1:notifier")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(java.util.Map.of(
                                "category", "INTIMATE_IMAGERY",
                                "object", java.util.Map.of("bucket", LocalSentinel.UPLOADS, "key", "holiday/bridge.jpg"),
                                "notifier", java.util.Map.of("name", "Jane Doe", "email", "jane@example.org"),
                                "explanation", "A sexualised AI-generated image of me.", "goodFaith", true))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, notice.statusCode(), notice.body());

                JsonNode result = runBrowser(api.consoleFor("reviewer-1", "reviewer"), "holiday/bridge.jpg",
                        "holiday/street.jpg");

                assertTrue(result.path("ok").asBoolean(), result.toString());
                assertEquals(6, result.path("screenshots").size(), result.toString());
                for (JsonNode shot : result.path("screenshots")) {
                    assertTrue(Files.size(Path.of(shot.asText())) > 10_000, shot + " is a real screenshot");
                }
            }

            // The release went through the real review function: the bytes are back in uploads, approved.
            ResponseBytes<GetObjectResponse> back = sentinel.s3().getObjectAsBytes(b -> b
                    .bucket(LocalSentinel.UPLOADS).key("holiday/bridge.jpg"));
            assertTrue(java.util.Arrays.equals(releasedBytes, back.asByteArray()), "byte-identical in uploads");
            assertEquals("approved", sentinel.s3().getObjectTagging(b -> b.bucket(LocalSentinel.UPLOADS)
                    .key("holiday/bridge.jpg").versionId(back.response().versionId())).tagSet().stream()
                    .filter(t -> t.key().equals("moderation")).findFirst().orElseThrow().value());
            Verdict after = sentinel.verdict(quarantined.verdictId());
            assertEquals(PlacementState.PUBLISHED, after.placement().state());
            assertEquals("Context checked: an anatomy textbook illustration, allowed.",
                    after.decisions().get(0).reason());
            // One reviewer released the child-safety item: recorded, but it stays quarantined until a second one does.
            Verdict waiting = sentinel.verdict(minor.verdictId());
            assertEquals(PlacementState.QUARANTINED, waiting.placement().state());
            assertEquals(List.of("RELEASE_REQUESTED"), waiting.decisions().stream().map(d -> d.outcome()).toList());
            assertEquals("reviewer-1", waiting.decisions().get(0).actor());
        }
    }

    private static JsonNode runBrowser(URI console, String releaseKey, String childSafetyKey) throws Exception {
        Path script = REPO.resolve("local/console-e2e/console.e2e.mjs");
        Process node = new ProcessBuilder("node", script.toString(), console.toString(), SCREENSHOTS.toString(),
                releaseKey, childSafetyKey).directory(script.getParent().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(node.waitFor(3, TimeUnit.MINUTES), "the browser run finished");
        assertEquals(0, node.exitValue(), "browser checks failed (stderr above): " + out);
        return Json.mapper().readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
    }

    private static int get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                        .header("authorization", uri.getPath().endsWith("/reviews") ? "Bearer not-a-token"
                                : "Bearer local:reviewer-1:reviewer").build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Verdict only(LocalSentinel.Result result) {
        assertEquals(1, result.verdicts().size(), result.toString());
        return result.verdicts().get(0);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
