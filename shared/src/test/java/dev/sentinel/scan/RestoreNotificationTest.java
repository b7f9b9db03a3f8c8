package dev.sentinel.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.cases.Actor;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * S3 may deliver the restored version's notification while the release that wrote it has not recorded it yet: the
 * copy is made first, then verified, then written to the verdict. Scanned as an upload then, the restored image
 * would lose its approval and, reusing the verdict's automated QUARANTINE, go straight back into quarantine.
 */
class RestoreNotificationTest {

    private static final String KEY = "users/bob/statue.jpg";

    @Test
    void aNotificationAheadOfTheReleasesRecordIsRetriedAndThenLeftAlone() {
        ApiFixture fx = new ApiFixture();
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        Verdict verdict = fx.uploadAndScan(KEY, photo, ApiFixture.explicit(71));
        ScanService scan = ScanServiceBuilder.of(fx.scanSettings, fx.clientsAs(ApiFixture.SCAN),
                StructuredLog.discard(), Clock.systemUTC()).service();
        AtomicReference<ObjectEvent> notification = new AtomicReference<>();
        AtomicReference<ScanFailedException> early = new AtomicReference<>();
        // The review function's own object store, with S3's notification scanned right after the restore's copy.
        AwsClients review = fx.clientsAs(ApiFixture.REVIEW);
        ObjectStore objects = Interception.after(ObjectStore.class, new S3ObjectStore(review.s3()),
                Set.of("copyObject", "copyInParts"),
                method -> {
                    var head = fx.aws.s3().headObject(b -> b.bucket(fx.uploads).key(KEY));
                    notification.set(new ObjectEvent(new ObjectRef(fx.uploads, KEY, head.versionId()),
                            head.eTag().replace("\"", ""), head.contentLength(), "ObjectCreated:Copy", Instant.now()));
                    early.set(assertThrows(ScanFailedException.class, () -> scan.scan(notification.get())));
                });
        ReviewService reviews = new ReviewService(new DynamoVerdictStore(review.dynamo(), fx.verdictTable), objects,
                new Quarantine(objects, fx.quarantine), new DynamoCaseStore(review.dynamo(), fx.casesTable),
                Clock.systemUTC(), Period.ofMonths(6));

        Verdict released = reviews.decide(verdict.verdictId(), ReviewService.RELEASE, "Classical sculpture.",
                new Actor("rev-1", List.of("reviewer")));

        assertTrue(early.get().getMessage().contains("is being carried out now"), early.get().getMessage());
        assertEquals(PlacementState.PUBLISHED, released.placement().state());
        assertEquals(notification.get().object(), released.placement().location());
        ScanOutcome redelivered = scan.scan(notification.get(), 2);
        assertInstanceOf(ScanOutcome.Skipped.class, redelivered);
        assertEquals(1, new DynamoVerdictStore(fx.aws.clients().dynamo(), fx.verdictTable).historyOf(fx.uploads, KEY)
                .size(), "no second verdict");
        assertEquals(Map.of("moderation", "approved"), new S3ObjectStore(fx.aws.s3()).tags(released.placement()
                .location()), "the reviewer's release stands");
    }
}
