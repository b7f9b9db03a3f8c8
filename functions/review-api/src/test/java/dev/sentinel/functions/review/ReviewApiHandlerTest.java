package dev.sentinel.functions.review;

import static dev.sentinel.testing.ApiFixture.explicit;
import static dev.sentinel.testing.ApiFixture.partialNudity;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.scan.S3Notifications;
import dev.sentinel.scan.ScanBatch;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ReviewApiHandlerTest {

    private final ApiFixture fx = new ApiFixture();
    private final dev.sentinel.testing.PrintedMetrics printed = new dev.sentinel.testing.PrintedMetrics();
    private final ReviewApiHandler handler = new ReviewApiHandler(fx.pipelineAs(ApiFixture.REVIEW).reviewRouter(),
            () -> fx.pipelineAs(ApiFixture.REVIEW).deadlineWatch(printed.metrics("review-api"),
                    dev.sentinel.cases.DeadlineWatch.DEFAULT_AT_RISK_WITHIN).check());

    @Test
    void previewIsASmallReencodedJpegWithoutMetadataAndNeverForChildSafety() throws Exception {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        Verdict quarantined = fx.uploadAndScan("users/bob/statue.jpg", photo, explicit(90));

        Answer preview = call(preview(quarantined.verdictId()).by("rev-1", "reviewer"));

        assertEquals(200, preview.status(), preview.body().toString());
        byte[] jpeg = java.util.Base64.getDecoder().decode(preview.body().path("data").asText());
        var image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        assertTrue(Math.max(image.getWidth(), image.getHeight()) <= 800);
        assertEquals(image.getWidth(), preview.body().path("width").asInt());
        assertNotEquals(sha(photo), sha(jpeg), "a new encoding, not the uploaded bytes");
        assertTrue(new String(jpeg, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("Exif") < 0,
                "no metadata block");

        byte[] minor = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        fx.faces(minor, new int[] {9, 13});
        Verdict childSafety = fx.uploadAndScan("users/bob/beach.jpg", minor, explicit(90));
        assertEquals("CHILD_SAFETY", childSafety.action().name());
        Answer refused = call(preview(childSafety.verdictId()).by("rev-1", "reviewer"));
        assertEquals(403, refused.status());
        assertEquals("urn:sentinel:problem:never-shown", refused.body().path("type").asText());
        assertFalse(refused.body().toString().contains(childSafety.verdictId()), "a refusal names nothing");
        Answer uploader = call(preview(quarantined.verdictId()).by("app-1", "uploader-app"));
        assertEquals(403, uploader.status(), "only reviewers see held images");
    }

    @Test
    void consoleFilesAreServedWithoutATokenUnderAStrictContentSecurityPolicy() throws Exception {
        JsonNode response = raw(HttpApiEvent.of("GET /console").json());
        assertEquals(200, response.path("statusCode").asInt());
        assertTrue(response.at("/headers/content-type").asText().startsWith("text/html"));
        String csp = response.at("/headers/content-security-policy").asText();
        assertTrue(csp.contains("default-src 'none'") && csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'"), csp);
        assertTrue(response.path("body").asText().contains("console/console.js"));

        assertTrue(raw(HttpApiEvent.of("GET /console/{asset}", "console.js").json()).path("body").asText()
                .contains("textContent"));
        for (String elsewhere : List.of("..", "index.html%2F..%2F..%2Fetc%2Fpasswd", "secrets.txt")) {
            assertEquals(404, raw(HttpApiEvent.of("GET /console/{asset}", elsewhere).json()).path("statusCode")
                    .asInt(), elsewhere);
        }
    }

    @Test
    void transparencyReportIsForAdminsInJsonOrCsv() throws Exception {
        fx.uploadAndScan("users/bob/statue.jpg", TestAws.photo("reg-test-input_labelme-subset_q1050.jpg"),
                explicit(90));
        HttpApiEvent request = HttpApiEvent.of("GET /reports/transparency").by("admin-1", "admin");

        Answer json = call(request);
        assertEquals(200, json.status(), json.body().toString());
        assertEquals(1, json.body().at("/moderationDecisions/total").asInt(), json.body().toString());
        assertEquals(1, json.body().at("/moderationDecisions/byAction/QUARANTINE").asInt(), json.body().toString());

        JsonNode csv = raw(request.query("format", "csv").json());
        assertEquals(200, csv.path("statusCode").asInt());
        assertTrue(csv.at("/headers/content-type").asText().startsWith("text/csv"));
        assertTrue(csv.path("body").asText().startsWith("section,metric,dimension,value"), csv.toString());

        assertEquals(400, raw(request.query("format", "csv").query("from", "last tuesday").json())
                .path("statusCode").asInt());
        assertEquals(403, call(HttpApiEvent.of("GET /reports/transparency").by("r-1", "reviewer")).status());
    }

    @Test
    void aScheduledEventReportsTheQueueAndTheNoticeDeadlinesAtRisk() throws Exception {
        java.time.Instant start = java.time.Instant.now();
        fx.clockAt(start);
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        Verdict named = fx.uploadAndScan("users/bob/generated.jpg", photo, explicit(90));
        fx.uploadAndScan("users/bob/other.jpg", TestAws.photo("reg-test-input_labelme-subset_q0291.jpg"),
                explicit(90));
        // An intimate-imagery notice: a person must decide within two hours.
        JsonNode notice = HttpApiEvent.of("POST /notices").by("9b2c-notice-intake-form", "notifier")
                .body(Map.of("category", "INTIMATE_IMAGERY",
                        "object", Map.of("bucket", fx.uploads, "key", "users/bob/generated.jpg"),
                        "notifier", Map.of("name", "Jane Doe", "email", "jane@example.org"),
                        "explanation", "A sexualised AI-generated image of me.", "goodFaith", true)).json();
        Answer filed = ApiFixture.call((in, out) -> dev.sentinel.api.HttpApiEvents.respond(in, out,
                fx.pipelineAs(ApiFixture.NOTICE).noticeRouter()), notice);
        assertEquals(202, filed.status(), filed.body().toString());

        fx.clockAt(start.plus(java.time.Duration.ofMinutes(75)));
        assertEquals("done", scheduled().path("scheduled").asText());
        assertEquals(2, printed.total("ReviewQueueDepth", Map.of()), printed.text());
        assertEquals(1, printed.total("NoticeDeadlinesAtRisk", Map.of()), printed.text());
        assertEquals(0, printed.total("NoticeDeadlinesMissed", Map.of()), printed.text());

        fx.clockAt(start.plus(java.time.Duration.ofMinutes(150)));
        scheduled();
        assertEquals(1, printed.total("NoticeDeadlinesMissed", Map.of()), printed.text());
        assertTrue(printed.text().lines().noneMatch(line -> line.contains(named.verdictId())
                || line.contains("generated.jpg")), "no ids or keys in metrics");
    }

    private JsonNode scheduled() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        handler.handleRequest(new java.io.ByteArrayInputStream(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("../../events/schedule-review-deadlines.json"))), out, null);
        return dev.sentinel.json.Json.mapper().readTree(out.toByteArray());
    }

    private JsonNode raw(JsonNode event) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        handler.handleRequest(new java.io.ByteArrayInputStream(dev.sentinel.json.Json.mapper()
                .writeValueAsBytes(event)), out, null);
        return dev.sentinel.json.Json.mapper().readTree(out.toByteArray());
    }

    private static String sha(byte[] bytes) {
        return ApiFixture.sha256(bytes);
    }

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

    /**
     * S3 notifies every object creation, copies included: the release's restored version arrives at the scan as
     * ObjectCreated:Copy. It is the pipeline's own write and is left alone; a copy an uploader makes over it,
     * forging the restore's metadata and carrying its approval tag along, is a new upload and is scanned.
     */
    @Test
    void theReleasesOwnCopyIsNotScannedAgainButAnUploadersCopyOverItIs() {
        String key = "users/bob/statue.jpg";
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        Verdict verdict = fx.uploadAndScan(key, photo, explicit(71));
        Answer released = decide(verdict.verdictId(), "RELEASE", "Classical sculpture; not sexual content.");
        assertEquals(200, released.status(), released.body().toString());
        ObjectRef restored = new ObjectRef(fx.uploads, key,
                released.body().at("/verdict/placement/location/versionId").asText());
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        ScanBatch scan = ScanServiceBuilder.of(fx.scanSettings, fx.clientsAs(ApiFixture.SCAN), new StructuredLog(
                new java.io.PrintStream(log, true, StandardCharsets.UTF_8), Clock.systemUTC(), "scan-upload"),
                Clock.systemUTC()).batch();
        DynamoVerdictStore verdicts = new DynamoVerdictStore(fx.aws.clients().dynamo(), fx.verdictTable);

        ScanBatch.Report own = scan.run(S3Notifications.parse(copyNotification(restored)));

        assertEquals(List.of(), own.failedIds());
        assertEquals(1, verdicts.historyOf(fx.uploads, key).size(), "no second verdict");
        assertEquals(Map.of("moderation", "approved"), new S3ObjectStore(fx.aws.s3()).tags(restored));
        String lines = log.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("pipeline-write-left-alone") && lines.contains(verdict.verdictId()), lines);
        assertFalse(lines.contains("unearned"), "the reviewer's approval is not an unearned one: " + lines);

        // From the uploader's own bucket, where it tagged the source approved itself (S3Mock makes no new version
        // for a copy of a key onto itself, which S3 would).
        String uploaderBucket = fx.aws.newBucket("uploader-own", true);
        fx.aws.put(uploaderBucket, "statue.jpg", photo, Map.of("moderation", "approved"));
        String copied = fx.aws.s3().copyObject(b -> b.sourceBucket(uploaderBucket).sourceKey("statue.jpg")
                .destinationBucket(fx.uploads).destinationKey(key).metadataDirective(MetadataDirective.REPLACE)
                .metadata(Map.of(Quarantine.VERDICT_ID_METADATA, verdict.verdictId()))).versionId();
        ScanBatch.Report uploaders = scan.run(S3Notifications.parse(copyNotification(
                new ObjectRef(fx.uploads, key, copied))));

        assertEquals(List.of(), uploaders.failedIds());
        List<Verdict> history = verdicts.historyOf(fx.uploads, key);
        assertEquals(2, history.size(), "the uploader's copy has a verdict of its own");
        assertEquals(copied, history.get(0).object().versionId());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("unearned-visibility-tag-removed"),
                "the approval the copy carried along was not earned by it");
    }

    /** The notification S3 sends for a CopyObject that created {@code version}. */
    private JsonNode copyNotification(ObjectRef version) {
        var head = fx.aws.s3().headObject(b -> b.bucket(version.bucket()).key(version.key())
                .versionId(version.versionId()));
        return SampleEvents.s3Created("ObjectCreated:Copy", version.bucket(), version.key(),
                new SampleEvents.ObjectFacts(version.versionId(), head.eTag(), head.contentLength()));
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

    /** In AWS the review function tells a deleted upload from a refused read only if it may list both buckets. */
    @Test
    void confirmingAHeldObjectTheUploaderDeletedMeanwhileRecordsItGone() {
        Verdict verdict = fx.uploadAndScan("deleted.jpg", TestAws.photo("reg-test-input_labelme-subset_q0122.jpg"),
                partialNudity(85));
        fx.aws.s3().deleteObject(b -> b.bucket(fx.uploads).key("deleted.jpg")
                .versionId(verdict.object().ref().versionId()));

        Answer answer = decide(verdict.verdictId(), "CONFIRM", "Nudity without context; stays down.");

        assertEquals(200, answer.status(), answer.body().toString());
        assertEquals("CONFIRMED", answer.body().at("/verdict/review").asText());
        assertEquals("GONE", answer.body().at("/verdict/placement/state").asText());
    }

    @Test
    void childSafetyReleaseByOneReviewerIsRefusedAndTwoReviewersRelease() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0122.jpg");
        fx.faces(photo, new int[] {14, 19});
        Verdict verdict = fx.uploadAndScan("cs.jpg", photo, explicit(75));
        assertEquals("CHILD_SAFETY", verdict.action().name());
        HttpApiEvent release = decision(verdict.verdictId(), "RELEASE",
                "Classical sculpture in a museum; not sexual content.");

        assertEquals(202, call(release.by("rev-1", "reviewer")).status(), "recorded, waiting for a second reviewer");
        Answer again = call(release.by("rev-1", "reviewer"));
        assertEquals(409, again.status());
        assertTrue(again.body().path("detail").asText().contains("second, different reviewer"));
        Answer second = call(release.by("rev-2", "reviewer"));
        assertEquals(200, second.status(), second.body().toString());
        assertEquals("RELEASED", second.body().at("/verdict/review").asText());

        HttpApiEvent report = HttpApiEvent.of("GET /child-safety-reports/{id}", verdict.verdictId());
        Answer answer = call(report.by("legal-1", "admin"));
        assertEquals(200, answer.status(), answer.body().toString());
        assertEquals(verdict.object().sha256(), answer.body().at("/hashes/sha256").asText());
        assertEquals(14, answer.body().at("/faceAges/0/low").asInt());
        assertTrue(!answer.body().toString().contains("http"), "no link to the image");
        assertEquals(403, call(report.by("rev-1", "reviewer")).status());
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
            HttpApiEvent event = HttpApiEvent.of("GET /reviews").by("rev-1", "reviewer").query("status", "PENDING")
                    .query("limit", "3");
            Answer page = call(cursor == null ? event : event.query("cursor", cursor));
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
            HttpApiEvent event = HttpApiEvent.of("GET /reviews").by("rev-1", "reviewer");
            for (Map.Entry<String, String> parameter : query.entrySet()) {
                event = event.query(parameter.getKey(), parameter.getValue());
            }
            assertEquals(400, call(event).status(), query.toString());
        }
    }

    @Test
    void onlyReviewersAndAdminsMayReviewOrSeeTheQueue() {
        String id = fx.uploadAndScan("y.jpg", TestAws.photo("reg-test-input_labelme-subset_q2821.jpg"),
                partialNudity(90)).verdictId();
        HttpApiEvent decision = decision(id, "RELEASE", "Fine after all.");

        assertEquals(403, call(decision.by("app", "uploader-app")).status());
        assertEquals(403, call(HttpApiEvent.of("GET /reviews").by("n", "notifier")).status());
        assertEquals(200, call(decision.by("boss", "admin")).status());
    }

    private static HttpApiEvent preview(String id) {
        return HttpApiEvent.of("GET /reviews/{id}/preview", id);
    }

    private static HttpApiEvent decision(String id, String decision, String reason) {
        return HttpApiEvent.of("POST /reviews/{id}/decision", id).body(Map.of("decision", decision, "reason", reason));
    }

    /** A reviewer's decision. */
    private Answer decide(String id, String decision, String reason) {
        return call(decision(id, decision, reason).by("rev-1", "reviewer"));
    }

    private Answer call(HttpApiEvent event) {
        return ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), event.json());
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
