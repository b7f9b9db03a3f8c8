package dev.sentinel.functions.moderation;

import static dev.sentinel.testing.ApiFixture.call;
import static dev.sentinel.testing.ApiFixture.explicit;
import static dev.sentinel.testing.ApiFixture.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The moderation API function, driven with HTTP API events built from the deployed routes, against the local servers. */
class ModerationApiHandlerTest {

    private static final String GENERATOR = "3f9a7d2e-image-generator";
    private final ApiFixture fx = new ApiFixture();
    private final ModerationApiHandler handler = new ModerationApiHandler(fx.moderationRouter(
            dev.sentinel.api.ApiSettings.Checks.DEFAULT));

    @Test
    void storedObjectIsScannedLikeAnUploadAndQuarantined() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(96));
        fx.upload("3f9a7d2e-image-generator/generated/output-0042.png", photo);

        Answer answer = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/generated/output-0042.png")));

        assertEquals(201, answer.status());
        assertEquals("QUARANTINE", answer.body().at("/verdict/action").asText());
        assertEquals("QUARANTINED", answer.body().at("/verdict/placement/state").asText());
        assertEquals("QUARANTINE", answer.body().at("/statementOfReasons/decision").asText());
        assertTrue(answer.body().at("/statementOfReasons/automated").asBoolean());
        assertTrue(answer.body().at("/statementOfReasons/redress").asText().contains("POST /appeals"));
        assertEquals(96.0, answer.body().at("/verdict/reasons/0/confidence").asDouble(), 1e-9);
    }

    /**
     * The deployed role is what decides here: the handler runs with the moderation function's clients, so a face-age
     * lookup, a report record or a legal hold its role may not make fails as it would in AWS.
     */
    @Test
    void onDemandCheckOfASexualImageWithAFaceUnderEighteenIsLockedAndReportedUnderTheDeployedRole() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        fx.labels(photo, explicit(91));
        fx.faces(photo, new int[] {13, 17});
        fx.upload("3f9a7d2e-image-generator/generated/output-0043.png", photo);

        Answer answer = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/generated/output-0043.png")));

        assertEquals(201, answer.status(), answer.body().toString());
        assertEquals("CHILD_SAFETY", answer.body().at("/verdict/action").asText());
        assertEquals("QUARANTINED", answer.body().at("/verdict/placement/state").asText());
        String id = answer.body().at("/verdict/verdictId").asText();
        dev.sentinel.objects.ObjectRef copy = new dev.sentinel.store.DynamoVerdictStore(fx.aws.clients().dynamo(),
                fx.verdictTable).find(id).orElseThrow().placement().location();
        assertEquals(fx.quarantine, copy.bucket());
        assertEquals(software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus.ON, fx.aws.s3()
                .getObjectLegalHold(b -> b.bucket(copy.bucket()).key(copy.key()).versionId(copy.versionId()))
                .legalHold().status());
        assertTrue(fx.aws.s3().getObjectRetention(b -> b.bucket(copy.bucket()).key(copy.key())
                .versionId(copy.versionId())).retention().retainUntilDate().isAfter(java.time.Instant.now()
                .plus(java.time.Duration.ofDays(364))));
        var report = new dev.sentinel.store.DynamoCaseStore(fx.aws.clients().dynamo(), fx.casesTable).findReport(id)
                .orElseThrow();
        assertEquals(13, report.faceAges().get(0).low());
        assertEquals(1, fx.rekognition.count("DetectFaces"), "face ages were asked for");
    }

    /** A stored object that is fine is published by the check itself; an approval it did not earn comes off first. */
    @Test
    void storedObjectThatIsFineIsPublishedAndASmuggledApprovalIsRevokedBeforeJudging() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        fx.upload("3f9a7d2e-image-generator/generated/fine.jpg", photo);
        fx.aws.put(fx.uploads, "3f9a7d2e-image-generator/generated/smuggled.jpg", TestAws.photo("reg-test-input_labelme-subset_q2821.jpg"),
                Map.of("moderation", "approved"));
        fx.labels(TestAws.photo("reg-test-input_labelme-subset_q2821.jpg"), explicit(97));

        Answer fine = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/generated/fine.jpg")));
        Answer smuggled = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/generated/smuggled.jpg")));

        assertEquals("ALLOW", fine.body().at("/verdict/action").asText(), fine.body().toString());
        assertEquals("PUBLISHED", fine.body().at("/verdict/placement/state").asText());
        assertEquals("approved", fx.aws.s3().getObjectTagging(b -> b.bucket(fx.uploads).key("3f9a7d2e-image-generator/generated/fine.jpg"))
                .tagSet().get(0).value());
        assertEquals("QUARANTINED", smuggled.body().at("/verdict/placement/state").asText(), smuggled.body()
                .toString());
    }

    @Test
    void inlineImageIsJudgedAndItsVerdictReadableOnlyByWhoAsked() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        Answer answer = post(Map.of("image", Base64.getEncoder().encodeToString(photo)));

        assertEquals(201, answer.status());
        String id = answer.body().at("/verdict/verdictId").asText();
        assertEquals("ALLOW", answer.body().at("/verdict/action").asText());
        assertEquals("NOT_STORED", answer.body().at("/verdict/placement/state").asText());
        assertEquals(GENERATOR, answer.body().at("/verdict/requestedBy").asText());

        HttpApiEvent get = HttpApiEvent.of("GET /moderations/{id}", id);
        assertEquals(200, call(this::invoke, get.by(GENERATOR, "uploader-app").json()).status());
        Answer stranger = call(this::invoke, get.by("someone-else", "uploader-app").json());
        assertEquals(403, stranger.status());
        assertFalse(stranger.body().has("verdict"), "a refusal carries no data");
        assertEquals(200, call(this::invoke, get.by("rev-1", "reviewer").json()).status());
    }

    /**
     * An application sees its own objects only (keys under its sub): another's object is neither checked nor judged
     * for it, and another's verdict not shown; its own earlier verdict comes back as it is (200, not 201).
     */
    @Test
    void anApplicationNeverSeesAnotherApplicationsObjectOrVerdict() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        dev.sentinel.verdict.Verdict theirs = fx.uploadAndScan("other-app/private.jpg", photo, explicit(91));
        fx.upload(GENERATOR + "/mine.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));

        for (boolean dryRun : List.of(false, true)) {
            Answer refused = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "other-app/private.jpg"),
                    "dryRun", dryRun));
            assertEquals(403, refused.status(), refused.body().toString());
            assertEquals(List.of("detail", "status", "title", "type"), fieldNames(refused), "no verdict data");
        }
        assertEquals(403, call(this::invoke, HttpApiEvent.of("GET /moderations/{id}", theirs.verdictId())
                .by(GENERATOR, "uploader-app").json()).status());

        Answer first = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", GENERATOR + "/mine.jpg")));
        Answer again = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", GENERATOR + "/mine.jpg")));
        assertEquals(201, first.status(), first.body().toString());
        assertEquals(200, again.status(), "the verdict already there is returned, not made again");
        assertEquals(first.body().at("/verdict/verdictId"), again.body().at("/verdict/verdictId"));
        assertEquals(200, call(this::invoke, HttpApiEvent.of("GET /moderations/{id}",
                first.body().at("/verdict/verdictId").asText()).by(GENERATOR, "uploader-app").json()).status());
    }

    @Test
    void dryRunJudgesWithoutStoringOrMoving() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        fx.labels(photo, explicit(99));
        fx.upload("dry.jpg", photo);

        Answer answer = call(this::invoke, HttpApiEvent.of("POST /moderations").by("ops-1", "admin")
                .body(Map.of("s3", Map.of("bucket", fx.uploads, "key", "dry.jpg"), "dryRun", true)).json());

        assertEquals(200, answer.status());
        assertEquals("QUARANTINE", answer.body().at("/verdict/action").asText());
        assertTrue(fx.aws.s3().headObject(b -> b.bucket(fx.uploads).key("dry.jpg")).sdkHttpResponse().isSuccessful(),
                "nothing is moved in a dry run");
        assertEquals(404, call(this::invoke, HttpApiEvent.of("GET /moderations/{id}",
                answer.body().at("/verdict/verdictId").asText()).by("rev-1", "reviewer").json()).status());
    }

    @Test
    void sampleEventsAreAcceptedAsTheyAre() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
        ObjectNode inline = sample("api-post-moderation-inline.json");
        ((ObjectNode) inline).put("body", inline.get("body").asText()
                .replace("BASE64_IMAGE", Base64.getEncoder().encodeToString(photo)));

        Answer answer = call(this::invoke, inline);

        assertEquals(200, answer.status(), answer.body().toString());
        assertTrue(answer.body().path("dryRun").asBoolean());
    }

    /** API Gateway names the greedy {key+} "key" in pathParameters; the key keeps its slashes, spaces and pluses. */
    @Test
    void objectHistoryListsEveryVerdictNewestFirst() {
        String key = "users/alice/summer 2026/holiday+1.jpg";
        fx.uploadAndScan(key, TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));
        fx.uploadAndScan(key, TestAws.photo("reg-test-input_labelme-subset_q0122.jpg"),
                ApiFixture.partialNudity(91));

        Answer answer = call(this::invoke, HttpApiEvent.of("GET /verdicts/{bucket}/{key+}", fx.uploads, key)
                .by("rev-1", "reviewer").json());

        assertEquals(200, answer.status(), answer.body().toString());
        assertEquals(key, answer.body().path("key").asText());
        assertEquals(2, answer.body().path("verdicts").size());
        assertEquals("REVIEW", answer.body().at("/verdicts/0/action").asText());
    }

    @Test
    void auditTrailShowsEveryDecisionInOrder() {
        dev.sentinel.verdict.Verdict verdict = fx.uploadAndScan("audited.jpg",
                TestAws.photo("reg-test-input_labelme-subset_q0122.jpg"), ApiFixture.partialNudity(88));
        fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(verdict.verdictId(), "RELEASE", "Beach photo; fine.",
                new dev.sentinel.cases.Actor("rev-7", List.of("reviewer")));

        Answer answer = call(this::invoke, HttpApiEvent.of("GET /moderations/{id}/audit", verdict.verdictId())
                .by("rev-1", "reviewer").json());

        assertEquals(200, answer.status(), answer.body().toString());
        assertEquals(1, answer.body().path("entries").size());
        assertEquals("REVIEW_RELEASE", answer.body().at("/entries/0/what").asText());
        assertEquals("rev-7", answer.body().at("/entries/0/actor").asText());
        assertEquals("HELD", answer.body().at("/entries/0/before/placement").asText());
        assertEquals("PUBLISHED", answer.body().at("/entries/0/after/placement").asText());
    }

    @Test
    void adminsImportAndExportHashListsWithEveryBadLineReported() {
        String pdq = new dev.sentinel.hash.PdqHasher().hash(dev.sentinel.testing.TestImages.decode(
                TestAws.photo("reg-test-input_labelme-subset_q0291.jpg"))).hex();
        String csv = "hash,kind,category,source\n" + pdq + ",pdq,intimate-imagery,\nnot-a-hash,pdq,x,\n";
        Answer imported = call(this::invoke, HttpApiEvent.of("POST /hash-lists").by("ops-1", "admin")
                .body(Map.of("format", "csv", "source", "partner-list", "content", csv)).json());

        assertEquals(207, imported.status(), imported.body().toString());
        assertEquals(1, imported.body().path("imported").asInt());
        assertEquals(3, imported.body().at("/skipped/0/line").asInt());
        HttpApiEvent export = HttpApiEvent.of("GET /hash-lists");
        Answer exported = call(this::invoke, export.by("ops-1", "admin").json());
        assertTrue(exported.body().path("csv").asText().contains(pdq + ",pdq,intimate-imagery,partner-list"));
        assertEquals(403, call(this::invoke, export.by("rev", "reviewer").json()).status());

        byte[] recompressed = dev.sentinel.testing.TestImages.reencode(
                TestAws.photo("reg-test-input_labelme-subset_q0291.jpg"), "jpeg");
        fx.upload("3f9a7d2e-image-generator/repost.jpg", recompressed);
        Answer check = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/repost.jpg")));
        assertEquals("KNOWN_CONTENT", check.body().at("/verdict/reasons/0/code").asText());
    }

    /**
     * A list goes in with batch writes under the function's own role; one over the per-request limit is refused
     * whole with the way out (send it in parts); the bank comes out a page at a time, each far under Lambda's 6 MB.
     */
    @Test
    void longListsAreImportedInPartsAndExportedAPageAtATime() {
        StringBuilder part = new StringBuilder("hash,kind,category,source\n");
        for (int i = 0; i < 60; i++) {
            part.append(String.format(java.util.Locale.ROOT, "%064x", i)).append(",sha256,shared-list,\n");
        }
        HttpApiEvent post = HttpApiEvent.of("POST /hash-lists").by("ops-1", "admin");

        Answer imported = call(this::invoke, post.body(Map.of("format", "csv", "source", "partner-list",
                "content", part.toString())).json());

        assertEquals(201, imported.status(), imported.body().toString());
        assertEquals(60, imported.body().path("imported").asInt());

        StringBuilder whole = new StringBuilder("hash,kind,category,source\n");
        for (int i = 0; i <= dev.sentinel.api.HashListRoutes.MAX_IMPORT_ENTRIES; i++) {
            whole.append(String.format(java.util.Locale.ROOT, "%064x", 100_000 + i)).append(",sha256,big,\n");
        }
        Answer refused = call(this::invoke, post.body(Map.of("format", "csv", "source", "big-list",
                "content", whole.toString())).json());
        assertEquals(413, refused.status(), refused.body().toString());
        assertTrue(refused.body().path("detail").asText().contains("parts of at most "
                + dev.sentinel.api.HashListRoutes.MAX_IMPORT_ENTRIES), refused.body().toString());

        java.util.Set<String> exported = new java.util.HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            HttpApiEvent page = HttpApiEvent.of("GET /hash-lists").by("ops-1", "admin").query("limit", "25");
            Answer answer = call(this::invoke, (cursor == null ? page : page.query("cursor", cursor)).json());
            assertEquals(200, answer.status(), answer.body().toString());
            List<String> lines = answer.body().path("csv").asText().lines().skip(1).toList();
            assertTrue(lines.size() <= 25 && lines.size() == answer.body().path("count").asInt(), lines.toString());
            lines.forEach(line -> exported.add(line.split(",")[0]));
            cursor = answer.body().hasNonNull("nextCursor") ? answer.body().get("nextCursor").asText() : null;
            pages++;
        } while (cursor != null && pages < 20);
        assertEquals(60, exported.size(), "every imported entry once, none of the refused list");
        assertTrue(pages >= 3);
        for (String bad : List.of("limit=0", "limit=many", "cursor=bm90LWEtY3Vyc29y")) {
            String[] parameter = bad.split("=");
            assertEquals(400, call(this::invoke, HttpApiEvent.of("GET /hash-lists").by("ops-1", "admin")
                    .query(parameter[0], parameter[1]).json()).status(), bad);
        }
    }

    @Test
    void badInputIsA400ProblemNeverA500() {
        Map<Object, String> cases = Map.of(
                Map.of("image", "not base64!!"), "not valid base64",
                Map.of("image", "aGVsbG8=", "colour", "red"), "unknown field 'colour'",
                Map.of("s3", Map.of("bucket", fx.uploads, "key", "../etc/passwd")), ".. segments",
                Map.of("s3", Map.of("bucket", fx.uploads, "key", GENERATOR + "/a.jpg"), "image", "aGVsbG8="),
                "exactly one",
                Map.of("s3", Map.of("bucket", "not-an-uploads-bucket", "key", GENERATOR + "/a.jpg")),
                "not an uploads bucket",
                Map.of("dryRun", "sometimes", "image", "aGVsbG8="), "dryRun",
                "{\"image\": ", "not valid JSON");
        cases.forEach((body, expected) -> {
            Answer answer = post(body);
            assertEquals(400, answer.status(), body + " -> " + answer.body());
            assertEquals("application/problem+json", answer.contentType());
            assertTrue(answer.body().path("detail").asText().contains(expected), answer.body().toString());
            assertEquals(List.of("detail", "status", "title", "type"), fieldNames(answer));
        });
    }

    @Test
    void malformedAndUnknownIdsAndMissingObjects() {
        for (String malformed : List.of("vd-..", "vd-" + "0".repeat(31) + "Z", "..")) {
            assertEquals(400, call(this::invoke, HttpApiEvent.of("GET /moderations/{id}", malformed)
                    .by("rev-1", "reviewer").json()).status(), malformed);
        }
        assertEquals(404, call(this::invoke, HttpApiEvent.of("GET /moderations/{id}", "vd-" + "0".repeat(32))
                .by("rev-1", "reviewer").json()).status());
        // Ids derive from keys and bytes: an application gets for an unknown id what it gets for another's verdict.
        assertEquals(403, call(this::invoke, HttpApiEvent.of("GET /moderations/{id}", "vd-" + "0".repeat(32))
                .by(GENERATOR, "uploader-app").json()).status());
        assertEquals(404, post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/never-uploaded.jpg"))).status());
        // S3 answers a version id it never issued with 400 InvalidArgument: that version does not exist either.
        fx.upload("3f9a7d2e-image-generator/versioned.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));
        Answer forged = post(Map.of("s3", Map.of("bucket", fx.uploads, "key", "3f9a7d2e-image-generator/versioned.jpg",
                "version", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY")));
        assertEquals(404, forged.status(), forged.body().toString());
        assertEquals("application/problem+json", forged.contentType());
    }

    @Test
    void oversizedBodyIsRefusedWithTheWayOut() {
        Answer answer = post("{\"image\": \"" + "A".repeat(6 * 1024 * 1024) + "\"}");

        assertEquals(413, answer.status());
        assertTrue(answer.body().path("detail").asText().contains("S3 reference"));
    }

    @Test
    void callersWithoutTheRightGroupGet403AndNoData() {
        HttpApiEvent check = HttpApiEvent.of("POST /moderations").body(Map.of("image", "aGVsbG8="));
        ObjectNode asReviewer = check.by("rev-1", "reviewer").json();
        ObjectNode noGroups = check.by("x").json();
        ObjectNode audit = HttpApiEvent.of("GET /moderations/{id}/audit", "vd-" + "0".repeat(32))
                .by(GENERATOR, "uploader-app").json();

        for (ObjectNode event : List.of(asReviewer, noGroups, audit)) {
            Answer answer = call(this::invoke, event);
            assertEquals(403, answer.status());
            assertEquals(List.of("detail", "status", "title", "type"), fieldNames(answer));
        }
    }

    @Test
    void eventThatIsNotAnHttpApiRequestGetsAProblem() {
        Answer answer = call(this::invoke, sample("s3-put-jpeg.json"));

        assertEquals(400, answer.status());
    }

    private void invoke(java.io.InputStream in, java.io.OutputStream out) throws java.io.IOException {
        handler.handleRequest(in, out, null);
    }

    /** {@code POST /moderations} as the image generator of the samples. */
    private Answer post(Object body) {
        return call(this::invoke, HttpApiEvent.of("POST /moderations").by(GENERATOR, "uploader-app").body(body)
                .json());
    }

    private static List<String> fieldNames(Answer answer) {
        List<String> names = new java.util.ArrayList<>();
        answer.body().fieldNames().forEachRemaining(names::add);
        java.util.Collections.sort(names);
        return names;
    }
}
