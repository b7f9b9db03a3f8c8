package dev.sentinel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.cases.NoticeDeadlines;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.ObjectEvent;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.CaseTable;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.wiring.ApiRouterBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.local.iam.FunctionRoles;
import dev.sentinel.scan.S3Notifications;
import dev.sentinel.scan.ScanBatch;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * One isolated deployment for API tests: uploads and quarantine buckets, verdicts and cases tables, the
 * Rekognition stand-in answering by image content.
 * Each function's pipeline calls AWS as that function of template.yaml ({@link #pipelineAs}): what its deployed
 * role may not do fails as it would in AWS.
 */
public final class ApiFixture {

    public static final String SCAN = "ScanUploadFunction";
    public static final String MODERATION = "ModerationApiFunction";
    public static final String REVIEW = "ReviewApiFunction";
    public static final String NOTICE = "NoticeApiFunction";
    public static final String APPEAL = "AppealApiFunction";
    public static final String OPERATIONS = "OperationsApiFunction";

    public final TestAws aws = TestAws.get();
    public final RekognitionStandIn rekognition = aws.freshRekognition();
    public final String uploads = aws.newBucket("uploads", true);
    public final String quarantine = aws.newLockedBucket("quarantine");
    public final String verdictTable = aws.newVerdictTable();
    public final String hashBankTable = "bank-" + uploads;
    public final String casesTable = "cases-" + uploads;
    public final ScanSettings scanSettings = new ScanSettings(Set.of(uploads), quarantine, verdictTable,
            PolicyLoader.DEFAULT_SOURCE, ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition")
            .withHashBank(hashBankTable).withCasesTable(casesTable);
    private final Map<String, RekognitionStandIn.Reply> replies = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, RekognitionStandIn.Reply> faces = new java.util.concurrent.ConcurrentHashMap<>();
    private Clock clock = Clock.systemUTC();
    private String scanQueue;

    public ApiFixture() {
        CaseTable.createIfMissing(aws.clients().dynamo(), casesTable);
        CaseTable.createIfMissing(aws.clients().dynamo(), hashBankTable);
        rekognition.respondWith(request -> request.operation().equals("DetectFaces")
                ? faces.getOrDefault(String.valueOf(request.imageSha256()), RekognitionStandIn.faces(List.of()))
                : replies.getOrDefault(String.valueOf(request.imageSha256()),
                        RekognitionStandIn.moderationLabels(List.of())));
    }

    /** The pipeline as {@code function} builds it, calling AWS with that function's role, with the fixture's clock. */
    public ApiRouterBuilder pipelineAs(String function) {
        return pipelineAs(function, ApiSettings.Checks.DEFAULT);
    }

    /** As {@link #pipelineAs(String)}, with on-demand checks bounded by {@code checks}. */
    public ApiRouterBuilder pipelineAs(String function, ApiSettings.Checks checks) {
        return new ApiRouterBuilder(scanSettings, new ApiSettings(casesTable, Period.ofMonths(6),
                NoticeDeadlines.defaults(), checks), clientsAs(function), StructuredLog.discard(), clock);
    }

    /** The moderation function's router, its checks bounded by {@code checks}, queuing on {@link #scanQueue()}. */
    public dev.sentinel.api.Router moderationRouter(ApiSettings.Checks checks) {
        SqsClient sqs = AwsClients.sqs(Region.US_EAST_1, FunctionRoles.credentialsFor(MODERATION),
                aws.servers().sqsEndpoint());
        ApiRouterBuilder routers = pipelineAs(MODERATION, checks);
        return routers.moderationRouter(ScanServiceBuilder.onDemand(routers, ApiRouterBuilder.scanQueue(sqs,
                scanQueue())));
    }

    /** This deployment's scan queue (in ElasticMQ, made on first use), as the moderation function is told it. */
    public synchronized String scanQueue() {
        if (scanQueue == null) {
            scanQueue = unrestrictedSqs().createQueue(b -> b.queueName("scan-" + uploads)).queueUrl();
            Map<String, String> environment = new HashMap<>(TestAws.environmentOf(scanSettings));
            environment.put("SCAN_QUEUE_URL", scanQueue);
            aws.asFunction(MODERATION, environment);
        }
        return scanQueue;
    }

    /**
     * The scan function taking everything on {@link #scanQueue()} as Lambda's SQS integration would hand it over,
     * batch by batch, until the queue is empty; the messages of batches that fully succeed are deleted.
     */
    public List<ScanBatch.Report> runScanFunctionOnTheQueue() {
        SqsClient sqs = unrestrictedSqs();
        ScanBatch scanFunction = ScanServiceBuilder.of(scanSettings, clientsAs(SCAN), StructuredLog.discard(), clock)
                .batch();
        List<ScanBatch.Report> reports = new java.util.ArrayList<>();
        for (List<Message> batch = receive(sqs, scanQueue()); !batch.isEmpty(); batch = receive(sqs, scanQueue())) {
            ScanBatch.Report report = scanFunction.run(S3Notifications.parse(sqsEvent(batch)));
            reports.add(report);
            if (report.failedIds().isEmpty()) {
                batch.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(scanQueue()).receiptHandle(m.receiptHandle())));
            }
        }
        return reports;
    }

    public static List<Message> receive(SqsClient sqs, String queue) {
        return sqs.receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(0)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
    }

    /** The event Lambda's SQS integration would build for these messages. */
    public static JsonNode sqsEvent(List<Message> messages) {
        ObjectNode event = Json.mapper().createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message m : messages) {
            ObjectNode record = records.addObject();
            record.put("messageId", m.messageId());
            record.put("body", m.body());
            record.put("eventSource", "aws:sqs");
            record.putObject("attributes").put("ApproximateReceiveCount",
                    m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1"));
        }
        return event;
    }

    private SqsClient unrestrictedSqs() {
        return AwsClients.sqs(Region.US_EAST_1, StaticCredentialsProvider.create(AwsBasicCredentials.create("test",
                "test")), aws.servers().sqsEndpoint());
    }

    /** The SDK clients of {@code function} over this fixture's buckets and tables. */
    public dev.sentinel.aws.AwsClients clientsAs(String function) {
        return aws.asFunction(function, TestAws.environmentOf(scanSettings));
    }

    /** From now on the pipeline's clock stands at {@code instant}. */
    public void clockAt(Instant instant) {
        clock = Clock.fixed(instant, ZoneOffset.UTC);
    }

    /** Rekognition will report these labels for these exact bytes. */
    public void labels(byte[] content, RekognitionStandIn.Label... labels) {
        replies.put(sha256(content), RekognitionStandIn.moderationLabels(List.of(labels)));
    }

    /** Rekognition will report these labels for these exact bytes, but only after {@code delay}. */
    public void labelsAfter(java.time.Duration delay, byte[] content, RekognitionStandIn.Label... labels) {
        replies.put(sha256(content), RekognitionStandIn.delayed(RekognitionStandIn.moderationLabels(List.of(labels)),
                delay.toMillis()));
    }

    /** DetectFaces will report faces with these [low, high] age ranges for these exact bytes. */
    public void faces(byte[] content, int[]... ageRanges) {
        faces.put(sha256(content), RekognitionStandIn.faces(List.of(ageRanges)));
    }

    /** DetectFaces will answer {@code reply} for these exact bytes (e.g. the faces drawn into them). */
    public void detectFaces(byte[] content, RekognitionStandIn.Reply reply) {
        faces.put(sha256(content), reply);
    }

    public PutObjectResponse upload(String key, byte[] bytes) {
        return aws.put(uploads, key, bytes);
    }

    /** Uploads and scans as the scan function would, returning the verdict. */
    public Verdict uploadAndScan(String key, byte[] bytes, RekognitionStandIn.Label... labels) {
        labels(bytes, labels);
        PutObjectResponse put = upload(key, bytes);
        ScanOutcome outcome = ScanServiceBuilder.of(scanSettings, clientsAs(SCAN), StructuredLog.discard(), clock)
                .service()
                .scan(new ObjectEvent(new ObjectRef(uploads, key, put.versionId()), put.eTag().replace("\"", ""),
                        (long) bytes.length, "ObjectCreated:Put", Instant.now()));
        if (outcome instanceof ScanOutcome.Decided decided) {
            return decided.verdict();
        }
        throw new IllegalStateException("scan did not decide: " + outcome);
    }

    public static RekognitionStandIn.Label explicit(double confidence) {
        return new RekognitionStandIn.Label("Explicit", "", 1, confidence);
    }

    public static RekognitionStandIn.Label partialNudity(double confidence) {
        return new RekognitionStandIn.Label("Non-Explicit Nudity", "Non-Explicit Nudity of Intimate parts and Kissing",
                2, confidence);
    }

    /**
     * A sample event from {@code events/}, as it is. Tests build HTTP API requests with {@link HttpApiEvent}, from
     * the deployed routes; {@link HttpApiEventTest} keeps the API samples equal to what it builds.
     */
    public static ObjectNode sample(String name) {
        Path file = Path.of(System.getProperty("sentinel.repo", "../..")).resolve("events").resolve(name);
        try {
            return (ObjectNode) Json.mapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("sample event " + file, e);
        }
    }

    /** What a handler answered: status, and the body parsed as JSON. */
    public record Answer(int status, String contentType, JsonNode body) { }

    public interface StreamHandler {
        void handle(java.io.InputStream in, java.io.OutputStream out) throws IOException;
    }

    public static Answer call(StreamHandler handler, JsonNode event) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handle(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)), out);
            JsonNode response = Json.mapper().readTree(out.toByteArray());
            return new Answer(response.path("statusCode").asInt(), response.at("/headers/content-type").asText(),
                    Json.mapper().readTree(response.path("body").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
