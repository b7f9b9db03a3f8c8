package dev.sentinel.functions.likeness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.api.Groups;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.likeness.registry.LikenessRegistry;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.aws.SnsStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.scan.ObjectEvent;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.CaseTable;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.wiring.LikenessWiring;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * One deployment with likeness protection on: the API fixture's buckets and tables, a face collection, a likeness
 * table and an alerts topic; the scan function and the likeness function each calling AWS with their own role.
 * The stand-in answers DetectFaces from the faces drawn into each image, and moderation labels as a test sets them.
 */
final class LikenessFixture {

    static final String LIKENESS = "LikenessApiFunction";
    static final int[] ADULT = {25, 33};

    final ApiFixture fx = new ApiFixture();
    final RekognitionStandIn rekognition = fx.rekognition;
    final SnsStandIn sns = fx.aws.servers().sns();
    final String collection = "faces-" + fx.uploads;
    final String likenessTable = "likeness-" + fx.uploads;
    final String topic = "arn:aws:sns:us-east-1:000000000000:alerts-" + fx.uploads;
    /** Alice's contact, unique to this fixture: the SNS stand-in records deliveries per endpoint across tests. */
    final String contact = "alice+" + fx.uploads + "@example.org";
    final LikenessSettings settings;
    final ScanSettings scanSettings;
    private final Map<String, RekognitionStandIn.Reply> labels = new ConcurrentHashMap<>();
    private final Map<String, int[]> ages = new ConcurrentHashMap<>();
    private Clock clock = Clock.systemUTC();

    LikenessFixture() {
        this(LikenessSettings.DEFAULT_ENROLMENTS_PER_DAY);
    }

    LikenessFixture(int enrolmentsPerDay) {
        LikenessSettings defaults = LikenessSettings.of(collection, likenessTable, topic);
        settings = new LikenessSettings(collection, likenessTable, defaults.matchThreshold(),
                defaults.maxFacesSearched(), topic, defaults.term(), enrolmentsPerDay);
        scanSettings = fx.scanSettings.withLikeness(settings);
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), likenessTable);
        fx.aws.clients().rekognition().createCollection(b -> b.collectionId(collection));
        rekognition.respondWith(request -> {
            String sha = String.valueOf(request.imageSha256());
            if (request.operation().equals("DetectFaces")) {
                int[] range = ages.getOrDefault(sha, ADULT);
                return RekognitionStandIn.markedFaces(request.imageBytes(), range[0], range[1]);
            }
            return labels.getOrDefault(sha, RekognitionStandIn.moderationLabels(List.of()));
        });
    }

    void clockAt(Instant instant) {
        clock = Clock.fixed(instant, ZoneOffset.UTC);
        fx.clockAt(instant);
    }

    /** The scan function's clients, as the template configures it. */
    AwsClients scanClients() {
        return fx.aws.asFunction(ApiFixture.SCAN, TestAws.environmentOf(scanSettings));
    }

    /** The likeness function's clients, with its environment from the template. */
    AwsClients likenessClients() {
        Map<String, String> env = new HashMap<>();
        env.put("VERDICTS_TABLE", fx.verdictTable);
        env.put("HASH_BANK_TABLE", fx.hashBankTable);
        env.put("CASES_TABLE", fx.casesTable);
        env.put("LIKENESS_COLLECTION", collection);
        env.put("LIKENESS_TABLE", likenessTable);
        env.put("LIKENESS_ALERTS_TOPIC", topic);
        return fx.aws.asFunction(LIKENESS, env);
    }

    LikenessRegistry registry() {
        return LikenessWiring.registry(settings, likenessClients(), fx.hashBankTable, fx.casesTable, clock);
    }

    /** The likeness function as Lambda runs it, over this deployment. */
    LikenessApiHandler handler() {
        LikenessRegistry registry = registry();
        return new LikenessApiHandler(LikenessWiring.router(registry, settings, likenessClients(), fx.verdictTable,
                fx.casesTable, StructuredLog.discard(), clock), registry::expireDue);
    }

    /** Answers a request as the likeness function, called by {@code subject} in {@code groups}. */
    ApiFixture.Answer call(HttpApiEvent event, String subject, String... groups) {
        LikenessApiHandler handler = handler();
        return ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), event.by(subject, groups).json());
    }

    /** Enrols through the API as a registrar, returning the answer. */
    ApiFixture.Answer enrol(List<byte[]> photos) {
        return enrol(photos, contact);
    }

    /** Enrols through the API as a registrar with this contact channel. */
    ApiFixture.Answer enrol(List<byte[]> photos, String contactChannel) {
        Map<String, Object> body = enrolment(photos, "REPRESENTATIVE");
        body.put("contact", contactChannel);
        return call(HttpApiEvent.of("POST /likeness/registrations").body(body), "registrar-1",
                Groups.LIKENESS_REGISTRAR);
    }

    /** The stand-in's subscriptions to this fixture's alerts topic. */
    List<SnsStandIn.Subscription> subscriptions() {
        return sns.subscriptions().stream().filter(s -> s.topicArn().equals(topic)).toList();
    }

    /** What reached {@code endpoint} from this fixture's alerts topic. */
    List<SnsStandIn.Published> deliveredTo(String endpoint) {
        return sns.deliveredTo(endpoint).stream().filter(p -> p.topicArn().equals(topic)).toList();
    }

    Map<String, Object> enrolment(List<byte[]> photos, String onBehalfOf) {
        Map<String, Object> consent = new LinkedHashMap<>();
        consent.put("consentedBy", "Alice Example (verified in person, case 1234)");
        consent.put("onBehalfOf", onBehalfOf);
        consent.put("scope", "likeness-protection");
        consent.put("noticeVersion", "likeness-notice-2026-11");
        consent.put("consentedAt", clock.instant().minusSeconds(60).toString());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("photos", photos.stream().map(p -> Base64.getEncoder().encodeToString(p)).toList());
        body.put("consent", consent);
        body.put("contact", contact);
        return body;
    }

    /** Rekognition will report these labels for these exact bytes. */
    void labels(byte[] content, RekognitionStandIn.Label... found) {
        labels.put(ApiFixture.sha256(content), RekognitionStandIn.moderationLabels(List.of(found)));
    }

    /** DetectFaces will estimate this age range for every face in these bytes. */
    void ages(byte[] content, int low, int high) {
        ages.put(ApiFixture.sha256(content), new int[] {low, high});
    }

    /** Uploads and scans as the scan function would (a fresh pipeline: the hash bank as loaded now). */
    ScanOutcome scan(String key, byte[] bytes, RekognitionStandIn.Label... found) {
        labels(bytes, found);
        PutObjectResponse put = fx.upload(key, bytes);
        return ScanServiceBuilder.of(scanSettings, scanClients(), StructuredLog.discard(), clock).service()
                .scan(new ObjectEvent(new ObjectRef(fx.uploads, key, put.versionId()), ETag.unquoted(put.eTag()),
                        (long) bytes.length, "ObjectCreated:Put", Instant.now()));
    }

    Verdict scanned(String key, byte[] bytes, RekognitionStandIn.Label... found) {
        ScanOutcome outcome = scan(key, bytes, found);
        if (outcome instanceof ScanOutcome.Decided decided) {
            return decided.verdict();
        }
        throw new IllegalStateException("scan did not decide: " + outcome);
    }

    static RekognitionStandIn.Label swimwear() {
        return new RekognitionStandIn.Label("Swimwear or Underwear", "", 1, 92);
    }

    static String text(JsonNode node) {
        return node.toString();
    }
}
