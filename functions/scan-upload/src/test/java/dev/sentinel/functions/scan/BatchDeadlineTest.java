package dev.sentinel.functions.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.LocalLambdaContext;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Ten deliveries while Rekognition answers later than the client waits. Time is a clock the test moves, not the
 * wall: each request the stand-in receives costs the function one whole attempt timeout (the client has hung up by
 * the time the stand-in answers) and nothing else costs anything. The invocation must end before its modelled
 * timeout with every message either decided or reported failed, and an upload on its last receive held for a
 * person instead of failed.
 */
class BatchDeadlineTest {

    private static final RekognitionBounds BOUNDS = new RekognitionBounds(2, Duration.ofMillis(200),
            Duration.ofMillis(600));
    /** One scan may take 2 x 600 + 400 = 1,600 ms of the modelled function's 2,600. */
    private static final ScanSettings.Deadlines DEADLINES = new ScanSettings.Deadlines(Duration.ofMillis(2600), BOUNDS,
            Duration.ofMillis(400));
    private static final int LAST_RECEIVE = ScanSettings.Retry.DEFAULT.holdAfterAttempts();
    private static final TestAws AWS = TestAws.withRekognition(BOUNDS);

    @Test
    void slowRekognitionEndsTheBatchBeforeTheTimeoutWithEveryMessageDecidedOrFailed() throws Exception {
        String uploads = AWS.newBucket("deadline-up", true);
        ScanSettings settings = new ScanSettings(Set.of(uploads), AWS.newLockedBucket("deadline-q"),
                AWS.newVerdictTable(), PolicyLoader.DEFAULT_SOURCE, ScanSettings.DEFAULT_MAX_OBJECT_BYTES,
                "rekognition").withDeadlines(DEADLINES);
        AtomicLong elapsedMillis = new AtomicLong();
        RekognitionStandIn rekognition = AWS.freshRekognition();
        rekognition.respondWith(request -> {
            elapsedMillis.addAndGet(BOUNDS.attemptTimeout().toMillis());
            return RekognitionStandIn.delayed(RekognitionStandIn.moderationLabels(List.of()), 3_000);
        });
        ScanUploadHandler handler = new ScanUploadHandler(ScanServiceBuilder.of(settings,
                AWS.asFunction("ScanUploadFunction", settings), StructuredLog.discard(), Clock.systemUTC()).batch());

        // Two messages on their last receive, the others on earlier ones; every upload distinct content.
        int[] receives = {1, LAST_RECEIVE, 2, 3, 4, 1, LAST_RECEIVE, 2, 3, 4};
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        List<SampleEvents.QueuedNotification> messages = new ArrayList<>();
        List<String> shas = new ArrayList<>();
        for (int i = 0; i < receives.length; i++) {
            byte[] bytes = Arrays.copyOf(photo, photo.length + 1);
            bytes[photo.length] = (byte) i;
            shas.add(ApiFixture.sha256(bytes));
            PutObjectResponse put = AWS.put(uploads, key(i), bytes);
            messages.add(new SampleEvents.QueuedNotification("m-" + i, SampleEvents.s3Put(uploads, key(i),
                    new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), bytes.length)), receives[i]));
        }

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(
                SampleEvents.sqsBatch(messages))), out, new LocalLambdaContext("scan-upload", null, 512,
                () -> (int) (DEADLINES.functionTimeout().toMillis() - elapsedMillis.get())));

        assertTrue(elapsedMillis.get() < DEADLINES.functionTimeout().toMillis(), "the batch ended after "
                + elapsedMillis.get() + " ms of a " + DEADLINES.functionTimeout().toMillis() + " ms timeout");
        Set<String> failed = new HashSet<>();
        Json.mapper().readTree(out.toByteArray()).path("batchItemFailures")
                .forEach(item -> failed.add(item.path("itemIdentifier").asText()));
        DynamoVerdictStore verdicts = new DynamoVerdictStore(AWS.clients().dynamo(), settings.verdictTable());
        int deferred = 0;
        for (int i = 0; i < receives.length; i++) {
            List<Verdict> history = verdicts.historyOf(uploads, key(i));
            String id = "m-" + i;
            assertTrue(history.isEmpty() == failed.contains(id), id + " is either decided or reported failed, "
                    + "once: failed " + failed.contains(id) + ", verdicts " + history.size());
            assertFalse("approved".equals(new S3ObjectStore(AWS.s3()).tags(new ObjectRef(uploads, key(i)))
                    .get("moderation")), "nothing is published without the engine");
            String sha = shas.get(i);
            if (rekognition.requests().stream().noneMatch(r -> sha.equals(r.imageSha256()))) {
                deferred++;
                assertTrue(failed.contains(id), id + " was not started, so it goes back to the queue");
            }
            if (receives[i] == LAST_RECEIVE) {
                assertEquals(1, history.size(), id + " on its last receive is decided, not failed");
                Verdict held = history.get(0);
                assertEquals(Action.REVIEW, held.action());
                assertEquals(ReasonCode.ENGINE_UNAVAILABLE, held.reasons().get(0).code());
                assertEquals(PlacementState.HELD, held.placement().state());
            }
        }
        System.out.printf("batch deadline: %d of %d deliveries deferred, %d of %d modelled ms used%n", deferred,
                receives.length, elapsedMillis.get(), DEADLINES.functionTimeout().toMillis());
        assertTrue(deferred >= 1, "a slow engine leaves deliveries that no longer fit to the queue");
    }

    private static String key(int i) {
        return "deadline/" + i + ".jpg";
    }
}
