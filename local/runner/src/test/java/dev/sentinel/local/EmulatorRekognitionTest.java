package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.emulator.EmulatedStack;
import dev.sentinel.local.emulator.Emulator;
import dev.sentinel.local.emulator.EmulatorClients;
import dev.sentinel.policy.Action;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The Rekognition engine's path through the emulated stack: no emulator has Rekognition, so a stand-in answers the
 * real client, reading the image from the emulator's S3 by the S3Object reference the function sends, as the
 * service would. An explicit image is quarantined into the template's quarantine bucket, under its KMS key.
 */
class EmulatorRekognitionTest {

    private static Emulator emulator;
    private static EmulatorClients clients;
    private static EmulatedStack stack;
    private static RekognitionStandIn rekognition;
    private static EmulatedScanFunction function;

    @BeforeAll
    static void deploy() throws Exception {
        emulator = EmulatorTests.start(EmulatorRekognitionTest.class);
        clients = EmulatorClients.of(emulator);
        stack = EmulatorTests.deploy(emulator, clients, Map.of("ModerationEngine", "rekognition"));
        String explicit = sha256(EmulatorTests.sample("bridge-512.jpg"));
        rekognition = RekognitionStandIn.start()
                .readS3With(at -> clients.s3().getObjectAsBytes(b -> b.bucket(at.bucket()).key(at.name())
                        .versionId(at.version())).asByteArray())
                .respondWith(request -> request.operation().equals("DetectFaces")
                        ? RekognitionStandIn.faces(List.of(new int[] {31, 38}))
                        : explicit.equals(request.imageSha256()) ? RekognitionStandIn.moderationLabels(List.of(
                                new RekognitionStandIn.Label("Explicit", "", 1, 97.5),
                                new RekognitionStandIn.Label("Explicit Nudity", "Explicit", 2, 96.0)))
                        : RekognitionStandIn.moderationLabels(List.of()));
        function = EmulatedScanFunction.start(stack, new EmulatedScanFunction.Rekognition(rekognition.endpoint(),
                emulator.credentials(), true), Map.of(), EmulatorTests.functionLog(stack), Duration.ofSeconds(1),
                invocation -> { });
    }

    @AfterAll
    static void stop() {
        EmulatorTests.closeAll(function, rekognition, clients, emulator);
    }

    @Test
    void anExplicitUploadIsQuarantinedUnderTheStacksKeyAndGoneFromTheUploadsBucket() throws Exception {
        String uploads = function.settings().uploadBuckets().iterator().next();
        String key = "users/mallory/explicit.jpg";
        byte[] bytes = EmulatorTests.sample("bridge-512.jpg");
        String version = clients.s3().putObject(b -> b.bucket(uploads).key(key).contentType("image/jpeg"),
                RequestBody.fromBytes(bytes)).versionId();

        Verdict verdict = EmulatorTests.awaitVerdict(function, uploads, key, version, Duration.ofSeconds(60))
                .orElseThrow(() -> new AssertionError("no verdict; " + EmulatorTests.lastLoggedError(stack)));

        assertEquals(Action.QUARANTINE, verdict.action());
        assertEquals(PlacementState.QUARANTINED, verdict.placement().state());
        assertEquals("rekognition", verdict.engine());
        RekognitionStandIn.Request asked = rekognition.requests().stream()
                .filter(r -> r.operation().equals("DetectModerationLabels")).findFirst().orElseThrow();
        assertEquals(new RekognitionStandIn.S3Location(uploads, key, version), asked.s3Object(),
                "Rekognition is sent the object version, not its bytes");

        var copy = verdict.placement().location();
        String quarantineBucket = stack.stack().ref(EmulatorTests.referenced(stack, "QUARANTINE_BUCKET"));
        assertEquals(quarantineBucket, copy.bucket());
        assertArrayEquals(bytes, clients.s3().getObjectAsBytes(b -> b.bucket(copy.bucket()).key(copy.key())
                .versionId(copy.versionId())).asByteArray(), "the copy is byte-identical");
        HeadObjectResponse head = clients.s3().headObject(b -> b.bucket(copy.bucket()).key(copy.key())
                .versionId(copy.versionId()));
        String quarantineKey = stack.stack().bucketKey(EmulatorTests.referenced(stack, "QUARANTINE_BUCKET"))
                .orElseThrow();
        assertEquals("aws:kms", head.serverSideEncryptionAsString());
        assertEquals(stack.stack().getAtt(quarantineKey, "Arn"), head.ssekmsKeyId(), "encrypted with the stack's key");
        assertFalse(EmulatorTests.exists(clients.s3(), uploads, key, version), "the judged version left the uploads bucket");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
