package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.cases.Actor;
import dev.sentinel.cases.AppealService;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.WatchedS3;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Period;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Objects moving between the uploads and quarantine buckets as AWS moves them: with their HTTP headers and their
 * uploader's metadata, under S3's 2 KB metadata limit whatever the key, and, when too large to read or to copy in
 * one request, held unread and copied in parts that S3 itself checksums. Every call is made with the function's own
 * clients, against the strict local S3 (single copies over 6 MiB refused, as over 5 GiB on AWS).
 */
class QuarantineCopyTest {

    private static final Actor REVIEWER = new Actor("rev-1", List.of("reviewer"));
    private static final Actor SECOND_REVIEWER = new Actor("rev-2", List.of("reviewer"));
    private static final Actor UPLOADER = new Actor("ana", List.of("uploader"));
    private static final long READ_LIMIT = 1024 * 1024;
    private static final long PART_BYTES = 5L * 1024 * 1024;

    private final ScanFixture fx = new ScanFixture();
    private final String cases = "cases-" + fx.table;

    QuarantineCopyTest() {
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), cases);
    }

    @Test
    void releasedImageComesBackWithItsHeadersAndItsUploadersMetadata() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(97));
        ObjectEvent event = upload("users/ana/beach.jpg", photo, Map.of("album", "summer"));

        Verdict quarantined = decided(fx.service().scan(event));
        assertEquals(PlacementState.QUARANTINED, quarantined.placement().state());
        assertServedAsUploaded(head(quarantined.placement().location()));

        Verdict released = reviews(fx.as("ReviewApiFunction", Map.of("CASES_TABLE", cases)))
                .decide(quarantined.verdictId(), ReviewService.RELEASE, "Art, not pornography.", REVIEWER);

        HeadObjectResponse restored = head(released.placement().location());
        assertServedAsUploaded(restored);
        assertEquals(Map.of("album", "summer", Quarantine.VERDICT_ID_METADATA, quarantined.verdictId()),
                restored.metadata(), "the uploader's metadata and the verdict it was restored for, no other marker");
        assertArrayEquals(photo, read(released.placement().location()));
    }

    @Test
    void uploadWithA300CharacterCjkKeyIsQuarantined() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(97));
        String key = "相册/" + "夏".repeat(300) + ".jpg";

        Verdict verdict = decided(fx.service().scan(fx.upload(key, photo)));

        assertEquals(PlacementState.QUARANTINED, verdict.placement().state());
        ObjectRef copy = verdict.placement().location();
        assertArrayEquals(photo, read(copy));
        Map<String, String> markers = head(copy).metadata();
        assertEquals(verdict.verdictId(), markers.get(Quarantine.VERDICT_ID_METADATA));
        assertEquals(key, verdict.object().key(), "the verdict holds the key itself");
        assertEquals(64, markers.get(Quarantine.KEY_SHA256).length());
    }

    @Test
    void uploadOverTheReadLimitIsHeldWithoutBeingRead() {
        byte[] large = randomBytes(2 * READ_LIMIT);
        ObjectEvent event = upload("videos/long.mp4", large, Map.of());
        WatchedS3 s3 = new WatchedS3(fx.scanner.s3());

        Verdict verdict = decided(scanWithReadLimit(s3).scan(event));

        assertEquals(0, s3.bytesRead(), "not one byte of the object was read");
        assertEquals(Action.REVIEW, verdict.action());
        assertEquals(ReasonCode.TOO_LARGE, verdict.reasons().get(0).code());
        assertEquals(PlacementState.HELD, verdict.placement().state());
        assertNull(verdict.object().sha256(), "recorded as not hashed");
        assertNotNull(verdict.object().checksum(), "named by the checksum S3 keeps for it");
        assertEquals(large.length, verdict.object().size());
    }

    @Test
    void heldLargeUploadIsQuarantinedInPartsAndRestoredByAnAppealInParts() {
        byte[] large = randomBytes(12L * 1024 * 1024);
        Verdict held = heldUnread("videos/huge.mp4", large);
        WatchedS3 reviewerS3 = new WatchedS3(fx.as("ReviewApiFunction", Map.of("CASES_TABLE", cases)).s3());

        Verdict confirmed = reviews(reviewerS3).decide(held.verdictId(), ReviewService.CONFIRM, "Gore.", REVIEWER);

        assertEquals(PlacementState.QUARANTINED, confirmed.placement().state());
        assertEquals(3, reviewerS3.calls("uploadPartCopy"), "12 MiB in parts of 5 MiB");
        assertEquals(0, reviewerS3.bytesRead(), "verified by S3's checksum of the copy, not by reading it");
        ObjectRef copy = confirmed.placement().location();
        assertArrayEquals(large, read(copy));
        assertServedAsUploaded(head(copy));
        assertNoPartsLeft(fx.quarantineBucket);
        assertTrue(fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads).prefix("videos/huge.mp4")).versions()
                .isEmpty(), "the original is gone once its copy is verified");

        AwsClients appeals = fx.as("AppealApiFunction", Map.of("CASES_TABLE", cases));
        WatchedS3 appealS3 = new WatchedS3(appeals.s3());
        AppealService appeal = appeals(appealS3, appeals);
        String appealId = appeal.lodge(held.verdictId(), "It is a film still.", UPLOADER).appealId();
        Verdict reversed = appeal.decide(appealId, AppealService.REVERSE, "Fiction, clearly staged.",
                SECOND_REVIEWER).verdict();

        assertEquals(PlacementState.PUBLISHED, reversed.placement().state());
        assertEquals(3, appealS3.calls("uploadPartCopy"));
        ObjectRef restored = reversed.placement().location();
        assertArrayEquals(large, read(restored));
        HeadObjectResponse served = head(restored);
        assertServedAsUploaded(served);
        assertEquals(Map.of("album", "summer"), served.metadata());
        assertNoPartsLeft(fx.uploads);
    }

    @Test
    void aCopyInPartsThatFailsIsAbortedAndNothingIsLost() {
        byte[] large = randomBytes(12L * 1024 * 1024);
        Verdict held = heldUnread("videos/flaky.mp4", large);
        WatchedS3 reviewerS3 = new WatchedS3(fx.as("ReviewApiFunction", Map.of("CASES_TABLE", cases)).s3());
        ReviewService reviews = reviews(reviewerS3);

        reviewerS3.failCall("uploadPartCopy", 2);
        assertThrows(RuntimeException.class, () -> reviews.decide(held.verdictId(), ReviewService.CONFIRM, "Gore.",
                REVIEWER));
        assertEquals(1, reviewerS3.calls("abortMultipartUpload"));
        assertNoPartsLeft(fx.quarantineBucket);
        assertArrayEquals(large, read(held.object().ref()), "the original stays where it was");

        Verdict confirmed = reviews.decide(held.verdictId(), ReviewService.CONFIRM, "Gore.", REVIEWER);
        assertEquals(PlacementState.QUARANTINED, confirmed.placement().state());

        AwsClients appeals = fx.as("AppealApiFunction", Map.of("CASES_TABLE", cases));
        WatchedS3 appealS3 = new WatchedS3(appeals.s3());
        String appealId = appeals(appealS3, appeals).lodge(held.verdictId(), "Staged.", UPLOADER).appealId();
        AppealService appeal = appeals(appealS3, appeals);
        appealS3.failCall("uploadPartCopy", 3);
        assertThrows(RuntimeException.class, () -> appeal.decide(appealId, AppealService.REVERSE, "Staged.",
                SECOND_REVIEWER));
        assertEquals(1, appealS3.calls("abortMultipartUpload"));
        assertNoPartsLeft(fx.uploads);
        assertArrayEquals(large, read(confirmed.placement().location()), "the quarantine copy stays");
    }

    /** Uploads as a browser would: a content type, caching and download headers, metadata of its own. */
    private ObjectEvent upload(String key, byte[] bytes, Map<String, String> metadata) {
        PutObjectResponse put = fx.aws.s3().putObject(b -> b.bucket(fx.uploads).key(key).contentType("image/jpeg")
                .cacheControl("public, max-age=86400").contentDisposition("inline; filename=\"beach.jpg\"")
                .metadata(metadata), RequestBody.fromBytes(bytes));
        return fx.event(key, put, bytes.length);
    }

    private Verdict heldUnread(String key, byte[] bytes) {
        Verdict held = decided(scanWithReadLimit(new WatchedS3(fx.scanner.s3())).scan(upload(key, bytes,
                Map.of("album", "summer"))));
        assertEquals(ReasonCode.TOO_LARGE, held.reasons().get(0).code());
        return held;
    }

    private ScanService scanWithReadLimit(WatchedS3 s3) {
        S3ObjectStore objects = new S3ObjectStore(s3.client());
        ScanSettings settings = new ScanSettings(Set.of(fx.uploads), fx.quarantineBucket, fx.table,
                PolicyLoader.DEFAULT_SOURCE, READ_LIMIT, "rekognition");
        return new ScanService(objects, fx.scanVerdicts, fx.engine(), fx.policy,
                new Quarantine(objects, fx.quarantineBucket), settings, Clock.systemUTC(), StructuredLog.discard());
    }

    private ReviewService reviews(AwsClients function) {
        return reviews(new WatchedS3(function.s3()), function);
    }

    private ReviewService reviews(WatchedS3 s3) {
        return reviews(s3, fx.as("ReviewApiFunction", Map.of("CASES_TABLE", cases)));
    }

    private ReviewService reviews(WatchedS3 s3, AwsClients function) {
        S3ObjectStore objects = new S3ObjectStore(s3.client(), S3ObjectStore.S3_SINGLE_COPY_LIMIT, PART_BYTES);
        return new ReviewService(new DynamoVerdictStore(function.dynamo(), fx.table), objects,
                new Quarantine(objects, fx.quarantineBucket), new DynamoCaseStore(function.dynamo(), cases),
                Clock.systemUTC(), Period.ofMonths(6));
    }

    /** Appeals as the appeal function decides them, its S3 calls going through {@code s3}. */
    private AppealService appeals(WatchedS3 s3, AwsClients function) {
        DynamoCaseStore store = new DynamoCaseStore(function.dynamo(), cases);
        return new AppealService(reviews(s3, function), store, store, Clock.systemUTC());
    }

    private static void assertServedAsUploaded(HeadObjectResponse head) {
        assertEquals("image/jpeg", head.contentType());
        assertEquals("public, max-age=86400", head.cacheControl());
        assertEquals("inline; filename=\"beach.jpg\"", head.contentDisposition());
    }

    private void assertNoPartsLeft(String bucket) {
        assertTrue(fx.aws.s3().listMultipartUploads(b -> b.bucket(bucket)).uploads().isEmpty(),
                "no multipart upload is left in " + bucket);
    }

    private HeadObjectResponse head(ObjectRef ref) {
        return fx.aws.s3().headObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
    }

    private byte[] read(ObjectRef ref) {
        return fx.aws.s3().getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()))
                .asByteArray();
    }

    private static byte[] randomBytes(long size) {
        byte[] bytes = new byte[(int) size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static Verdict decided(ScanOutcome outcome) {
        if (outcome instanceof ScanOutcome.Decided decided) {
            return decided.verdict();
        }
        throw new AssertionError("expected a decision, got " + outcome);
    }
}
