package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static dev.sentinel.scan.ScanFixture.partialNudity;
import static dev.sentinel.scan.ScanFixture.swimwear;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.cases.Actor;
import dev.sentinel.cases.CaseConflictException;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.engine.RekognitionFaceAges;
import dev.sentinel.engine.RekognitionEngine;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.RekognitionImages;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.policy.Taxonomy;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.safety.ChildSafetyReport;
import dev.sentinel.safety.ProvenanceReader;
import dev.sentinel.safety.SafetySettings;
import dev.sentinel.safety.SafetySignals;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;

/** Face ages, provenance and the child-safety path, with the Rekognition stand-in answering DetectFaces. */
class ChildSafetyScanTest {

    private final ScanFixture fx = new ScanFixture();
    private final String casesTable = "cases-" + fx.table;
    private final DynamoCaseStore cases;
    private final ScanService service;

    ChildSafetyScanTest() {
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), casesTable);
        cases = new DynamoCaseStore(fx.aws.clients().dynamo(), casesTable);
        dev.sentinel.aws.AwsClients scanner = fx.scanner(Map.of("CASES_TABLE", casesTable));
        RekognitionEngine images = new RekognitionEngine(scanner.rekognition(),
                new RekognitionImages(new ImageDecoder()), 50, true);
        SafetySignals signals = new SafetySignals(new RekognitionFaceAges(scanner.rekognition(), images),
                new ProvenanceReader(), SafetySettings.defaults(), Taxonomy.v7());
        service = fx.service(new ScanExtensions(HashMatching.none(), signals,
                new DynamoCaseStore(scanner.dynamo(), casesTable)));
    }

    @Test
    void sexualContentWithAFacePossiblyUnderEighteenIsLockedAndReported() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(88));
        fx.faces(photo, new int[] {13, 17}, new int[] {24, 32});
        // The uploading application recorded who uploaded it, as object metadata.
        ObjectEvent withMetadata = fx.event("users/x/upload.jpg", fx.aws.s3().putObject(b -> b.bucket(fx.uploads)
                .key("users/x/upload.jpg").metadata(Map.of("uploader-id", "acct-42", "uploader-ip",
                        "203.0.113.7", "camera", "x")), software.amazon.awssdk.core.sync.RequestBody.fromBytes(photo)),
                photo.length);

        Verdict verdict = decided(service.scan(withMetadata));

        assertEquals(Action.CHILD_SAFETY, verdict.action());
        assertEquals(PlacementState.QUARANTINED, verdict.placement().state());
        assertEquals(ReasonCode.CHILD_SAFETY_SIGNAL, verdict.reasons().get(0).code());
        assertTrue(verdict.reasons().get(0).text().contains("not a finding"), verdict.reasons().get(0).text());
        assertEquals(13, verdict.safety().faces().get(0).low());
        ObjectRef copy = verdict.placement().location();
        assertEquals(ObjectLockLegalHoldStatus.ON, fx.aws.s3().getObjectLegalHold(b -> b.bucket(copy.bucket())
                .key(copy.key()).versionId(copy.versionId())).legalHold().status());
        ObjectLockRetention retention = fx.aws.s3().getObjectRetention(b -> b.bucket(copy.bucket()).key(copy.key())
                .versionId(copy.versionId())).retention();
        assertTrue(retention.retainUntilDate().isAfter(Instant.now().plus(364, ChronoUnit.DAYS)),
                "retained at least a year: " + retention.retainUntilDate());
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(copy.bucket()).key(copy.key())
                .versionId(copy.versionId())).asByteArray());

        ChildSafetyReport report = cases.findReport(verdict.verdictId()).orElseThrow();
        assertEquals(verdict.object().sha256(), report.hashes().sha256());
        assertNotNull(report.hashes().md5());
        assertEquals(Map.of("uploader-id", "acct-42", "uploader-ip", "203.0.113.7"), report.uploaderFields());
        assertEquals(2, report.faceAges().size());
        assertEquals("Explicit", report.labels().get(0).name());
        assertNotNull(report.detectedAt());
    }

    @Test
    void swimwearWithAdultFacesIsAllowedPerPolicy() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        fx.labels(photo, new RekognitionStandIn.Label("Swimwear or Underwear", "", 1, 93), swimwear(93));
        fx.faces(photo, new int[] {25, 33}, new int[] {30, 40});

        Verdict verdict = decided(service.scan(fx.upload("beach.jpg", photo)));

        assertEquals(Action.ALLOW, verdict.action());
        assertEquals(1, fx.rekognition.count("DetectFaces"), "sexual or nudity label: faces are checked");
        assertTrue(verdict.safety().facesChecked());
    }

    @Test
    void withoutASexualLabelFacesAreNeverChecked() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
        fx.labels(photo, new RekognitionStandIn.Label("Alcohol", "", 1, 90));
        fx.faces(photo, new int[] {8, 12});

        Verdict verdict = decided(service.scan(fx.upload("bar.jpg", photo)));

        assertEquals(Action.ALLOW, verdict.action());
        assertEquals(0, fx.rekognition.count("DetectFaces"));
    }

    @Test
    void aiGeneratedPartialNudityOfARealFaceIsQuarantinedForPriorityReview() {
        byte[] photo = TestImages.jpegWithDigitalSourceType(TestAws.photo("reg-test-input_labelme-subset_q0122.jpg"),
                "trainedAlgorithmicMedia");
        fx.labels(photo, partialNudity(78));
        fx.faces(photo, new int[] {26, 34});

        Verdict verdict = decided(service.scan(fx.upload("generated.jpg", photo)));

        assertEquals(Action.QUARANTINE, verdict.action(), "policy alone would only hold it for review");
        assertEquals(ReasonCode.SUSPECTED_SYNTHETIC_INTIMATE, verdict.reasons().get(0).code());
        assertEquals("trainedAlgorithmicMedia", verdict.safety().provenance().digitalSourceType());
        assertNotNull(verdict.reviewDeadline(), "priority review has a deadline");
        assertTrue(verdict.reviewDeadline().isBefore(Instant.now().plus(3, ChronoUnit.HOURS)));
    }

    @Test
    void releasingAChildSafetyItemNeedsTwoDifferentReviewers() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        fx.labels(photo, explicit(70));
        fx.faces(photo, new int[] {15, 20});
        Verdict verdict = decided(service.scan(fx.upload("two-person.jpg", photo)));
        assertEquals(Action.CHILD_SAFETY, verdict.action());
        dev.sentinel.aws.AwsClients reviewer = fx.as("ReviewApiFunction", Map.of("CASES_TABLE", casesTable));
        S3ObjectStore objects = new S3ObjectStore(reviewer.s3());
        ReviewService reviews = new ReviewService(new DynamoVerdictStore(reviewer.dynamo(), fx.table), objects,
                new Quarantine(objects, fx.quarantineBucket), new DynamoCaseStore(reviewer.dynamo(), casesTable),
                Clock.systemUTC(), Period.ofMonths(6));
        Actor first = new Actor("rev-1", List.of("reviewer"));

        Verdict requested = reviews.decide(verdict.verdictId(), ReviewService.RELEASE, "Adult performer, ID on file.",
                first);
        assertEquals(ReviewStatus.PENDING, requested.review());
        assertEquals(PlacementState.QUARANTINED, requested.placement().state(), "nothing moves on one reviewer");
        assertThrows(CaseConflictException.class, () -> reviews.decide(verdict.verdictId(), ReviewService.RELEASE,
                "again", first));

        Verdict released = reviews.decide(verdict.verdictId(), ReviewService.RELEASE, "Confirmed adult: 2257 "
                + "records checked.", new Actor("rev-2", List.of("reviewer")));

        assertEquals(ReviewStatus.RELEASED, released.review());
        assertEquals(PlacementState.PUBLISHED, released.placement().state());
        assertEquals(List.of("RELEASE_REQUESTED", "RELEASE"), released.decisions().stream()
                .map(d -> d.outcome()).toList());
        ObjectRef evidence = verdict.placement().location();
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(evidence.bucket()).key(evidence.key())
                .versionId(evidence.versionId())).asByteArray(), "the locked evidence copy stays");
    }

    private static Verdict decided(ScanOutcome outcome) {
        return assertInstanceOf(ScanOutcome.Decided.class, outcome).verdict();
    }
}
