package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.json.Json;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.policy.Action;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;

/**
 * The runner stands in for S3's notifications, so it must send them as S3 does: a reviewer's release restores the
 * image as a new version by CopyObject, which S3 announces as ObjectCreated:Copy, and the scan leaves it alone;
 * an upload made meanwhile is still announced and scanned.
 */
class PipelineWriteNotificationTest {

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

    @Test
    void aReleaseIsAnnouncedAsACopyAndLeftAloneWhileAnUploadBesideItIsScanned() throws Exception {
        Path released = REPO.resolve("local/samples/bridge-512.jpg");
        String releasedSha = sha256(Files.readAllBytes(released));
        try (RekognitionStandIn rekognition = RekognitionStandIn.start().respondWith(request ->
                RekognitionStandIn.moderationLabels(releasedSha.equals(request.imageSha256())
                        ? List.of(new RekognitionStandIn.Label("Explicit", "", 1, 97.5)) : List.of()));
             LocalSentinel sentinel = LocalSentinel.start(RunnerOptions.parse(new String[] {"--engine", "rekognition",
                     "--rekognition-endpoint", rekognition.endpoint().toString()}, REPO),
                     StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                     Region.US_EAST_1)) {
            Verdict quarantined = sentinel.scanFile(released, "holiday/bridge.jpg").verdicts().get(0);
            assertEquals(PlacementState.QUARANTINED, quarantined.placement().state());
            try (LocalApi api = LocalApi.start(0, sentinel.apiRouters())) {
                HttpResponse<String> release = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                api.endpoint().resolve("reviews/" + quarantined.verdictId() + "/decision"))
                        .header("authorization", "Bearer local:reviewer-1:reviewer")
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(Map.of(
                                "decision", "RELEASE", "reason", "An engraving of a bridge; nothing explicit."))))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, release.statusCode(), release.body());
            }
            sentinel.s3().putObject(b -> b.bucket(LocalSentinel.UPLOADS).key("holiday/wee.jpg"),
                    RequestBody.fromFile(REPO.resolve("local/samples/wee.jpg")));

            List<LocalSentinel.Result> announced = new ArrayList<>();
            AtomicInteger rounds = new AtomicInteger();
            sentinel.watch(announced::add, () -> rounds.getAndIncrement() < 2, Duration.ofMillis(10));

            assertEquals(List.of("holiday/bridge.jpg (ObjectCreated:Copy)", "holiday/wee.jpg"),
                    announced.stream().map(LocalSentinel.Result::name).toList());
            Verdict after = announced.get(0).verdicts().get(0);
            assertEquals(quarantined.verdictId(), after.verdictId(), "the release's own verdict, no second one");
            assertEquals(PlacementState.PUBLISHED, after.placement().state());
            assertEquals("approved", sentinel.s3().getObjectTagging(b -> b.bucket(LocalSentinel.UPLOADS)
                    .key("holiday/bridge.jpg").versionId(after.placement().location().versionId())).tagSet().stream()
                    .filter(t -> t.key().equals("moderation")).findFirst().orElseThrow().value());
            Verdict upload = announced.get(1).verdicts().get(0);
            assertEquals(Action.ALLOW, upload.action());
            assertTrue(announced.stream().allMatch(r -> r.error() == null), announced.toString());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
