package dev.sentinel.scan;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.testing.TestAws;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * One isolated scan pipeline per test: fresh uploads and quarantine buckets (versioned, as in template.yaml), a
 * fresh verdict table, the real adapters, and the Rekognition stand-in answering by image content. The pipeline calls
 * AWS as the template's scan function ({@link #scanner}): what its role may not do fails as it would in AWS.
 */
final class ScanFixture {

    static final String FUNCTION = "ScanUploadFunction";

    final TestAws aws;
    /** The scan function's clients: every call judged by its deployed role. Set-up and checks use {@code aws}. */
    final dev.sentinel.aws.AwsClients scanner;
    final RekognitionStandIn rekognition;
    final String uploads;
    final String quarantineBucket;
    final String table;
    final Policy policy = new PolicyLoader().load(PolicyLoader.DEFAULT_SOURCE);
    /** For checking and setting up verdicts; the pipeline uses {@link #scanVerdicts}. */
    final VerdictStore verdicts;
    /** The verdict store as the scan function reaches it. */
    final VerdictStore scanVerdicts;
    final ScanSettings settings;
    private final Map<String, RekognitionStandIn.Reply> repliesByContent = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, RekognitionStandIn.Reply> facesByContent = new java.util.concurrent.ConcurrentHashMap<>();

    ScanFixture() {
        this(TestAws.get(), ScanSettings.Retry.DEFAULT);
    }

    /** A pipeline over the given servers, with its own claim and retry settings. */
    ScanFixture(TestAws aws, ScanSettings.Retry retry) {
        this.aws = aws;
        this.rekognition = aws.freshRekognition();
        this.uploads = aws.newBucket("uploads", true);
        this.quarantineBucket = aws.newLockedBucket("quarantine");
        this.table = aws.newVerdictTable();
        this.settings = new ScanSettings(Set.of(uploads), quarantineBucket, table, PolicyLoader.DEFAULT_SOURCE,
                ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition").withRetry(retry);
        this.scanner = aws.asFunction(FUNCTION, TestAws.environmentOf(settings));
        this.verdicts = new DynamoVerdictStore(aws.clients().dynamo(), table);
        this.scanVerdicts = new DynamoVerdictStore(scanner.dynamo(), table);
        rekognition.respondWith(request -> request.operation().equals("DetectFaces")
                ? facesByContent.getOrDefault(String.valueOf(request.imageSha256()), RekognitionStandIn.faces(List.of()))
                : repliesByContent.getOrDefault(String.valueOf(request.imageSha256()),
                        RekognitionStandIn.moderationLabels(List.of())));
    }

    ObjectStore objects() {
        return new S3ObjectStore(scanner.s3());
    }

    /** The scan function's clients, with more of its environment (a cases table, a hash bank) bound. */
    dev.sentinel.aws.AwsClients scanner(Map<String, String> moreEnvironment) {
        return as(FUNCTION, moreEnvironment);
    }

    /** Another function's clients over this fixture's buckets and table, plus more of its environment. */
    dev.sentinel.aws.AwsClients as(String function, Map<String, String> moreEnvironment) {
        Map<String, String> environment = new java.util.HashMap<>(TestAws.environmentOf(settings));
        environment.putAll(moreEnvironment);
        return aws.asFunction(function, environment);
    }

    ModerationEngine engine() {
        return Engines.rekognition(scanner.rekognition(), policy, true);
    }

    ScanService service() {
        return service(objects());
    }

    ScanService service(ObjectStore objects) {
        return service(objects, engine());
    }

    ScanService service(ModerationEngine engine) {
        return service(objects(), engine);
    }

    ScanService service(ObjectStore objects, ModerationEngine engine) {
        return new ScanService(objects, scanVerdicts, engine, policy, new Quarantine(objects, quarantineBucket),
                settings, Clock.systemUTC(), StructuredLog.discard());
    }

    ScanService service(dev.sentinel.hash.HashMatching matching) {
        return service(ScanExtensions.none().withMatching(matching));
    }

    ScanService service(ScanExtensions extensions) {
        return service(extensions, Metrics.none());
    }

    /** The pipeline recording its metrics into {@code metrics}. */
    ScanService service(ScanExtensions extensions, Metrics metrics) {
        ObjectStore objects = objects();
        return new ScanService(objects, scanVerdicts, engine(), policy, new Quarantine(objects, quarantineBucket),
                settings, Clock.systemUTC(), StructuredLog.discard(), extensions, metrics);
    }

    /** DetectFaces will report faces with these [low, high] age ranges for these exact bytes. */
    void faces(byte[] content, int[]... ageRanges) {
        facesByContent.put(sha256(content), RekognitionStandIn.faces(List.of(ageRanges)));
    }

    /** The stand-in will report these labels for these exact bytes, however they are sent. */
    void labels(byte[] content, RekognitionStandIn.Label... labels) {
        repliesByContent.put(sha256(content), RekognitionStandIn.moderationLabels(List.of(labels)));
    }

    void reply(byte[] content, RekognitionStandIn.Reply reply) {
        repliesByContent.put(sha256(content), reply);
    }

    /** Uploads the bytes and returns the notification S3 would send for them. */
    ObjectEvent upload(String key, byte[] bytes) {
        PutObjectResponse put = aws.put(uploads, key, bytes);
        return event(key, put, bytes.length);
    }

    ObjectEvent upload(String key, byte[] bytes, Map<String, String> tags) {
        PutObjectResponse put = aws.put(uploads, key, bytes, tags);
        return event(key, put, bytes.length);
    }

    ObjectEvent event(String key, PutObjectResponse put, long size) {
        return new ObjectEvent(new ObjectRef(uploads, key, put.versionId()), put.eTag().replace("\"", ""), size,
                "ObjectCreated:Put", Instant.now());
    }

    static RekognitionStandIn.Label explicit(double confidence) {
        return new RekognitionStandIn.Label("Explicit", "", 1, confidence);
    }

    static RekognitionStandIn.Label explicitNudity(double confidence) {
        return new RekognitionStandIn.Label("Explicit Nudity", "Explicit", 2, confidence);
    }

    static RekognitionStandIn.Label partialNudity(double confidence) {
        return new RekognitionStandIn.Label("Non-Explicit Nudity", "Non-Explicit Nudity of Intimate parts and Kissing",
                2, confidence);
    }

    static RekognitionStandIn.Label swimwear(double confidence) {
        return new RekognitionStandIn.Label("Female Swimwear or Underwear", "Swimwear or Underwear", 2, confidence);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
