package dev.sentinel.functions.review;

import static dev.sentinel.testing.ApiFixture.explicit;
import static dev.sentinel.testing.ApiFixture.partialNudity;
import static dev.sentinel.testing.ApiFixture.sample;
import static dev.sentinel.testing.ApiFixture.withBody;
import static dev.sentinel.testing.ApiFixture.withCaller;
import static dev.sentinel.testing.ApiFixture.withPath;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ReviewApiHandlerTest {

    private final ApiFixture fx = new ApiFixture();
    private final ReviewApiHandler handler = new ReviewApiHandler(fx.pipeline().reviewRouter());

    @Test
    void releaseMovesAQuarantinedObjectBackByteIdenticalAndApproved() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        Verdict verdict = fx.uploadAndScan("users/bob/statue.jpg", photo, explicit(71));
        assertEquals("QUARANTINED", verdict.placement().state().name());

        Answer answer = decide(verdict.verdictId(), "RELEASE", "Classical sculpture; not sexual content.");

        assertEquals(200, answer.status(), answer.body().toString());
        assertEquals("RELEASED", answer.body().at("/verdict/review").asText());
        assertEquals("PUBLISHED", answer.body().at("/verdict/placement/state").asText());
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(fx.uploads).key("users/bob/statue.jpg"))
                .asByteArray());
        String version = answer.body().at("/verdict/placement/location/versionId").asText();
        assertEquals("approved", new S3ObjectStore(fx.aws.s3()).tags(
                new dev.sentinel.objects.ObjectRef(fx.uploads, "users/bob/statue.jpg", version)).get("moderation"));
        assertTrue(fx.aws.s3().listObjectVersions(b -> b.bucket(fx.quarantine)).versions().isEmpty(),
                "the quarantine copy goes once the restored object is recorded");
        JsonNode statement = answer.body().path("statementOfReasons");
        assertEquals("ALLOW", statement.path("decision").asText());
        assertTrue(!statement.path("automated").asBoolean(), "a person decided");
        assertTrue(statement.path("facts").toString().contains("Classical sculpture"));
    }

    @Test
    void confirmMovesAHeldObjectIntoQuarantine() {
        Verdict verdict = fx.uploadAndScan("held.jpg", TestAws.photo("reg-test-input_labelme-subset_q0291.jpg"),
                partialNudity(85));
        assertEquals("HELD", verdict.placement().state().name());

        Answer answer = decide(verdict.verdictId(), "CONFIRM", "Nudity without context; stays down.");

        assertEquals("CONFIRMED", answer.body().at("/verdict/review").asText());
        assertEquals("QUARANTINED", answer.body().at("/verdict/placement/state").asText());
        assertEquals(404, assertThrowsS3(() -> fx.aws.s3().headObject(b -> b.bucket(fx.uploads).key("held.jpg"))));
    }

    @Test
    void childSafetyReleaseByOneReviewerIsRefusedAndTwoReviewersRelease() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0122.jpg");
        fx.faces(photo, new int[] {14, 19});
        Verdict verdict = fx.uploadAndScan("cs.jpg", photo, explicit(75));
        assertEquals("CHILD_SAFETY", verdict.action().name());
        ObjectNode first = withCaller(withPath(sample("api-post-review-decision.json"), "id", verdict.verdictId()),
                "rev-1", "reviewer");

        assertEquals(202, call(first.deepCopy()).status(), "recorded, waiting for a second reviewer");
        Answer again = call(first.deepCopy());
        assertEquals(409, again.status());
        assertTrue(again.body().path("detail").asText().contains("second, different reviewer"));
        Answer second = call(withCaller(first.deepCopy(), "rev-2", "reviewer"));
        assertEquals(200, second.status(), second.body().toString());
        assertEquals("RELEASED", second.body().at("/verdict/review").asText());

        ObjectNode report = withCaller(withPath(sample("api-get-child-safety-report.json"), "id",
                verdict.verdictId()), "legal-1", "admin");
        Answer answer = call(report);
        assertEquals(200, answer.status(), answer.body().toString());
        assertEquals(verdict.object().sha256(), answer.body().at("/hashes/sha256").asText());
        assertEquals(14, answer.body().at("/faceAges/0/low").asInt());
        assertTrue(!answer.body().toString().contains("http"), "no link to the image");
        assertEquals(403, call(withCaller(report.deepCopy(), "rev-1", "reviewer")).status());
    }

    @Test
    void aSecondDecisionConflicts() {
        Verdict verdict = fx.uploadAndScan("twice.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"),
                partialNudity(80));
        assertEquals(200, decide(verdict.verdictId(), "CONFIRM", "stays").status());

        Answer again = decide(verdict.verdictId(), "RELEASE", "changed my mind");

        assertEquals(409, again.status());
        assertTrue(again.body().path("detail").asText().contains("not waiting for review"));
    }

    @Test
    void queueIsOldestFirstAndPagesThroughEverything() {
        List<String> held = new ArrayList<>();
        byte[] base = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        for (int i = 0; i < 7; i++) {
            byte[] variant = java.util.Arrays.copyOf(base, base.length + i + 1);
            held.add(fx.uploadAndScan("queue/" + i + ".jpg", variant, partialNudity(75 + i)).verdictId());
        }

        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            ObjectNode event = withCaller(sample("api-get-reviews.json"), "rev-1", "reviewer");
            ObjectNode query = (ObjectNode) event.withObjectProperty("queryStringParameters");
            query.put("limit", "3");
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            Answer page = call(event);
            assertEquals(200, page.status(), page.body().toString());
            page.body().path("items").forEach(v -> seen.add(v.path("verdictId").asText()));
            cursor = page.body().hasNonNull("nextCursor") ? page.body().get("nextCursor").asText() : null;
            pages++;
        } while (cursor != null && pages < 10);

        assertEquals(held, seen, "every held verdict once, oldest first");
        assertTrue(pages >= 3);
    }

    @Test
    void invalidDecisionsAndQueriesAre400() {
        String id = fx.uploadAndScan("x.jpg", TestAws.photo("reg-test-input_labelme-subset_q0122.jpg"),
                partialNudity(90)).verdictId();
        assertEquals(400, decide(id, "DELETE", "no").status());
        assertEquals(400, decide(id, "CONFIRM", " ").status());
        assertEquals(400, decide("vd-nothex", "CONFIRM", "reason").status());
        assertEquals(404, decide("vd-" + "a".repeat(32), "CONFIRM", "reason").status());
        for (Map<String, String> query : List.of(Map.of("status", "MAYBE"), Map.of("limit", "0"),
                Map.of("limit", "ten"), Map.of("cursor", "bm90LWEtY3Vyc29y"))) {
            ObjectNode event = withCaller(sample("api-get-reviews.json"), "rev-1", "reviewer");
            query.forEach(((ObjectNode) event.withObjectProperty("queryStringParameters"))::put);
            assertEquals(400, call(event).status(), query.toString());
        }
    }

    @Test
    void onlyReviewersAndAdminsMayReviewOrSeeTheQueue() {
        String id = fx.uploadAndScan("y.jpg", TestAws.photo("reg-test-input_labelme-subset_q2821.jpg"),
                partialNudity(90)).verdictId();
        ObjectNode decision = withPath(sample("api-post-review-decision.json"), "id", id);

        assertEquals(403, call(withCaller(decision.deepCopy(), "app", "uploader-app")).status());
        assertEquals(403, call(withCaller(sample("api-get-reviews.json"), "n", "notifier")).status());
        assertEquals(200, call(withCaller(decision, "boss", "admin")).status());
    }

    private Answer decide(String id, String decision, String reason) {
        ObjectNode event = withPath(sample("api-post-review-decision.json"), "id", id);
        return call(withBody(event, Map.of("decision", decision, "reason", reason)));
    }

    private Answer call(JsonNode event) {
        return ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), event);
    }

    private static int assertThrowsS3(Runnable call) {
        try {
            call.run();
        } catch (S3Exception e) {
            return e.statusCode();
        }
        assertNotEquals(0, 0, "expected S3 to refuse");
        return 0;
    }
}
