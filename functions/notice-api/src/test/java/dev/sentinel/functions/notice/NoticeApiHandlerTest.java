package dev.sentinel.functions.notice;

import static dev.sentinel.testing.ApiFixture.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.cases.Actor;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoticeApiHandlerTest {

    private static final String INTAKE = "9b2c-notice-intake-form";
    private final ApiFixture fx = new ApiFixture();
    private final NoticeApiHandler handler = new NoticeApiHandler(fx.pipelineAs(ApiFixture.NOTICE).noticeRouter());

    @Test
    void noticeHoldsAPublishedImageAtOnceWithTheCategorysDeadline() {
        Verdict published = fx.uploadAndScan("users/bob/generated.jpg",
                TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));
        assertEquals("PUBLISHED", published.placement().state().name());
        Instant now = Instant.parse("2026-11-25T03:00:00Z");
        fx.clockAt(now);
        NoticeApiHandler atNow = new NoticeApiHandler(fx.pipelineAs(ApiFixture.NOTICE).noticeRouter());

        Answer ack = ApiFixture.call((in, out) -> atNow.handleRequest(in, out, null), notice("INTIMATE_IMAGERY",
                "users/bob/generated.jpg").json());

        assertEquals(202, ack.status(), ack.body().toString());
        assertEquals("RECEIVED", ack.body().path("status").asText());
        assertEquals(now.plus(Duration.ofHours(2)), Instant.parse(ack.body().path("deadline").asText()));
        assertEquals(published.verdictId(), ack.body().path("verdictId").asText());
        assertEquals("held", new S3ObjectStore(fx.aws.s3()).tags(published.object().ref()).get("moderation"),
                "the approval is withdrawn at once");

        Answer status = call(HttpApiEvent.of("GET /notices/{id}", ack.body().path("noticeId").asText())
                .by(INTAKE, "notifier"));
        assertEquals(200, status.status());
        assertEquals("RECEIVED", status.body().path("status").asText());
        assertEquals("PENDING", status.body().path("review").asText());
        assertEquals("HELD", status.body().path("placement").asText());
    }

    @Test
    void deadlinesFollowTheCategory() {
        Map<String, Duration> expected = Map.of("GOVERNMENT_ORDER", Duration.ofHours(3),
                "CHILD_SAFETY", Duration.ofHours(2), "ILLEGAL_CONTENT", Duration.ofHours(48), "OTHER",
                Duration.ofHours(48));
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        fx.clockAt(now);
        NoticeApiHandler atNow = new NoticeApiHandler(fx.pipelineAs(ApiFixture.NOTICE).noticeRouter());
        expected.forEach((category, duration) -> {
            fx.upload("deadline/" + category + ".jpg", TestAws.photo("reg-test-input_labelme-subset_q2821.jpg"));
            Answer ack = ApiFixture.call((in, out) -> atNow.handleRequest(in, out, null),
                    notice(category, "deadline/" + category + ".jpg").json());
            assertEquals(202, ack.status(), ack.body().toString());
            assertEquals(now.plus(duration), Instant.parse(ack.body().path("deadline").asText()), category);
        });
    }

    @Test
    void statusFollowsTheReviewersDecision() {
        Verdict verdict = fx.uploadAndScan("flagged.jpg", TestAws.photo("reg-test-input_labelme-subset_q0122.jpg"));
        String noticeId = call(notice("GOVERNMENT_ORDER", "flagged.jpg")).body().path("noticeId").asText();

        fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(verdict.verdictId(), ReviewService.CONFIRM,
                "Court order verified.", new Actor("rev-1", List.of("reviewer")));

        Answer status = call(HttpApiEvent.of("GET /notices/{id}", noticeId).by("rev-2", "reviewer"));
        assertEquals("ACTIONED", status.body().path("status").asText());
        assertEquals("QUARANTINED", status.body().path("placement").asText());
    }

    @Test
    void objectNotScannedYetIsHiddenAndTheNoticeKept() {
        fx.upload("fresh.jpg", TestAws.photo("reg-test-input_labelme-subset_q0291.jpg"));

        Answer ack = call(notice("OTHER", "fresh.jpg"));

        assertEquals(202, ack.status());
        assertTrue(ack.body().path("verdictId").isMissingNode() || ack.body().path("verdictId").isNull());
        assertEquals("held", new S3ObjectStore(fx.aws.s3()).tags(new ObjectRef(fx.uploads, "fresh.jpg"))
                .get("moderation"));
    }

    @Test
    void invalidNoticesAre400AndUnknownObjects404() {
        HttpApiEvent base = notice("OTHER", "whatever.jpg");
        JsonNode body = readBody(base.json());
        for (Map.Entry<String, Object> change : List.<Map.Entry<String, Object>>of(
                Map.entry("category", "RUDE"), Map.entry("goodFaith", false), Map.entry("explanation", ""),
                Map.entry("notifier", Map.of("email", "x@example.org")),
                Map.entry("object", Map.of("bucket", fx.uploads, "key", "a/../../b")), Map.entry("extra", 1))) {
            Map<String, Object> changed = dev.sentinel.json.Json.mapper().convertValue(body,
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
            changed.put(change.getKey(), change.getValue());
            Answer answer = call(base.body(changed));
            assertEquals(400, answer.status(), change + " -> " + answer.body());
        }
        assertEquals(404, call(notice("OTHER", "never-uploaded.jpg")).status());
    }

    @Test
    void onlyNotifiersReviewersAndAdminsFileNotices() {
        fx.upload("p.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));

        assertEquals(403, call(notice("OTHER", "p.jpg").by("app", "uploader-app")).status());
        assertEquals(202, call(notice("OTHER", "p.jpg").by("rev", "reviewer")).status());
        String id = call(notice("OTHER", "p.jpg")).body().path("noticeId").asText();
        assertEquals(403, call(HttpApiEvent.of("GET /notices/{id}", id).by("another-intake", "notifier")).status(),
                "a notifier sees only its own notices");
        assertEquals(400, call(HttpApiEvent.of("GET /notices/{id}", "nt-short").by(INTAKE, "notifier")).status());
    }

    /** The sample notice's body, about {@code key}, filed by the intake form. */
    private HttpApiEvent notice(String category, String key) {
        Map<String, Object> body = dev.sentinel.json.Json.mapper().convertValue(
                readBody(sample("api-post-notice.json")),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        body.put("category", category);
        body.put("object", Map.of("bucket", fx.uploads, "key", key));
        return HttpApiEvent.of("POST /notices").by(INTAKE, "notifier").body(body);
    }

    private static JsonNode readBody(JsonNode event) {
        try {
            return dev.sentinel.json.Json.mapper().readTree(event.path("body").asText());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Answer call(HttpApiEvent event) {
        return ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), event.json());
    }
}
