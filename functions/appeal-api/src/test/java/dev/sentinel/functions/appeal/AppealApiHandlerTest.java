package dev.sentinel.functions.appeal;

import static dev.sentinel.testing.ApiFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.cases.Actor;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.Verdict;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppealApiHandlerTest {

    private static final String APP = "3f9a7d2e-image-generator";
    private final ApiFixture fx = new ApiFixture();
    private final byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");

    @Test
    void appealDecidedByAPersonReversesTheDecisionAndTheTrailShowsEveryStep() {
        Verdict verdict = fx.uploadAndScan(APP + "/statue.jpg", photo, explicit(82));
        fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(verdict.verdictId(), ReviewService.CONFIRM, "Looks explicit.",
                new Actor("rev-1", List.of("reviewer")));
        AppealApiHandler handler = handler();

        Answer lodged = call(handler, lodge(verdict.verdictId()));
        assertEquals(201, lodged.status(), lodged.body().toString());
        String appealId = lodged.body().at("/appeal/appealId").asText();
        assertEquals("PENDING", lodged.body().at("/appeal/status").asText());
        assertEquals(409, call(handler, lodge(verdict.verdictId())).status(), "one open appeal per verdict");

        Answer decided = call(handler, decide(appealId, "REVERSE", "A marble statue; released."));

        assertEquals(200, decided.status(), decided.body().toString());
        assertEquals("REVERSED", decided.body().at("/appeal/status").asText());
        assertEquals("RELEASED", decided.body().at("/verdict/review").asText());
        assertEquals("PUBLISHED", decided.body().at("/verdict/placement/state").asText());
        assertEquals("APPEAL", decided.body().at("/verdict/decisions/1/kind").asText());
        assertEquals(false, decided.body().at("/statementOfReasons/automated").asBoolean());
        assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(fx.uploads)
                .key(APP + "/statue.jpg")).asByteArray());
        assertEquals(409, call(handler, decide(appealId, "UPHOLD", "again")).status());

        List<AuditEntry> trail = new DynamoCaseStore(fx.aws.clients().dynamo(), fx.casesTable)
                .of(verdict.verdictId());
        assertEquals(List.of("REVIEW_CONFIRM", "APPEAL_LODGED", "APPEAL_REVERSE"),
                trail.stream().map(AuditEntry::what).toList());
        AuditEntry reversal = trail.get(2);
        assertEquals("rev-1", trail.get(0).actor());
        assertEquals("QUARANTINED", reversal.before().placement().name());
        assertEquals("APPEALED", reversal.before().review().name());
        assertEquals("PUBLISHED", reversal.after().placement().name());
        assertEquals("A marble statue; released.", reversal.why());
        assertTrue(reversal.statement().redress().contains("POST /appeals"));
    }

    @Test
    void upheldAppealLeavesTheImageWhereItIs() {
        Verdict verdict = fx.uploadAndScan(APP + "/kept.jpg", photo, explicit(97));
        fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(verdict.verdictId(), ReviewService.CONFIRM, "Explicit.",
                new Actor("rev-1", List.of("reviewer")));
        AppealApiHandler handler = handler();
        String appealId = call(handler, lodge(verdict.verdictId())).body().at("/appeal/appealId").asText();

        Answer decided = call(handler, decide(appealId, "UPHOLD", "Explicit content confirmed by a second person."));

        assertEquals("UPHELD", decided.body().at("/appeal/status").asText());
        assertEquals("QUARANTINED", decided.body().at("/verdict/placement/state").asText());
        assertEquals("CONFIRMED", decided.body().at("/verdict/review").asText());
    }

    @Test
    void appealsCloseAfterTheWindow() {
        Verdict verdict = fx.uploadAndScan(APP + "/late.jpg", photo, explicit(97));
        fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(verdict.verdictId(), ReviewService.CONFIRM, "Explicit.",
                new Actor("rev-1", List.of("reviewer")));
        fx.clockAt(Instant.now().atZone(ZoneOffset.UTC).plus(Period.ofMonths(6)).plusDays(1).toInstant());

        Answer late = call(handler(), lodge(verdict.verdictId()));

        assertEquals(409, late.status());
        assertTrue(late.body().path("detail").asText().contains("window"), late.body().toString());
    }

    @Test
    void aPublishedImageHasNoRestrictionToAppeal() {
        Verdict verdict = fx.uploadAndScan(APP + "/fine.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));
        assertEquals("PUBLISHED", verdict.placement().state().name());

        Answer answer = call(handler(), lodge(verdict.verdictId()));

        assertEquals(409, answer.status(), answer.body().toString());
        assertTrue(answer.body().path("detail").asText().contains("restricts nothing"), answer.body().toString());
    }

    @Test
    void whileAReviewIsPendingThereIsNothingToAppealYet() {
        Verdict verdict = fx.uploadAndScan(APP + "/pending.jpg", photo, explicit(97));

        assertEquals(409, call(handler(), lodge(verdict.verdictId())).status());
    }

    @Test
    void onlyTheUploaderAppLodgesAndOnlyReviewersDecide() {
        Verdict verdict = fx.uploadAndScan(APP + "/auth.jpg", photo, explicit(97));
        fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(verdict.verdictId(), ReviewService.CONFIRM, "Explicit.",
                new Actor("rev-1", List.of("reviewer")));
        AppealApiHandler handler = handler();

        assertEquals(403, call(handler, lodge(verdict.verdictId()).by("rev-1", "reviewer")).status());
        Answer another = call(handler, lodge(verdict.verdictId()).by("other-app", "uploader-app"));
        assertEquals(403, another.status(), "another application's decision is not its to appeal");
        assertTrue(!another.body().toString().contains(verdict.verdictId()), another.body().toString());
        String appealId = call(handler, lodge(verdict.verdictId())).body().at("/appeal/appealId").asText();
        assertEquals(403, call(handler, decide(appealId, "REVERSE", "mine").by(APP, "uploader-app"))
                .status(), "an appeal is never decided by the party that lodged it");
        HttpApiEvent get = HttpApiEvent.of("GET /appeals/{id}", appealId);
        assertEquals(200, call(handler, get.by(APP, "uploader-app")).status());
        assertEquals(403, call(handler, get.by("other-app", "uploader-app")).status());
        HttpApiEvent post = HttpApiEvent.of("POST /appeals").by(APP, "uploader-app");
        assertEquals(400, call(handler, post.body(Map.of("verdictId", "vd-1", "statement", "x"))).status());
        // An application is told of an unknown verdict what it is told of another's; an admin, that it is unknown.
        Map<String, String> unknown = Map.of("verdictId", "vd-" + "b".repeat(32), "statement", "x");
        assertEquals(403, call(handler, post.body(unknown)).status());
        assertEquals(404, call(handler, HttpApiEvent.of("POST /appeals").by("ops-1", "admin").body(unknown)).status());
    }

    private AppealApiHandler handler() {
        return new AppealApiHandler(fx.pipelineAs(ApiFixture.APPEAL).appealRouter());
    }

    /** Lodged by the uploader app. */
    private static HttpApiEvent lodge(String verdictId) {
        return HttpApiEvent.of("POST /appeals").by(APP, "uploader-app").body(Map.of("verdictId", verdictId,
                "statement", "This is a photo of a marble statue, not nudity."));
    }

    /** Decided by a reviewer. */
    private static HttpApiEvent decide(String appealId, String decision, String reason) {
        return HttpApiEvent.of("POST /appeals/{id}/decision", appealId).by("7c1e4a52-reviewer", "reviewer")
                .body(Map.of("decision", decision, "reason", reason));
    }

    private static Answer call(AppealApiHandler handler, HttpApiEvent event) {
        return ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), event.json());
    }
}
