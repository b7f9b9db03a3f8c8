package dev.sentinel.functions.operations;

import static dev.sentinel.testing.ApiFixture.explicit;
import static dev.sentinel.testing.ApiFixture.partialNudity;
import static dev.sentinel.testing.ApiFixture.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.scan.S3Notifications;
import dev.sentinel.scan.ScanBatch;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.Answer;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.wiring.ApiRouterBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The operations routes against ElasticMQ (a real SQS-protocol server) and the local S3 and DynamoDB servers: a
 * prefix rescan goes through the scan queue and re-decides under a changed policy; a redrive moves the
 * dead-letter queue back with an SQS message move task.
 */
class OperationsApiHandlerTest {

    private static int queues;

    private final ApiFixture fx = new ApiFixture();
    private final SqsClient sqs = AwsClients.sqs(Region.US_EAST_1,
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
            fx.aws.servers().sqsEndpoint());
    private final String deadLetters;
    private final String scanQueue;
    private final OperationsApiHandler handler;
    private final dev.sentinel.testing.PrintedMetrics printed = new dev.sentinel.testing.PrintedMetrics();

    OperationsApiHandlerTest() {
        int n = nextQueue();
        deadLetters = sqs.createQueue(b -> b.queueName("scan-dlq-" + n)).queueUrl();
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(deadLetters).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        scanQueue = sqs.createQueue(b -> b.queueName("scan-" + n).attributesWithStrings(Map.of(
                "RedrivePolicy", "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"2\"}"))).queueUrl();
        // The function's own clients: the template's role for it decides what each of its calls may do.
        Map<String, String> environment = new HashMap<>(TestAws.environmentOf(fx.scanSettings));
        environment.put("SCAN_QUEUE_URL", scanQueue);
        environment.put("SCAN_DEAD_LETTER_QUEUE_URL", deadLetters);
        AwsClients operations = fx.aws.asFunction(ApiFixture.OPERATIONS, environment);
        SqsClient operationsSqs = AwsClients.sqs(Region.US_EAST_1,
                dev.sentinel.local.iam.FunctionRoles.credentialsFor(ApiFixture.OPERATIONS),
                fx.aws.servers().sqsEndpoint());
        handler = new OperationsApiHandler(ApiRouterBuilder.operationsRouter(fx.scanSettings, operations, operationsSqs,
                scanQueue, deadLetters, StructuredLog.discard()), () -> new dev.sentinel.queue.QueueDepths(
                operationsSqs, scanQueue, deadLetters, printed.metrics("operations-api")).check());
    }

    private static synchronized int nextQueue() {
        return ++queues;
    }

