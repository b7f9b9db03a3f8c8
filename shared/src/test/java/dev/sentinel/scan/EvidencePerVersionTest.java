package dev.sentinel.scan;

import dev.sentinel.cases.Actor;
import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.cases.ReviewService;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.queue.PrefixRescan;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Identical bytes uploaded as two versions of one key are two verdicts, each with its own evidence: a quarantine
 * copy made and verified for it, which a person's decision on the other verdict never removes. Every call is made
 * with the deployed functions' own clients (scan, review, operations) against the local servers.
 */
class EvidencePerVersionTest {

    private static final String KEY = "users/ana/twice.jpg";
    private static final Actor REVIEWER = new Actor("rev-1", List.of("reviewer"));

    private final ScanFixture fx = new ScanFixture();
    private final String cases = "cases-" + fx.table;
    private final byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");

    EvidencePerVersionTest() {
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), cases);
        fx.labels(photo, explicit(97));
    }

    /** @param released which version's verdict a person releases while the other stays restricted */
    @ParameterizedTest(name = "release the {0} version")
    @ValueSource(strings = {"first", "second"})
    void releasingOneVersionNeverRemovesTheEvidenceTheOtherNames(String released) {
        List<Verdict> both = quarantineTwoIdenticalVersions();
        Verdict gone = released.equals("first") ? both.get(0) : both.get(1);
        Verdict kept = released.equals("first") ? both.get(1) : both.get(0);

        Verdict restored = reviews().decide(gone.verdictId(), ReviewService.RELEASE, "Art, not pornography.",
                REVIEWER);

        assertEquals(PlacementState.PUBLISHED, restored.placement().state());
        assertArrayEquals(photo, read(restored.placement().location()));
        assertOwnEvidence(kept);
        Verdict confirmed = reviews().decide(kept.verdictId(), ReviewService.CONFIRM, "Explicit; stays down.",
                REVIEWER);
        assertEquals(kept.placement().location(), confirmed.placement().location(),
                "the other verdict is decided on its own copy, where it was");
        assertOwnEvidence(confirmed);
    }

    /**
     * Both copies are versions of one quarantine key: a rescan after a policy change must reach the older one too,
     * or the first version's verdict would never be looked at again.
     */
    @Test
    void aPrefixRescanReachesTheCopyOfEveryVersion() {
        List<Verdict> both = quarantineTwoIdenticalVersions();
        PrefixRescan walk = new PrefixRescan(new S3ObjectStore(fx.as("OperationsApiFunction", Map.of()).s3()),
                fx.quarantineBucket);
        List<ObjectRef> submitted = new ArrayList<>();
        String cursor = null;
        do {
            cursor = walk.page(fx.uploads, "users/ana/", cursor, 1, submitted::add).nextCursor();
        } while (cursor != null);

        assertEquals(Set.of(both.get(0).placement().location(), both.get(1).placement().location()),
                Set.copyOf(submitted), "the uploads hold no current version; each verdict's copy is walked once");
        assertEquals(2, submitted.size(), submitted.toString());
    }

    /** Two versions of one key with the same bytes, scanned by the scan function; each verdict names its own copy. */
    private List<Verdict> quarantineTwoIdenticalVersions() {
        ObjectEvent first = fx.upload(KEY, photo);
        ObjectEvent second = fx.upload(KEY, photo);
        List<Verdict> verdicts = new ArrayList<>();
        for (ObjectEvent event : List.of(first, second)) {
            ScanOutcome outcome = fx.service().scan(event);
            assertTrue(outcome instanceof ScanOutcome.Decided, String.valueOf(outcome));
            verdicts.add(((ScanOutcome.Decided) outcome).verdict());
        }
        assertNotEquals(verdicts.get(0).verdictId(), verdicts.get(1).verdictId(), "one verdict per version");
        assertNotEquals(verdicts.get(0).placement().location(), verdicts.get(1).placement().location(),
                "one copy per verdict");
        verdicts.forEach(this::assertOwnEvidence);
        return verdicts;
    }

    /** The verdict's recorded copy exists, holds exactly what was judged, and names this verdict. */
    private void assertOwnEvidence(Verdict verdict) {
        Verdict stored = new DynamoVerdictStore(fx.aws.clients().dynamo(), fx.table).find(verdict.verdictId())
                .orElseThrow();
        ObjectRef copy = stored.placement().location();
        assertEquals(PlacementState.QUARANTINED, stored.placement().state());
        assertEquals(fx.quarantineBucket, copy.bucket());
        HeadObjectResponse head = fx.aws.s3().headObject(b -> b.bucket(copy.bucket()).key(copy.key())
                .versionId(copy.versionId()));
        assertEquals(verdict.verdictId(), head.metadata().get(Quarantine.VERDICT_ID_METADATA), copy.toString());
        assertArrayEquals(photo, read(copy), copy.toString());
        assertTrue(new Quarantine(new S3ObjectStore(fx.aws.s3()), fx.quarantineBucket)
                .isVerifiedCopy(copy, stored.object().content()));
    }

    /** Decisions as the review function makes them, with its own clients. */
    private ReviewService reviews() {
        var function = fx.as("ReviewApiFunction", Map.of("CASES_TABLE", cases));
        S3ObjectStore objects = new S3ObjectStore(function.s3());
        return new ReviewService(new DynamoVerdictStore(function.dynamo(), fx.table), objects,
                new Quarantine(objects, fx.quarantineBucket), new DynamoCaseStore(function.dynamo(), cases),
                Clock.systemUTC(), Period.ofMonths(6));
    }

    private byte[] read(ObjectRef ref) {
        return fx.aws.s3().getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()))
                .asByteArray();
    }
}
