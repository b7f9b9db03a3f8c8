package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.local.emulator.EmulatedStack;
import dev.sentinel.local.emulator.Emulator;
import dev.sentinel.local.emulator.EmulatorClients;
import dev.sentinel.local.emulator.SqsEventSource;
import dev.sentinel.policy.Action;
import dev.sentinel.verdict.Verdict;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The scan pipeline through the resources template.yaml creates in an AWS emulator, over real HTTP: uploads made as an
 * application makes them, the emulator's own S3 notifications on the scan queue, the queue polled as the template's
 * event source mapping says, the real scan handler invoked with the event Lambda builds, verdicts in the template's
 * table and tags and copies in its buckets. The engine is the embedded one (no emulator has Rekognition).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmulatorPipelineTest {

    private static Emulator emulator;
    private static EmulatorClients clients;
    private static EmulatedStack stack;
    private static EmulatedScanFunction function;
    private static String uploads;
    private static String quarantine;
    /** Every message the function was given, by message id, as it was received the last time. */
    private static final Map<String, SqsEventSource.Received> RECEIVED = new ConcurrentHashMap<>();

    @BeforeAll
    static void deploy() {
        emulator = EmulatorTests.start(EmulatorPipelineTest.class);
        clients = EmulatorClients.of(emulator);
        stack = EmulatorTests.deploy(emulator, clients, Map.of("ModerationEngine", "embedded"));
        function = EmulatorTests.embeddedFunction(stack, invocation -> invocation.batch().forEach(m ->
                RECEIVED.put(m.messageId(), m)));
        uploads = function.settings().uploadBuckets().iterator().next();
        quarantine = function.settings().quarantineBucket();
    }

    @AfterAll
    static void stop() {
        EmulatorTests.closeAll(function, clients, emulator);
    }

    @Test
    @Order(1)
    void s3sTestEventIsAcknowledgedAndDecidesNothing() throws Exception {
        assertTrue(function.source().awaitIdle(Duration.ofSeconds(30)), "the test event is consumed");
        List<SqsEventSource.Invocation> withTestEvent = function.source().invocations().stream()
                .filter(i -> i.batch().stream().anyMatch(m -> m.body().contains("\"s3:TestEvent\""))).toList();
        assertFalse(withTestEvent.isEmpty(), "S3 sends an s3:TestEvent when the notification is configured: "
                + function.source().invocations());
        // SQS may deliver a message twice; each delivery of the test event is acknowledged.
        withTestEvent.forEach(i -> assertEquals(Set.of(), i.failed(), "acknowledged, so deleted, not retried"));
        assertEquals(0, clients.dynamo().scan(b -> b.tableName(function.settings().verdictTable())).count(),
                "no verdict, no claim");
    }

    @Test
    @Order(2)
    void putMultipartAndCopyUploadsEachGetTheirOwnVerdict() throws Exception {
        String put = "users/put/bridge.jpg";
        String putVersion = clients.s3().putObject(b -> b.bucket(uploads).key(put).contentType("image/jpeg"),
                RequestBody.fromBytes(EmulatorTests.sample("bridge-512.jpg"))).versionId();
        Verdict putVerdict = verdict(put, putVersion);

        // Parts of at least 5 MiB but the last, as S3 requires: a noise image that PNG cannot shrink.
        String multipart = "users/multipart/noise.png";
        byte[] big = noisePng(1400, 1400);
        String uploadId = clients.s3().createMultipartUpload(b -> b.bucket(uploads).key(multipart)
                .contentType("image/png")).uploadId();
        int cut = 5 * 1024 * 1024;
        List<CompletedPart> parts = new ArrayList<>();
        for (int part = 1, from = 0; from < big.length; part++, from += cut) {
            int number = part;
            byte[] slice = java.util.Arrays.copyOfRange(big, from, Math.min(big.length, from + cut));
            String eTag = clients.s3().uploadPart(b -> b.bucket(uploads).key(multipart).uploadId(uploadId)
                    .partNumber(number), RequestBody.fromBytes(slice)).eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
        }
        assertTrue(parts.size() >= 2, "a multipart upload of " + parts.size() + " parts");
        String multipartVersion = clients.s3().completeMultipartUpload(b -> b.bucket(uploads).key(multipart)
                .uploadId(uploadId).multipartUpload(m -> m.parts(parts))).versionId();
        Verdict multipartVerdict = verdict(multipart, multipartVersion);
        assertEquals(big.length, multipartVerdict.object().size());

        // A copy of an approved upload carries its tags: the pipeline must not take that approval as earned.
        String copy = "users/copy/bridge.jpg";
        String copyVersion = clients.s3().copyObject(b -> b.sourceBucket(uploads).sourceKey(put)
                .sourceVersionId(putVersion).destinationBucket(uploads).destinationKey(copy)).versionId();
        Verdict copyVerdict = verdict(copy, copyVersion);

        assertEquals(List.of("ObjectCreated:Put"), eventNamesOf(put));
        assertEquals(List.of("ObjectCreated:Copy"), eventNamesOf(copy));
        // S3 sends CompleteMultipartUpload alone; moto 5.2.1 first sends a Put as well: one more duplicate.
        List<String> multipartEvents = eventNamesOf(multipart);
        System.out.println("Notifications of one multipart upload: " + multipartEvents);
        assertTrue(multipartEvents.contains("ObjectCreated:CompleteMultipartUpload"), multipartEvents.toString());
        assertEquals(putVerdict.object().sha256(), copyVerdict.object().sha256(), "the copy's bytes were judged");
        for (Verdict v : List.of(putVerdict, multipartVerdict, copyVerdict)) {
            assertEquals(1, function.verdicts().historyOf(uploads, v.object().key()).size(), v.object().key());
            assertGated(v);
        }
    }

    @Test
    @Order(3)
    void keysWithSpacesPlusSignsAndUnicodeArriveEncodedAsS3EncodesThemAndAreJudgedUnderTheirOwnNames()
            throws Exception {
        List<String> keys = List.of("users/a b+c.jpg", "users/renée/фото 1.jpg", "users/100% real+fake.jpg",
                "users/wave 🌊/x.jpg");
        Map<String, String> versions = new LinkedHashMap<>();
        for (String key : keys) {
            versions.put(key, upload(key, "wee.jpg"));
        }
        for (String key : keys) {
            Verdict v = verdict(key, versions.get(key));
            assertEquals(key, v.object().key());
            assertGated(v);
            String raw = rawKeyIn(notificationOf(key));
            assertFalse(raw.contains(" "), "a space travels as +: " + raw);
            assertEquals(key.contains("+"), raw.contains("%2B"), "a plus sign travels as %2B: " + raw);
            assertEquals(key, URLDecoder.decode(raw, StandardCharsets.UTF_8));
        }
    }

    @Test
    @Order(4)
    void anOverwriteKeepsBothVersionsEachWithItsOwnVerdict() throws Exception {
        String key = "users/overwritten.jpg";
        String first = upload(key, "wee.jpg");
        Verdict firstVerdict = verdict(key, first);
        String second = upload(key, "street-q0003.jpg");
        Verdict secondVerdict = verdict(key, second);

        Set<String> stored = new HashSet<>();
        clients.s3().listObjectVersionsPaginator(b -> b.bucket(uploads).prefix(key)).versions()
                .forEach(v -> stored.add(v.versionId()));
        assertEquals(Set.of(first, second), stored);
        assertEquals(2, function.verdicts().historyOf(uploads, key).size());
        assertNotEquals(firstVerdict.verdictId(), secondVerdict.verdictId());
        assertNotEquals(firstVerdict.object().sha256(), secondVerdict.object().sha256());
        assertGated(firstVerdict);
        assertGated(secondVerdict);
        boolean namesVersion = notificationOf(key).path("Records").path(0).path("s3").path("object").has("versionId");
        System.out.println("The emulator's notifications name the object version: " + namesVersion
                + (namesVersion ? "" : " (S3's do; without it, each version is judged only if its notification is "
                + "handled before the next upload, as here)"));
    }

    @Test
    @Order(5)
    void aPoisonMessageReachesTheDeadLetterQueueAfterTheConfiguredReceives() throws Exception {
        JsonNode redrive = redrivePolicy();
        int maxReceives = redrive.path("maxReceiveCount").asInt();
        String body = poison("users/poison-1.jpg");
        String id = clients.sqs().sendMessage(b -> b.queueUrl(scanQueue()).messageBody(body)).messageId();

        Optional<Message> dead = EmulatorTests.await(() -> deadLetters().stream()
                .filter(m -> m.messageId().equals(id)).findFirst().orElse(null), Duration.ofSeconds(60));
        assertTrue(dead.isPresent(), "the poison message reached the dead-letter queue");
        assertEquals(body, dead.get().body(), "unchanged");
        List<Integer> receives = function.source().invocations().stream().flatMap(i -> i.batch().stream()
                .filter(m -> m.messageId().equals(id)).map(m -> {
                    assertTrue(i.failed().contains(id), "every delivery of it failed");
                    return m.receiveCount();
                })).distinct().sorted().toList();
        List<Integer> expected = new ArrayList<>();
        for (int n = 1; n <= maxReceives; n++) {
            expected.add(n);
        }
        // Each receive count once: a standard queue may hand one receive to two pollers, which is a duplicate.
        assertEquals(expected, receives, "delivered maxReceiveCount times, counted by the queue");
    }

    @Test
    @Order(6)
    void aDuplicateDeliveryFindsTheVerdictAndMakesNoOther() throws Exception {
        String key = "users/duplicated.jpg";
        String version = upload(key, "street-q0291.jpg");
        Verdict first = verdict(key, version);
        String notification = notificationOf(key).toString();
        String again = clients.sqs().sendMessage(b -> b.queueUrl(scanQueue()).messageBody(notification)).messageId();
        assertTrue(EmulatorTests.await(() -> RECEIVED.get(again), Duration.ofSeconds(30)).isPresent());
        assertTrue(function.source().awaitIdle(Duration.ofSeconds(30)));

        assertTrue(function.source().invocations().stream().filter(i -> i.batch().stream()
                .anyMatch(m -> m.messageId().equals(again))).allMatch(i -> !i.failed().contains(again)));
        List<Verdict> history = function.verdicts().historyOf(uploads, key);
        assertEquals(1, history.size());
        assertEquals(first.decidedAt(), history.get(0).decidedAt());
        assertEquals(first.revision(), history.get(0).revision());
    }

    @Test
    @Order(7)
    void aBurstOfUploadsWithAPoisonMessageAndDuplicatesAmongThemLosesNothing() throws Exception {
        int uploadsInBurst = 300;
        List<String> images = new ArrayList<>(EmulatorTests.sampleImages());
        images.add("not-an-image.jpg");
        Map<String, String> versions = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        ExecutorService uploaders = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < uploadsInBurst; i++) {
            String key = "burst/" + i + "-" + images.get(i % images.size());
            byte[] bytes = EmulatorTests.sample(images.get(i % images.size()));
            done.add(uploaders.submit(() -> versions.put(key, clients.s3().putObject(b -> b.bucket(uploads).key(key),
                    RequestBody.fromBytes(bytes)).versionId())));
        }
        String poison = clients.sqs().sendMessage(b -> b.queueUrl(scanQueue())
                .messageBody(poison("burst/poison.jpg"))).messageId();
        // S3 delivers at least once: some notifications arrive twice while the burst is still being scanned.
        Set<String> duplicated = Collections.synchronizedSet(new HashSet<>());
        for (int i = 0; i < uploadsInBurst && duplicated.size() < 5; i += 37) {
            String key = "burst/" + i + "-" + images.get(i % images.size());
            done.get(i).get();
            Optional<JsonNode> notification = EmulatorTests.await(() -> notificationOrNull(key), Duration.ofSeconds(60));
            notification.ifPresent(n -> {
                clients.sqs().sendMessage(b -> b.queueUrl(scanQueue()).messageBody(n.toString()));
                duplicated.add(key);
            });
        }
        for (Future<?> upload : done) {
            upload.get();
        }
        uploaders.shutdown();
        assertTrue(function.source().awaitIdle(Duration.ofMinutes(5)), "the queue drains");
        long seconds = (System.nanoTime() - started) / 1_000_000_000;

        Set<String> deadKeys = new HashSet<>();
        Set<String> deadIds = new HashSet<>();
        for (Message dead : deadLetters()) {
            deadIds.add(dead.messageId());
            mentioned(dead.body()).forEach(deadKeys::add);
        }
        int decided = 0;
        int deadLettered = 0;
        List<String> lost = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        List<String> readableUnapproved = new ArrayList<>();
        for (Map.Entry<String, String> upload : versions.entrySet()) {
            List<Verdict> verdicts = function.verdicts().historyOf(uploads, upload.getKey()).stream()
                    .filter(v -> upload.getValue().equals(v.object().versionId())).toList();
            if (verdicts.size() == 1) {
                decided++;
                if (!gated(verdicts.get(0))) {
                    readableUnapproved.add(upload.getKey());
                }
            } else if (verdicts.size() > 1) {
                twice.add(upload.getKey());
            } else if (deadKeys.contains(upload.getKey())) {
                deadLettered++;
                if (approved(upload.getKey(), upload.getValue())) {
                    readableUnapproved.add(upload.getKey());
                }
            } else {
                lost.add(upload.getKey());
            }
        }
        System.out.printf("Burst: %d uploads, %d duplicate deliveries, 1 poison message in %d s: %d with exactly one "
                        + "verdict, %d dead-lettered, lost %d, two verdicts %d, readable without approval %d%n",
                versions.size(), duplicated.size(), seconds, decided, deadLettered, lost.size(), twice.size(),
                readableUnapproved.size());
        assertEquals(uploadsInBurst, versions.size());
        assertEquals(List.of(), lost, "every upload has a verdict or its message is in the dead-letter queue");
        assertEquals(List.of(), twice, "one verdict per object version");
        assertEquals(List.of(), readableUnapproved, "nothing is approved that a verdict did not publish");
        assertTrue(deadIds.contains(poison), "the poison message is dead-lettered");
        assertFalse(duplicated.isEmpty(), "duplicates were delivered");
    }

    // ------------------------------------------------------------------ helpers

    /** Uploads a sample image as an application would; returns the version S3 gave it. */
    private static String upload(String key, String sample) {
        return clients.s3().putObject(b -> b.bucket(uploads).key(key), RequestBody.fromBytes(
                EmulatorTests.sample(sample))).versionId();
    }

    /** The verdict of this upload, made by the pipeline within a minute. */
    private static Verdict verdict(String key, String version) throws InterruptedException {
        return EmulatorTests.awaitVerdict(function, uploads, key, version, Duration.ofSeconds(60)).orElseThrow(() ->
                new AssertionError("no verdict for " + key + " (" + version + "); the function's last error: "
                        + EmulatorTests.lastLoggedError(stack)));
    }

    /** Where the verdict put the object: approved only if published, otherwise hidden or moved. */
    private static void assertGated(Verdict v) {
        assertTrue(gated(v), v.object().key() + " " + v.action() + " " + v.placement().state());
    }

    private static boolean gated(Verdict v) {
        String key = v.object().key();
        String version = v.object().versionId();
        return switch (v.placement().state()) {
            case PUBLISHED -> v.action() == Action.ALLOW && approved(key, version);
            case HELD -> !approved(key, version);
            case QUARANTINED -> !exists(uploads, key, version) && exists(quarantine, uploads + "/" + key, null);
            default -> false;
        };
    }

    /** Whether the object version carries the approval the read gate lets through. */
    private static boolean approved(String key, String version) {
        try {
            return clients.s3().getObjectTagging(b -> b.bucket(uploads).key(key).versionId(version)).tagSet().stream()
                    .anyMatch(t -> t.key().equals("moderation") && t.value().equals("approved"));
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    private static boolean exists(String bucket, String key, String version) {
        return EmulatorTests.exists(clients.s3(), bucket, key, version);
    }

    private static String scanQueue() {
        return stack.queueUrlOf(function.source().mapping().queueArn());
    }

    private static JsonNode redrivePolicy() throws IOException {
        return Json.mapper().readTree(clients.sqs().getQueueAttributes(b -> b.queueUrl(scanQueue())
                .attributeNamesWithStrings("RedrivePolicy")).attributesAsStrings().get("RedrivePolicy"));
    }

    /**
     * Every message in the dead-letter queue, left there: each is received once and made visible again at once.
     */
    private static List<Message> deadLetters() {
        String url;
        try {
            url = stack.queueUrlOf(redrivePolicy().path("deadLetterTargetArn").asText());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> page = clients.sqs().receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)
                    .visibilityTimeout(30)).messages();
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
        }
        for (Message m : all) {
            clients.sqs().changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(m.receiptHandle())
                    .visibilityTimeout(0));
        }
        return all;
    }

    /** A notification no delivery can read: its key is not validly URL-encoded, every time it arrives. */
    private static String poison(String key) {
        return """
                {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                  "s3": {"bucket": {"name": "%s"}, "object": {"key": "%s%%E0%%A4%%A", "size": 1}}}]}
                """.formatted(uploads, key);
    }

    /** The notification the function received for this key (the invocation that carried it may be finishing). */
    private static JsonNode notificationOf(String key) throws InterruptedException {
        return EmulatorTests.await(() -> notificationOrNull(key), Duration.ofSeconds(10))
                .orElseThrow(() -> new AssertionError("no notification of " + key + " was received"));
    }

    private static JsonNode notificationOrNull(String key) {
        for (SqsEventSource.Received message : RECEIVED.values()) {
            if (mentioned(message.body()).contains(key)) {
                return Json.mapper().valueToTree(parse(message.body()));
            }
        }
        return null;
    }

    /** The keys of the uploads bucket a message body names; none for a body no one can read (a poison message). */
    private static List<String> mentioned(String body) {
        try {
            return SampleEvents.mentions(parse(body)).stream().filter(m -> m.bucket().equals(uploads))
                    .map(SampleEvents.ObjectMention::key).toList();
        } catch (IllegalArgumentException unreadable) {
            return List.of();
        }
    }

    private static JsonNode parse(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    /** The event names of every notification of this key the function received, in no particular order. */
    private static List<String> eventNamesOf(String key) throws InterruptedException {
        notificationOf(key);
        function.source().awaitIdle(Duration.ofSeconds(30));
        return RECEIVED.values().stream().filter(m -> mentioned(m.body()).contains(key))
                .map(m -> parse(m.body()).path("Records").path(0).path("eventName").asText()).sorted().toList();
    }

    private static String rawKeyIn(JsonNode notification) {
        return notification.path("Records").path(0).path("s3").path("object").path("key").asText();
    }

    private static byte[] noisePng(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(17);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
