package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static dev.sentinel.scan.ScanFixture.explicitNudity;
import static dev.sentinel.scan.ScanFixture.partialNudity;
import static dev.sentinel.scan.ScanFixture.swimwear;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ScanServiceTest {

    private final ScanFixture fx = new ScanFixture();
    private final ScanService service = fx.service();

    @Test
    void allowedImageIsTaggedApprovedAndStaysInUploads() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        fx.labels(photo, new RekognitionStandIn.Label("Swimwear or Underwear", "", 1, 91.0), swimwear(91.0));
        ObjectEvent event = fx.upload("users/alice/beach.jpg", photo);

        Verdict verdict = decided(service.scan(event));

        assertEquals(Action.ALLOW, verdict.action());
        assertEquals(PlacementState.PUBLISHED, verdict.placement().state());
        assertEquals(ReviewStatus.NOT_NEEDED, verdict.review());
        assertEquals("approved", tags(event.object()).get("moderation"));
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(fx.uploads).key("users/alice/beach.jpg"))
                .asByteArray());
        assertEquals(ScanFixture.sha256(photo), verdict.object().sha256());
        assertEquals(photo.length, verdict.object().size());
        assertEquals(event.object().versionId(), verdict.object().versionId());
        assertEquals("rekognition", verdict.engine());
        assertEquals("7.0", verdict.modelVersion());
        assertEquals(fx.policy.version(), verdict.policyVersion());
        assertTrue(verdict.reasons().stream().allMatch(Reason::automated));
        assertEquals(verdict, fx.verdicts.find(verdict.verdictId()).orElseThrow());
    }

    @Test
    void jpegInS3IsSentByReferenceToTheExactVersion() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0122.jpg");
        ObjectEvent event = fx.upload("by-reference.jpg", photo);

        decided(service.scan(event));

        RekognitionStandIn.Request request = fx.rekognition.requests().get(0);
        assertEquals("DetectModerationLabels", request.operation());
        assertFalse(request.sentAsBytes());
        assertEquals(new RekognitionStandIn.S3Location(fx.uploads, "by-reference.jpg", event.object().versionId()),
                request.s3Object());
        assertEquals(50.0, request.body().get("MinConfidence").asDouble(), 0.001);
    }

    @Test
    void reviewImageIsHeldUnapprovedAndQueued() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        fx.labels(photo, partialNudity(82.5));
        ObjectEvent event = fx.upload("held.jpg", photo);

        Verdict verdict = decided(service.scan(event));

        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(PlacementState.HELD, verdict.placement().state());
        assertEquals("held", tags(event.object()).get("moderation"));
        assertEquals(ReviewStatus.PENDING, verdict.review());
        assertEquals(List.of(verdict.verdictId()), fx.verdicts.listByReview(ReviewStatus.PENDING, 10, null).items()
                .stream().map(Verdict::verdictId).toList());
        Reason reason = verdict.reasons().get(0);
        assertEquals(ReasonCode.POLICY_RULE, reason.code());
        assertEquals("Non-Explicit Nudity", reason.label());
        assertEquals(82.5, reason.confidence(), 0.001);
        assertEquals(70.0, reason.threshold(), 0.001);
    }

    @Test
    void quarantinedImageIsMovedByteIdenticalAndTheVerdictSaysWhere() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(97.2), explicitNudity(96.8));
        ObjectEvent event = fx.upload("users/bob/generated.jpg", photo);

        Verdict verdict = decided(service.scan(event));

        assertEquals(Action.QUARANTINE, verdict.action());
        assertEquals(PlacementState.QUARANTINED, verdict.placement().state());
        ObjectRef where = verdict.placement().location();
        assertEquals(fx.quarantineBucket, where.bucket());
        assertEquals(fx.uploads + "/users/bob/generated.jpg", where.key());
        assertNotNull(where.versionId());
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(where.bucket()).key(where.key())
                .versionId(where.versionId())).asByteArray());
        assertEquals("quarantined", tags(where).get("moderation"));
        assertEquals(verdict.verdictId(), fx.aws.s3().headObject(b -> b.bucket(where.bucket()).key(where.key()))
                .metadata().get("sentinel-verdict-id"));
        assertGoneFromUploads("users/bob/generated.jpg");
        Reason reason = verdict.reasons().get(0);
        assertEquals("Explicit", reason.rule());
        assertEquals(97.2, reason.confidence(), 0.001);
        assertEquals(Action.QUARANTINE, reason.action());
        assertFalse(reason.ground().isBlank());
    }

    @Test
    void replayedEventMakesNoSecondVerdictAndNoSecondMove() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
        fx.labels(photo, explicit(99.0));
        ObjectEvent event = fx.upload("twice.jpg", photo);

        Verdict first = decided(service.scan(event));
        ScanOutcome replay = service.scan(event);

        Verdict again = assertInstanceOf(ScanOutcome.AlreadyDecided.class, replay).verdict();
        assertEquals(first, again);
        assertEquals(1, fx.verdicts.historyOf(fx.uploads, "twice.jpg").size());
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"));
        assertEquals(1, fx.aws.s3().listObjectVersions(b -> b.bucket(fx.quarantineBucket)).versions().size());
    }

    @Test
    void eachNewVersionOfAKeyGetsItsOwnVerdictAndHistoryKeepsAll() {
        byte[] safe = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        byte[] unsafe = TestAws.photo("reg-test-input_labelme-subset_q0122.jpg");
        fx.labels(unsafe, partialNudity(90));
        Verdict v1 = decided(service.scan(fx.upload("avatar.jpg", safe)));
        Verdict v2 = decided(service.scan(fx.upload("avatar.jpg", unsafe)));

        List<Verdict> history = fx.verdicts.historyOf(fx.uploads, "avatar.jpg");

        assertEquals(List.of(v2.verdictId(), v1.verdictId()), history.stream().map(Verdict::verdictId).toList());
        assertEquals(Action.REVIEW, history.get(0).action());
        assertEquals(Action.ALLOW, history.get(1).action());
    }

    @Test
    void nonImageObjectIsHeldForReview() {
        byte[] pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".getBytes();
        ObjectEvent event = fx.upload("report.jpg", pdf);

        Verdict verdict = decided(service.scan(event));

        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(ReasonCode.UNSUPPORTED_FORMAT, verdict.reasons().get(0).code());
        assertEquals("held", tags(event.object()).get("moderation"));
        assertEquals(0, fx.rekognition.requests().size());
    }

    @Test
    void zeroByteObjectIsHeldForReview() {
        ObjectEvent event = fx.upload("empty.png", new byte[0]);

        Verdict verdict = decided(service.scan(event));

        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(ReasonCode.EMPTY_OBJECT, verdict.reasons().get(0).code());
        assertEquals(0, verdict.object().size());
    }

    @Test
    void throttlingIsRetriedUntilRekognitionAnswers() {
        byte[] photo = TestAws.photo("bridge-mods_square-256x256.jpg");
        fx.labels(photo, explicit(88));
        fx.rekognition.thenReply(RekognitionStandIn.throttling(), RekognitionStandIn.throttling());

        Verdict verdict = decided(service.scan(fx.upload("busy.jpg", photo)));

        assertEquals(Action.QUARANTINE, verdict.action());
        assertEquals(3, fx.rekognition.count("DetectModerationLabels"));
    }

    @Test
    void engineThatStaysDownFailsTheScanAndApprovesNothing() {
        byte[] photo = TestAws.photo("bridge-mods_square-256x256.jpg");
        fx.reply(photo, RekognitionStandIn.serverError());
        ObjectEvent event = fx.upload("down.jpg", photo, Map.of("moderation", "approved"));

        assertThrows(ScanFailedException.class, () -> service.scan(event));

        assertTrue(fx.verdicts.historyOf(fx.uploads, "down.jpg").isEmpty());
        assertNull(tags(event.object()).get("moderation"), "an approval tag set by the uploader must be removed");
        assertEquals(4, fx.rekognition.count("DetectModerationLabels"), "5xx is retried up to the attempt limit");
    }

    @Test
    void invalidImageFormatFromRekognitionHoldsForReview() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        byte[] truncated = java.util.Arrays.copyOf(photo, photo.length / 2); // header intact, scan data cut
        fx.reply(truncated, RekognitionStandIn.error(400, "InvalidImageFormatException",
                "Request has invalid image format"));

        Verdict verdict = decided(service.scan(fx.upload("truncated.jpg", truncated)));

        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(ReasonCode.IMAGE_REJECTED, verdict.reasons().get(0).code());
        assertTrue(verdict.reasons().get(0).text().contains("InvalidImageFormatException"));
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"), "client errors are not retried");
    }

    /** A notification naming a version S3 never issued (forged, or corrupted in a queue) ends; it is not retried. */
    @Test
    void anEventNamingAVersionS3NeverIssuedIsSkipped() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        ObjectEvent real = fx.upload("forged-version.jpg", photo);
        ObjectEvent forged = new ObjectEvent(new ObjectRef(fx.uploads, "forged-version.jpg", "not/a+version"),
                real.eTag(), (long) photo.length, "ObjectCreated:Put", Instant.now());

        ScanOutcome outcome = fx.service().scan(forged);

        assertInstanceOf(ScanOutcome.Skipped.class, outcome, outcome.toString());
        assertTrue(fx.verdicts.historyOf(fx.uploads, "forged-version.jpg").isEmpty());
    }

    @Test
    void crashBetweenCopyAndDeleteIsFinishedByTheRetry() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
        fx.labels(photo, explicit(95));
        ObjectEvent event = fx.upload("crash.jpg", photo);
        ObjectStore crashingOnDelete = Interception.refusing(ObjectStore.class, fx.objects(),
                "delete", "simulated crash before the delete");

        assertThrows(ScanFailedException.class, () -> fx.service(crashingOnDelete).scan(event));
        Verdict midway = fx.verdicts.historyOf(fx.uploads, "crash.jpg").get(0);
        assertEquals(PlacementState.QUARANTINE_COPIED, midway.placement().state());
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(fx.uploads).key("crash.jpg"))
                .asByteArray(), "the original stays until the move is complete");

        Verdict finished = assertInstanceOf(ScanOutcome.AlreadyDecided.class, service.scan(event)).verdict();

        assertEquals(PlacementState.QUARANTINED, finished.placement().state());
        assertEquals(midway.placement().location(), finished.placement().location());
        assertGoneFromUploads("crash.jpg");
        assertEquals(1, fx.aws.s3().listObjectVersions(b -> b.bucket(fx.quarantineBucket)).versions().size());
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"));
    }

    @Test
    void objectDeletedBeforeItsScanIsSkipped() {
        ObjectEvent event = fx.upload("gone.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));
        fx.aws.s3().deleteObject(b -> b.bucket(fx.uploads).key("gone.jpg").versionId(event.object().versionId()));

        assertInstanceOf(ScanOutcome.Skipped.class, service.scan(event));
        assertTrue(fx.verdicts.historyOf(fx.uploads, "gone.jpg").isEmpty());
    }

    @Test
    void quarantineBucketAndOtherEventsAreSkipped() {
        ObjectEvent inQuarantine = new ObjectEvent(new ObjectRef(fx.quarantineBucket, "x.jpg"), null, 1L,
                "ObjectCreated:Copy", null);
        ObjectEvent removal = new ObjectEvent(new ObjectRef(fx.uploads, "x.jpg"), null, 1L,
                "ObjectRemoved:Delete", null);

        assertInstanceOf(ScanOutcome.Skipped.class, service.scan(inQuarantine));
        assertInstanceOf(ScanOutcome.Skipped.class, service.scan(removal));
        assertEquals(0, fx.rekognition.requests().size());
    }

    private static Verdict decided(ScanOutcome outcome) {
        return assertInstanceOf(ScanOutcome.Decided.class, outcome).verdict();
    }

    private Map<String, String> tags(ObjectRef ref) {
        return new S3ObjectStore(fx.aws.s3()).tags(ref);
    }

    private void assertGoneFromUploads(String key) {
        S3Exception missing = assertThrows(S3Exception.class,
                () -> fx.aws.s3().headObject(b -> b.bucket(fx.uploads).key(key)));
        assertEquals(404, missing.statusCode());
        assertTrue(fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads).prefix(key)).versions().isEmpty(),
                "no version of the object may remain in the uploads bucket");
    }
}