    @Test
    void aScheduledEventReportsTheDepthOfTheScanQueueAndTheDeadLetterQueue() throws IOException {
        sqs.sendMessage(b -> b.queueUrl(deadLetters).messageBody("{\"Records\":[]}"));
        sqs.sendMessage(b -> b.queueUrl(deadLetters).messageBody("{\"Records\":[]}"));
        sqs.sendMessage(b -> b.queueUrl(scanQueue).messageBody("{\"Records\":[]}"));

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        handler.handleRequest(java.nio.file.Files.newInputStream(java.nio.file.Path.of(
                "../../events/schedule-queue-depths.json")), out, null);

        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("done"), out.toString());
        assertEquals(2, printed.total("DeadLetterDepth", Map.of()), printed.text());
        assertEquals(1, printed.total("ScanQueueDepth", Map.of()), printed.text());
    }

    @Test
    void prefixRescanGoesThroughTheScanQueueAndTightensUnderTheNewPolicy(@TempDir Path dir) throws IOException {
        byte[] partial = TestAws.photo("reg-test-input_labelme-subset_q0122.jpg");
        byte[] nude = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        byte[] street = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        Verdict held = fx.uploadAndScan("batch/partial.jpg", partial, partialNudity(85));
        assertEquals("HELD", held.placement().state().name());
        fx.uploadAndScan("batch/nude.jpg", nude, explicit(97));
        fx.uploadAndScan("batch/street.jpg", street);
        fx.uploadAndScan("other/partial.jpg", partial, partialNudity(85));

        int enqueued = 0;
        String cursor = null;
        int calls = 0;
        do {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("bucket", fx.uploads);
            body.put("prefix", "batch/");
            body.put("limit", 2);
            body.put("cursor", cursor);
            Answer answer = call(rescan(body));
            assertEquals(202, answer.status(), answer.body() + " for cursor " + cursor);
            enqueued += answer.body().path("enqueued").asInt();
            cursor = answer.body().path("complete").asBoolean() ? null : answer.body().path("nextCursor").asText();
            calls++;
        } while (cursor != null && calls < 10);
        assertEquals(3, enqueued, "two uploads still in the bucket and one quarantine copy under batch/");

        // The scan function, now running a policy that quarantines partial nudity, takes the requests off the queue.
        Path policy = dir.resolve("stricter.json");
        String document = new String(ScanServiceBuilder.class.getResourceAsStream("/policies/default-v7.json")
                .readAllBytes(), StandardCharsets.UTF_8)
                .replace("\"policyVersion\": \"default-v7/2026-11-24\"", "\"policyVersion\": \"default-v7/2026-12-02\"")
                .replace("{ \"label\": \"Non-Explicit Nudity\", \"minConfidence\": 70, \"action\": \"REVIEW\"",
                        "{ \"label\": \"Non-Explicit Nudity\", \"minConfidence\": 70, \"action\": \"QUARANTINE\"");
        Files.writeString(policy, document);
        ScanSettings s = fx.scanSettings;
        ScanSettings stricter = new ScanSettings(s.uploadBuckets(), s.quarantineBucket(), s.verdictTable(),
                "file:" + policy, s.maxObjectBytes(), s.engine(), s.cascadeEscalateAt(), s.hashBankTable(),
                s.safety(), s.casesTable(), s.retry());
        ScanBatch scanFunction = new ScanBatch(ScanServiceBuilder.of(stricter, fx.clientsAs(ApiFixture.SCAN),
                StructuredLog.discard(), Clock.systemUTC()).service(), StructuredLog.discard());
        Map<String, String> changes = new HashMap<>();
        for (List<Message> batch = receive(scanQueue); !batch.isEmpty(); batch = receive(scanQueue)) {
            ScanBatch.Report report = scanFunction.run(S3Notifications.parse(ApiFixture.sqsEvent(batch)));
            assertTrue(report.failedIds().isEmpty(), report.toString());
            for (ScanBatch.DeliveryResult result : report.deliveries()) {
                for (ScanOutcome outcome : result.outcomes()) {
                    if (outcome instanceof ScanOutcome.Rescanned rescanned) {
                        changes.put(rescanned.verdict().object().key(), rescanned.change());
                    }
                }
            }
            batch.forEach(m -> sqs.deleteMessage(b -> b.queueUrl(scanQueue).receiptHandle(m.receiptHandle())));
        }
        assertEquals(Map.of("batch/partial.jpg", "stricter", "batch/nude.jpg", "unchanged",
                "batch/street.jpg", "unchanged"), changes);
        Verdict now = new DynamoVerdictStore(fx.aws.clients().dynamo(), fx.verdictTable).find(held.verdictId())
                .orElseThrow();
        assertEquals("QUARANTINED", now.placement().state().name());
        assertEquals("default-v7/2026-12-02", now.policyVersion());
    }

    @Test
    void redriveMovesTheDeadLetterQueueBackAndReportsProgress() throws InterruptedException {
        HttpApiEvent redrive = HttpApiEvent.of("POST /admin/redrives").by("ops-1", "admin")
                .body(Map.of("maxPerSecond", 20));
        Answer empty = call(redrive);
        assertEquals(409, empty.status(), "nothing to redrive yet");
        for (int i = 0; i < 3; i++) {
            String body = sample("sqs-s3-put-jpeg.json").at("/Records/0/body").asText();
            sqs.sendMessage(b -> b.queueUrl(deadLetters).messageBody(body));
        }

        Answer started = call(redrive);
        assertEquals(202, started.status(), started.body().toString());
        assertEquals(3, started.body().path("depth").asInt());
        JsonNode task = null;
        for (int i = 0; i < 50; i++) {
            Answer progress = call(HttpApiEvent.of("GET /admin/redrives").by("ops-1", "admin"));
            assertEquals(200, progress.status());
            task = progress.body().path("tasks").path(0);
            if (!task.path("status").asText("RUNNING").equals("RUNNING")) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("COMPLETED", task.path("status").asText(), String.valueOf(task));
        assertEquals(3, task.path("moved").asInt());
        List<Message> back = new ArrayList<>();
        for (int i = 0; i < 5 && back.size() < 3; i++) {
            back.addAll(receive(scanQueue));
        }
        assertEquals(3, back.size(), "every dead letter is back on the scan queue");
    }

    @Test
    void onlyAdminsOperateAndInputsAreChecked() {
        for (String route : List.of("POST /admin/rescans", "POST /admin/redrives", "GET /admin/redrives")) {
            assertEquals(403, call(HttpApiEvent.of(route).by("rev-1", "reviewer").body("{}")).status(), route);
        }
        Map<String, Object> foreign = Map.of("bucket", "someone-elses-bucket", "prefix", "x/");
        assertEquals(400, call(rescan(foreign)).status());
        Map<String, Object> badCursor = Map.of("bucket", fx.uploads, "cursor", "nonsense");
        assertEquals(400, call(rescan(badCursor)).status());
        Map<String, Object> badLimit = Map.of("bucket", fx.uploads, "limit", 0);
        assertEquals(400, call(rescan(badLimit)).status());
        assertEquals(400, call(rescan("{not json")).status());
    }

    private static HttpApiEvent rescan(Object body) {
        return HttpApiEvent.of("POST /admin/rescans").by("ops-1", "admin").body(body);
    }

    private Answer call(HttpApiEvent event) {
        return ApiFixture.call((in, out) -> handler.handleRequest(in, out, null), event.json());
    }

    private List<Message> receive(String queue) {
        return ApiFixture.receive(sqs, queue);
    }
}
