package dev.sentinel.functions.likeness;

import dev.sentinel.api.ApiSettings;
import dev.sentinel.api.Groups;
import dev.sentinel.api.Router;
import dev.sentinel.cases.NoticeDeadlines;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.local.aws.SnsStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.scan.ScanFailedException;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoHashBank;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.wiring.ApiRouterBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import static dev.sentinel.functions.likeness.LikenessFixture.swimwear;
import static dev.sentinel.functions.likeness.LikenessImages.ALICE;
import static dev.sentinel.functions.likeness.LikenessImages.STRANGER;
import static dev.sentinel.testing.ApiFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Likeness protection end to end against the stand-in: enrolment refused for bad photos and accepted for good ones
 * with the photos kept nowhere; a sexual image with the face quarantined with LIKENESS_MATCH and an alert; a
 * non-sexual image with the face never searched; a stranger unaffected; withdrawal erasing faces and hashes in one
 * call, after which the same face passes to ordinary policy.
 */
class LikenessLifecycleTest {

    private final LikenessFixture lx = new LikenessFixture();

    @Test
    void enrolmentRefusesPhotosWithoutExactlyOneClearFaceAndKeepsNothing() {
        ApiFixture.Answer noFace = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220), LikenessImages.noFace()));
        assertEquals(400, noFace.status(), noFace.body().toString());
        assertTrue(noFace.body().path("detail").asText().contains("photo 2: shows no face"), noFace.body().toString());

        ApiFixture.Answer two = lx.enrol(List.of(LikenessImages.twoFaces(ALICE, STRANGER)));
        assertEquals(400, two.status());
        assertTrue(two.body().path("detail").asText().contains("photo 1: shows more than one face"),
                two.body().toString());

        ApiFixture.Answer blurred = lx.enrol(List.of(LikenessImages.blurredFace(ALICE)));
        assertEquals(400, blurred.status());
        assertTrue(blurred.body().path("detail").asText().contains("not clear enough (LOW_SHARPNESS"),
                blurred.body().toString());

        // The good photo of the first request was indexed, then deleted again with the refusal.
        assertEquals(0, lx.rekognition.faceCount(lx.collection));
        assertEquals(List.of(), registrations());
    }

    @Test
    void theWholeLifecycle() {
        byte[] front = LikenessImages.portrait(ALICE, 220);
        byte[] smaller = LikenessImages.portrait(ALICE, 160);
        ApiFixture.Answer enrolled = lx.enrol(List.of(front, smaller));
        assertEquals(201, enrolled.status(), enrolled.body().toString());
        String id = enrolled.body().path("registrationId").asText();
        assertEquals("ACTIVE", enrolled.body().path("status").asText());
        assertEquals(2, enrolled.body().path("faces").asInt());
        assertEquals(2, lx.rekognition.faceCount(lx.collection));
        // No face ids, no similarity, no photo in the answer; the photos kept nowhere.
        List<String> faceIds = lx.fx.aws.clients().rekognition().listFaces(b -> b.collectionId(lx.collection))
                .faces().stream().map(f -> f.faceId()).toList();
        faceIds.forEach(faceId -> assertFalse(enrolled.body().toString().contains(faceId)));
        assertFalse(enrolled.body().toString().toLowerCase(java.util.Locale.ROOT).contains("similar"));
        assertPhotosStoredNowhere(front, smaller);

        // A sexual image with her face: quarantined, reason naming nobody, two hours to review, one alert.
        Verdict matched = lx.scanned("app-a/beach-1.jpg", LikenessImages.scene(ALICE, 300, 200), swimwear());
        assertEquals(Action.QUARANTINE, matched.action());
        Reason reason = reason(matched, ReasonCode.LIKENESS_MATCH);
        assertFalse(reason.text().contains(id));
        assertFalse(reason.text().contains("Alice"));
        assertEquals(Duration.ofHours(2), Duration.between(matched.decidedAt(), matched.reviewDeadline()));
        List<SnsStandIn.Published> alerts = lx.sns.publishedTo(lx.topic);
        assertEquals(1, alerts.size());
        SnsStandIn.Published alert = alerts.get(0);
        assertEquals(id, alert.attributes().get("registrationId"));
        for (String leak : List.of(matched.verdictId(), matched.object().key(), lx.fx.uploads, lx.fx.quarantine,
                "http", matched.object().sha256())) {
            assertFalse(alert.message().contains(leak), "the alert names " + leak);
        }

        // The same face in an image without sexual labels is not searched at all.
        long searches = lx.rekognition.count("SearchFacesByImage");
        long detections = lx.rekognition.count("DetectFaces");
        Verdict everyday = lx.scanned("app-a/street.jpg", LikenessImages.scene(ALICE, 100, 300));
        assertEquals(Action.ALLOW, everyday.action());
        assertEquals(searches, lx.rekognition.count("SearchFacesByImage"));
        assertEquals(detections, lx.rekognition.count("DetectFaces"));

        // A stranger in the same kind of image goes to ordinary policy (swimwear is published).
        Verdict stranger = lx.scanned("app-a/beach-2.jpg", LikenessImages.scene(STRANGER, 300, 200), swimwear());
        assertEquals(Action.ALLOW, stranger.action());
        assertTrue(stranger.reasons().stream().noneMatch(r -> r.code() == ReasonCode.LIKENESS_MATCH));
        assertEquals(1, lx.sns.publishedTo(lx.topic).size());

        // Withdrawal: faces and hashes erased and the registration closed, in one call.
        String hash = new PdqHasher().hash(TestImages.decode(TestAws.photo(
                "reg-test-input_labelme-subset_q1050.jpg"))).hex();
        ApiFixture.Answer hashes = lx.call(HttpApiEvent.of("POST /likeness/registrations/{id}/hashes", id)
                .body(Map.of("hashes", List.of(hash))), "registrar-1", Groups.LIKENESS_REGISTRAR);
        assertEquals(200, hashes.status(), hashes.body().toString());
        assertEquals(1, bankEntriesWith(hash));
        ApiFixture.Answer withdrawn = lx.call(HttpApiEvent.of("DELETE /likeness/registrations/{id}", id),
                "registrar-1", Groups.LIKENESS_REGISTRAR);
        assertEquals(200, withdrawn.status(), withdrawn.body().toString());
        assertEquals("WITHDRAWN", withdrawn.body().path("status").asText());
        assertEquals(0, withdrawn.body().path("faces").asInt());
        assertEquals(0, lx.rekognition.faceCount(lx.collection));
        assertEquals(0, bankEntriesWith(hash));
        List<String> audited = new dev.sentinel.store.DynamoCaseStore(lx.fx.aws.clients().dynamo(),
                lx.fx.casesTable).of(id).stream().map(e -> e.what()).toList();
        assertEquals(List.of("LIKENESS_ENROLLED", "LIKENESS_HASHES_ADDED", "LIKENESS_WITHDRAWN"), audited);

        // The next such image of her passes to ordinary policy.
        Verdict after = lx.scanned("app-a/beach-3.jpg", LikenessImages.scene(ALICE, 320, 180), swimwear());
        assertEquals(Action.ALLOW, after.action());
        assertEquals(1, lx.sns.publishedTo(lx.topic).size());
    }

    @Test
    void selfSubmittedHashesStopAReuploadUntilWithdrawn() {
        byte[] intimate = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        String id = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        // Computed on the person's device: the image itself never reaches Sentinel.
        String pdq = new PdqHasher().hash(TestImages.decode(intimate)).hex();
        ApiFixture.Answer added = lx.call(HttpApiEvent.of("POST /likeness/registrations/{id}/hashes", id)
                .body(Map.of("hashes", List.of(pdq))), "registrar-1", Groups.LIKENESS_REGISTRAR);
        assertEquals(200, added.status(), added.body().toString());
        assertEquals(1, added.body().path("hashes").asInt());
        assertFalse(added.body().toString().contains(pdq), "hashes are counted, not echoed");

        Verdict reupload = lx.scanned("app-b/again.png", TestImages.reencode(intimate, "png"));
        assertEquals(Action.QUARANTINE, reupload.action());
        Reason known = reason(reupload, ReasonCode.KNOWN_CONTENT);
        assertFalse(known.text().contains(id), known.text());

        lx.call(HttpApiEvent.of("DELETE /likeness/registrations/{id}", id), "registrar-1",
                Groups.LIKENESS_REGISTRAR);
        Verdict afterWithdrawal = lx.scanned("app-b/again.bmp", TestImages.reencode(intimate, "bmp"));
        assertTrue(afterWithdrawal.reasons().stream().noneMatch(r -> r.code() == ReasonCode.KNOWN_CONTENT),
                afterWithdrawal.reasons().toString());
    }

    @Test
    void expiredRegistrationsAreErasedByTheScheduledCheck() {
        Instant enrolledAt = Instant.now().minus(Duration.ofDays(400));
        lx.clockAt(enrolledAt);
        String id = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        assertEquals(1, lx.rekognition.faceCount(lx.collection));

        lx.clockAt(Instant.now());
        LikenessApiHandler handler = lx.handler();
        ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), ApiFixture.sample("schedule-likeness-expiry.json"));

        assertEquals(0, lx.rekognition.faceCount(lx.collection));
        ApiFixture.Answer read = lx.call(HttpApiEvent.of("GET /likeness/registrations/{id}", id), "registrar-1",
                Groups.LIKENESS_REGISTRAR);
        assertEquals("EXPIRED", read.body().path("status").asText(), read.body().toString());
    }

    @Test
    void enrolmentSubscribesTheContactToItsOwnAlerts() {
        String id = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        List<SnsStandIn.Subscription> subscriptions = lx.subscriptions();
        assertEquals(1, subscriptions.size());
        SnsStandIn.Subscription subscription = subscriptions.get(0);
        assertEquals("email", subscription.protocol());
        assertEquals(lx.contact, subscription.endpoint());
        assertEquals(Map.of("registrationId", List.of(id)), subscription.filter());
        // The ARN, though an e-mail subscription awaits confirmation, is kept with the registration.
        String document = lx.fx.aws.clients().dynamo().getItem(b -> b.tableName(lx.likenessTable)
                .key(Map.of("pk", AttributeValue.fromS("registration#" + id), "sk",
                        AttributeValue.fromS("registration")))).item().toString();
        assertTrue(document.contains(subscription.arn()), document);

        String phone = lx.enrol(List.of(LikenessImages.portrait(STRANGER, 220)), "+4915112345678").body()
                .path("registrationId").asText();
        String hook = lx.enrol(List.of(LikenessImages.portrait(STRANGER, 200)), "https://alerts.example.org/likeness")
                .body().path("registrationId").asText();
        Map<String, String> protocols = new java.util.HashMap<>();
        lx.subscriptions().forEach(s -> protocols.put(s.filter().get("registrationId").get(0), s.protocol()));
        assertEquals(Map.of(id, "email", phone, "sms", hook, "https"), protocols);
    }

    @Test
    void anAlertReachesOnlyTheMatchedRegistrationsContact() {
        String alice = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        String strangersPhone = "+4915112345678";
        lx.enrol(List.of(LikenessImages.portrait(STRANGER, 220)), strangersPhone);

        Verdict matched = lx.scanned("app-a/beach-1.jpg", LikenessImages.scene(ALICE, 300, 200), swimwear());
        assertEquals(Action.QUARANTINE, matched.action());
        List<SnsStandIn.Published> received = lx.deliveredTo(lx.contact);
        assertEquals(1, received.size());
        assertEquals(alice, received.get(0).attributes().get("registrationId"));
        assertEquals(List.of(), lx.deliveredTo(strangersPhone));
    }

    @Test
    void withdrawalUnsubscribesTheContact() {
        String id = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        ApiFixture.Answer withdrawn = lx.call(HttpApiEvent.of("DELETE /likeness/registrations/{id}", id),
                "registrar-1", Groups.LIKENESS_REGISTRAR);
        assertEquals(200, withdrawn.status(), withdrawn.body().toString());
        assertEquals(List.of(), lx.subscriptions());

        // Even an alert still published for that id (a scan already under way) reaches nobody.
        alertAsTheScanFunction(id);
        assertEquals(1, lx.sns.publishedTo(lx.topic).size());
        assertEquals(List.of(), lx.deliveredTo(lx.contact));
    }

    @Test
    void expiryUnsubscribesTheContact() {
        lx.clockAt(Instant.now().minus(Duration.ofDays(400)));
        String id = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        assertEquals(1, lx.subscriptions().size());

        lx.clockAt(Instant.now());
        LikenessApiHandler handler = lx.handler();
        ApiFixture.call((in, out) -> handler.handleRequest(in, out, null),
                ApiFixture.sample("schedule-likeness-expiry.json"));

        assertEquals(List.of(), lx.subscriptions());
        alertAsTheScanFunction(id);
        assertEquals(List.of(), lx.deliveredTo(lx.contact));
    }

    @Test
    void aFailedUnsubscribeErasesTheFacesAndAnswersAnErrorUntilRepeated() {
        String id = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220))).body().path("registrationId").asText();
        lx.sns.failNext(10);
        ApiFixture.Answer failed = lx.call(HttpApiEvent.of("DELETE /likeness/registrations/{id}", id),
                "registrar-1", Groups.LIKENESS_REGISTRAR);
        lx.sns.failNext(0);
        assertEquals(503, failed.status(), failed.body().toString());
        assertEquals(0, lx.rekognition.faceCount(lx.collection));
        assertEquals(1, lx.subscriptions().size());
        List<String> audited = new dev.sentinel.store.DynamoCaseStore(lx.fx.aws.clients().dynamo(),
                lx.fx.casesTable).of(id).stream().map(e -> e.what()).toList();
        assertEquals(List.of("LIKENESS_ENROLLED", "LIKENESS_UNSUBSCRIBE_FAILED"), audited);

        ApiFixture.Answer repeated = lx.call(HttpApiEvent.of("DELETE /likeness/registrations/{id}", id),
                "registrar-1", Groups.LIKENESS_REGISTRAR);
        assertEquals(200, repeated.status(), repeated.body().toString());
        assertEquals("WITHDRAWN", repeated.body().path("status").asText());
        assertEquals(List.of(), lx.subscriptions());
    }

    @Test
    void aContactOfNoKnownFormIsRefusedBeforeAnyFaceIsIndexed() {
        long indexed = lx.rekognition.count("IndexFaces");
        for (String contact : List.of("alice at example.org", "015112345678", "http://alerts.example.org/hook",
                "https://", "+0123")) {
            ApiFixture.Answer refused = lx.enrol(List.of(LikenessImages.portrait(ALICE, 220)), contact);
            assertEquals(400, refused.status(), contact + ": " + refused.body());
            assertTrue(refused.body().path("detail").asText().contains("E.164"), refused.body().toString());
            // ("https://" alone is in the message's own wording.)
            assertFalse(!contact.equals("https://") && refused.body().toString().contains(contact),
                    "the answer echoes the contact");
        }
        assertEquals(indexed, lx.rekognition.count("IndexFaces"));
        assertEquals(0, lx.rekognition.faceCount(lx.collection));
        assertEquals(List.of(), lx.subscriptions());
        assertEquals(List.of(), registrations());
    }

    private void alertAsTheScanFunction(String registrationId) {
        new dev.sentinel.likeness.SnsLikenessAlerts(lx.scanClients().sns(), lx.topic).matched(registrationId,
                "LK-REF", Instant.now().plus(Duration.ofHours(2)));
    }

    @Test
    void aMinorSignalAndALikenessMatchTogetherAreChildSafety() {
        lx.enrol(List.of(LikenessImages.portrait(ALICE, 220)));
        byte[] photo = LikenessImages.scene(ALICE, 280, 220);
        lx.ages(photo, 12, 16);
        Verdict verdict = lx.scanned("app-a/minor.jpg", photo, explicit(91));
        assertEquals(Action.CHILD_SAFETY, verdict.action());
        reason(verdict, ReasonCode.LIKENESS_MATCH);
        reason(verdict, ReasonCode.CHILD_SAFETY_SIGNAL);
    }

    @Test
    void aCollectionThatCannotBeSearchedHoldsTheImage() {
        lx.enrol(List.of(LikenessImages.portrait(ALICE, 220)));
        lx.rekognition.interceptCollections(request -> request.operation().equals("SearchFacesByImage")
                ? dev.sentinel.local.aws.RekognitionStandIn.throttling() : null);
        Verdict verdict = lx.scanned("app-a/unsearched.jpg", LikenessImages.scene(STRANGER, 300, 200), swimwear());
        assertEquals(Action.REVIEW, verdict.action());
        reason(verdict, ReasonCode.LIKENESS_NOT_CHECKED);
        assertNotNull(verdict.reviewDeadline());
    }

    @Test
    void moreFacesThanAreSearchedAreHeldForAPerson() {
        long[] crowd = new long[11];
        for (int i = 0; i < crowd.length; i++) {
            crowd[i] = 1000 + i;
        }
        Verdict verdict = lx.scanned("app-a/crowd.jpg", LikenessImages.crowd(crowd), swimwear());
        assertEquals(Action.REVIEW, verdict.action());
        assertTrue(reason(verdict, ReasonCode.LIKENESS_NOT_CHECKED).text().contains("11 faces"));
    }

    @Test
    void anAlertThatCannotBeSentFailsTheScanAndIsSentOnTheRetry() {
        lx.enrol(List.of(LikenessImages.portrait(ALICE, 220)));
        byte[] photo = LikenessImages.scene(ALICE, 260, 240);
        lx.sns.failNext(10);
        assertThrows(ScanFailedException.class, () -> lx.scan("app-a/retried.jpg", photo, swimwear()));
        assertEquals(0, lx.sns.publishedTo(lx.topic).size());
        lx.sns.failNext(0);

        Verdict verdict = lx.scanned("app-a/retried-2.jpg", photo, swimwear());
        assertEquals(Action.QUARANTINE, verdict.action());
        assertEquals(1, lx.sns.publishedTo(lx.topic).size());
    }

    @Test
    void aPersonManagesOnlyTheirOwnRegistration() {
        ApiFixture.Answer own = lx.call(HttpApiEvent.of("POST /likeness/registrations").body(lx.enrolment(
                List.of(LikenessImages.portrait(ALICE, 220)), "SELF")), "person-alice", Groups.PROTECTED_PERSON);
        assertEquals(201, own.status(), own.body().toString());
        String id = own.body().path("registrationId").asText();

        assertEquals(200, lx.call(HttpApiEvent.of("GET /likeness/registrations/{id}", id), "person-alice",
                Groups.PROTECTED_PERSON).status());
        for (String asked : List.of(id, "lk-" + "0".repeat(32))) {
            ApiFixture.Answer other = lx.call(HttpApiEvent.of("GET /likeness/registrations/{id}", asked),
                    "person-bob", Groups.PROTECTED_PERSON);
            assertEquals(403, other.status());
            assertFalse(other.body().toString().contains(asked));
        }
        ApiFixture.Answer onBehalf = lx.call(HttpApiEvent.of("POST /likeness/registrations").body(lx.enrolment(
                List.of(LikenessImages.portrait(STRANGER, 220)), "GUARDIAN_OF_MINOR")), "person-bob",
                Groups.PROTECTED_PERSON);
        assertEquals(400, onBehalf.status(), "a person's own token enrols only themselves");
    }

    @Test
    void enrolmentsAreRateLimitedPerCaller() {
        LikenessFixture limited = new LikenessFixture(2);
        assertEquals(201, limited.enrol(List.of(LikenessImages.portrait(ALICE, 220))).status());
        assertEquals(400, limited.enrol(List.of(LikenessImages.noFace())).status());
        ApiFixture.Answer third = limited.enrol(List.of(LikenessImages.portrait(STRANGER, 220)));
        assertEquals(429, third.status(), third.body().toString());
        assertEquals(1, limited.rekognition.faceCount(limited.collection));
    }

    @Test
    void aReviewerRecordsThatAMatchIsNotThePerson() throws Exception {
        lx.enrol(List.of(LikenessImages.portrait(ALICE, 220)));
        Verdict matched = lx.scanned("app-a/lookalike.jpg", LikenessImages.scene(ALICE, 240, 160), swimwear());
        ApiFixture.Answer finding = lx.call(HttpApiEvent.of("POST /likeness/matches/{id}/finding",
                matched.verdictId()).body(Map.of("samePerson", false, "reason", "Different person; similar face.")),
                "rev-1", Groups.REVIEWER);
        assertEquals(200, finding.status(), finding.body().toString());
        assertEquals("NOT_THE_PERSON", finding.body().path("finding").asText());
        var matches = new dev.sentinel.store.DynamoLikenessMatches(lx.fx.aws.clients().dynamo(), lx.fx.casesTable)
                .ofImage(matched.object().sha256());
        assertEquals(List.of("NOT_THE_PERSON"), matches.stream().map(m -> m.finding()).toList());

        // The transparency report, as the review function makes it, counts the match and the finding.
        dev.sentinel.api.Router review = lx.fx.pipelineAs(ApiFixture.REVIEW).reviewRouter(
                new dev.sentinel.store.DynamoLikenessMatches(lx.fx.clientsAs(ApiFixture.REVIEW).dynamo(),
                        lx.fx.casesTable));
        var report = review.handle(new dev.sentinel.api.ApiRequest("GET /reports/transparency", Map.of(), Map.of(),
                null, new dev.sentinel.cases.Actor("admin-1", List.of(Groups.ADMIN))));
        assertEquals(200, report.status(), report.body());
        var counts = dev.sentinel.json.Json.mapper().readTree(report.body()).path("likenessMatches");
        assertEquals(1, counts.path("matches").asInt(), report.body());
        assertEquals(1, counts.path("notThePerson").asInt(), report.body());
        assertEquals(0, counts.path("samePerson").asInt(), report.body());
    }

    /**
     * On-demand checks may not search the collection: a stored sexual image with a face goes to the scan function
     * (queued, no verdict yet), an inline one is held for a person rather than answered ALLOW.
     */
    @Test
    void onDemandChecksLeaveFacesInSexualImagesToTheScanFunction() {
        lx.enrol(List.of(LikenessImages.portrait(ALICE, 220)));
        var settings = lx.fx.scanSettings.withLikeness(LikenessSettings.searchedByTheScanFunction());
        var routers = new ApiRouterBuilder(settings, new ApiSettings(lx.fx.casesTable, Period.ofMonths(6),
                NoticeDeadlines.defaults()), lx.fx.clientsAs(ApiFixture.MODERATION), StructuredLog.discard(),
                Clock.systemUTC());
        List<ObjectRef> queued = new ArrayList<>();
        Router moderation = routers.moderationRouter(ScanServiceBuilder.onDemand(routers, queued::add));
        long searches = lx.rekognition.count("SearchFacesByImage");

        byte[] stored = LikenessImages.scene(ALICE, 310, 190);
        lx.labels(stored, swimwear());
        lx.fx.upload("app-a/checked.jpg", stored);
        var storedCheck = moderation.handle(new dev.sentinel.api.ApiRequest("POST /moderations", Map.of(), Map.of(),
                "{\"s3\": {\"bucket\": \"" + lx.fx.uploads + "\", \"key\": \"app-a/checked.jpg\"}}",
                new dev.sentinel.cases.Actor("app-a", List.of(Groups.UPLOADER_APP))));
        assertEquals(202, storedCheck.status(), storedCheck.body());
        assertEquals(1, queued.size());

        byte[] inline = LikenessImages.scene(ALICE, 330, 170);
        lx.labels(inline, swimwear());
        var inlineCheck = moderation.handle(new dev.sentinel.api.ApiRequest("POST /moderations", Map.of(), Map.of(),
                "{\"image\": \"" + Base64.getEncoder().encodeToString(inline) + "\"}",
                new dev.sentinel.cases.Actor("app-a", List.of(Groups.UPLOADER_APP))));
        assertEquals(201, inlineCheck.status(), inlineCheck.body());
        assertTrue(inlineCheck.body().contains("LIKENESS_NOT_CHECKED"), inlineCheck.body());
        assertTrue(inlineCheck.body().contains("\"REVIEW\""), inlineCheck.body());
        assertEquals(searches, lx.rekognition.count("SearchFacesByImage"), "only the scan function searches");
    }

    private static Reason reason(Verdict verdict, ReasonCode code) {
        return verdict.reasons().stream().filter(r -> r.code() == code).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " among " + verdict.reasons()));
    }

    /** Registrations stored in the likeness table. */
    private List<String> registrations() {
        return lx.fx.aws.clients().dynamo().scan(b -> b.tableName(lx.likenessTable)).items().stream()
                .map(item -> item.get("pk").s()).filter(pk -> pk.startsWith("registration#")).toList();
    }

    private long bankEntriesWith(String pdq) {
        return new DynamoHashBank(lx.fx.aws.clients().dynamo(), lx.fx.hashBankTable, Duration.ZERO,
                Clock.systemUTC()).entries().stream().filter(e -> e.hash().equals(pdq)).count();
    }

    /** Neither bucket holds an object, and no table item holds the photos' bytes or their hashes. */
    private void assertPhotosStoredNowhere(byte[]... photos) {
        for (String bucket : List.of(lx.fx.uploads, lx.fx.quarantine)) {
            assertEquals(0, lx.fx.aws.s3().listObjectVersions(b -> b.bucket(bucket)).versions().size(), bucket);
        }
        for (String table : List.of(lx.likenessTable, lx.fx.casesTable, lx.fx.hashBankTable, lx.fx.verdictTable)) {
            String dump = lx.fx.aws.clients().dynamo().scan(b -> b.tableName(table)).items().stream()
                    .map(item -> item.values().stream().map(AttributeValue::toString).toList().toString())
                    .reduce("", String::concat);
            for (byte[] photo : photos) {
                String base64 = Base64.getEncoder().encodeToString(photo);
                assertFalse(dump.contains(base64.substring(0, 64)), table + " holds a photo");
                assertFalse(dump.contains(ApiFixture.sha256(photo)), table + " holds a photo's hash");
            }
        }
    }
}
