package dev.sentinel.functions.moderation;

import static dev.sentinel.testing.ApiFixture.call;
import static dev.sentinel.testing.ApiFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.json.Json;
import dev.sentinel.local.iam.SamTransform;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.scan.ScanBatch;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * {@code POST /moderations} of a stored object answers within the moderation function's timeout whatever the engine
 * does: a slow Rekognition is given up on at the check's budget and the check goes to the scan queue (202 and the
 * verdict to poll), as does an object too large to read in time; the scan function then decides it. Runs under the
 * moderation and scan functions' own roles, so queuing is proven to be allowed.
 */
class OnDemandChecksInTimeTest {

    private static final String GENERATOR = "3f9a7d2e-image-generator";
    /** The moderation function's timeout in the template: API Gateway gives up at 30 s anyway. */
    private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(SamTransform.repositoryTemplate()
            .at("/Resources/ModerationApiFunction/Properties/Timeout").asInt());

    private final ApiFixture fx = new ApiFixture();

    @Test
    void aSlowEngineIsGivenUpOnWithinTheBudgetAndTheScanFunctionFinishesTheCheck() throws IOException {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labelsAfter(Duration.ofSeconds(25), photo, explicit(96));
        PutObjectResponse put = fx.upload("3f9a7d2e-image-generator/generated/slow.jpg", photo);
        Duration budget = Duration.ofSeconds(2);
        ModerationApiHandler handler = new ModerationApiHandler(fx.moderationRouter(new ApiSettings.Checks(
                new RekognitionBounds(2, budget.dividedBy(2), budget), ApiSettings.Checks.DEFAULT.inlineMaxBytes())));

        long started = System.nanoTime();
        JsonNode response = invoke(handler, check("3f9a7d2e-image-generator/generated/slow.jpg", false));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(took.compareTo(FUNCTION_TIMEOUT) < 0, "answered after " + took);
        assertTrue(took.compareTo(budget.multipliedBy(2).plusSeconds(5)) < 0, "the budget held: " + took);
        assertEquals(202, response.path("statusCode").asInt(), response.toString());
        JsonNode body = Json.mapper().readTree(response.path("body").asText());
        assertEquals("QUEUED", body.path("status").asText());
        assertEquals("NOT_WITHIN_TIME", body.path("deferred").asText());
        String id = body.path("verdictId").asText();
        assertEquals("/moderations/" + id, response.at("/headers/location").asText());
        assertEquals("/moderations/" + id, body.path("poll").asText());
        assertTrue(response.at("/headers/retry-after").asInt() > 0);
        assertTrue(!"approved".equals(new S3ObjectStore(fx.aws.s3()).tags(new dev.sentinel.objects.ObjectRef(
                fx.uploads, "3f9a7d2e-image-generator/generated/slow.jpg", put.versionId())).get("moderation")), "nothing is published");
        assertEquals(202, poll(handler, id, GENERATOR).status(), "the uploader polls while the check waits");

        // Rekognition answers at its usual speed again; the scan function takes the queued check.
        fx.labels(photo, explicit(96));
        List<ScanBatch.Report> reports = fx.runScanFunctionOnTheQueue();

        assertEquals(1, reports.size());
        assertTrue(reports.get(0).failedIds().isEmpty(), reports.toString());
        Answer verdict = poll(handler, id, GENERATOR);
        assertEquals(200, verdict.status(), verdict.body().toString());
        assertEquals("QUARANTINE", verdict.body().at("/verdict/action").asText());
        assertEquals("QUARANTINED", verdict.body().at("/verdict/placement/state").asText());
        assertEquals(403, poll(handler, id, "another-app").status(), "only who asked, and reviewers");
        assertEquals(200, poll(handler, id, "rev-1", "reviewer").status());
    }

    @Test
    void aLargeObjectIsQueuedUnreadAndASmallOneStillAnswersInline() throws IOException {
        byte[] large = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        byte[] small = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        long limit = 10_000;
        assertTrue(large.length > limit && small.length < limit);
        fx.labels(large, explicit(97));
        fx.upload("3f9a7d2e-image-generator/generated/large.jpg", large);
        fx.upload("3f9a7d2e-image-generator/generated/small.jpg", small);
        ModerationApiHandler handler = new ModerationApiHandler(fx.moderationRouter(
                new ApiSettings.Checks(ApiSettings.Checks.DEFAULT.rekognition(), limit)));
        long asked = fx.rekognition.count("DetectModerationLabels");

        Answer queued = call(in(handler), check("3f9a7d2e-image-generator/generated/large.jpg", false));
        Answer inline = call(in(handler), check("3f9a7d2e-image-generator/generated/small.jpg", false));
        Answer dryRun = call(in(handler), check("3f9a7d2e-image-generator/generated/large.jpg", true));

        assertEquals(202, queued.status(), queued.body().toString());
        assertEquals("LARGE_OBJECT", queued.body().path("deferred").asText());
        assertEquals(asked + 1, fx.rekognition.count("DetectModerationLabels"), "only the small one was judged");
        assertEquals(201, inline.status(), inline.body().toString());
        assertEquals("PUBLISHED", inline.body().at("/verdict/placement/state").asText());
        assertEquals(413, dryRun.status(), "a dry run stores nothing, so it cannot be queued");
        assertTrue(dryRun.body().path("detail").asText().contains("without dryRun"), dryRun.body().toString());

        fx.runScanFunctionOnTheQueue();
        Answer verdict = poll(handler, queued.body().path("verdictId").asText(), GENERATOR);
        assertEquals(200, verdict.status(), verdict.body().toString());
        assertEquals("QUARANTINED", verdict.body().at("/verdict/placement/state").asText());
    }

    /** The generator checks its own outputs; a dry run of a stored object is an admin's. */
    private JsonNode check(String key, boolean dryRun) {
        HttpApiEvent event = HttpApiEvent.of("POST /moderations");
        return (dryRun ? event.by("ops-1", "admin") : event.by(GENERATOR, "uploader-app"))
                .body(Map.of("s3", Map.of("bucket", fx.uploads, "key", key), "dryRun", dryRun)).json();
    }

    private static ApiFixture.StreamHandler in(ModerationApiHandler handler) {
        return (in, out) -> handler.handleRequest(in, out, null);
    }

    private Answer poll(ModerationApiHandler handler, String id, String subject, String... groups) {
        return call(in(handler), HttpApiEvent.of("GET /moderations/{id}", id)
                .by(subject, groups.length == 0 ? new String[] {"uploader-app"} : groups).json());
    }

    private JsonNode invoke(ModerationApiHandler handler, JsonNode event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)), out, null);
        return Json.mapper().readTree(out.toByteArray());
    }
}
