package dev.sentinel.functions.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * 1,000 uploads through a local stand-in for the SQS path: messages of up to 10 records handed to the real handler
 * by 4 workers, 20% of them delivered twice, failed messages redelivered (at most 5 receives, then a dead-letter
 * list), and Rekognition failing or throttling at random. Afterwards every object is in exactly one place with
 * exactly one verdict.
 */
class QueueLoadTest {

    private static final TestAws AWS = TestAws.get();
    private static final int UPLOADS = 1000;
    private static final int MAX_RECEIVES = 5;

    private record Message(String id, String body, AtomicInteger receives) { }

    @Test
    void thousandUploadsWithDuplicatesAndFaultsEndInExactlyOnePlaceEach() throws Exception {
        String uploads = AWS.newBucket("load-up", true);
        String quarantine = AWS.newLockedBucket("load-q");
        String table = AWS.newVerdictTable();
        RekognitionStandIn rekognition = AWS.freshRekognition();
        Random random = new Random(2026);
        Map<String, Boolean> explicit = new ConcurrentHashMap<>();
        rekognition.respondWith(request -> {
            int roll = java.util.concurrent.ThreadLocalRandom.current().nextInt(100);
            if (roll < 8) {
                return RekognitionStandIn.serverError();
            }
            if (roll < 13) {
                return RekognitionStandIn.throttling();
            }
            boolean bad = request.imageSha256() != null && explicit.getOrDefault(request.imageSha256(), false);
            return RekognitionStandIn.moderationLabels(bad ? List.of(new RekognitionStandIn.Label("Explicit", "", 1,
                    94)) : List.of());
        });
        ScanSettings settings = new ScanSettings(Set.of(uploads), quarantine, table, PolicyLoader.DEFAULT_SOURCE,
                ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition");
        ScanUploadHandler handler = new ScanUploadHandler(ScanServiceBuilder.of(settings,
                AWS.asFunction("ScanUploadFunction", settings), StructuredLog.discard(), Clock.systemUTC()).batch());

        byte[] base = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
        List<String> records = new ArrayList<>();
        Map<String, byte[]> content = new HashMap<>();
        for (int i = 0; i < UPLOADS; i++) {
            String key = "load/" + i + ".jpg";
            // Trailing bytes after the JPEG's end keep it decodable and make every upload distinct content.
            byte[] bytes = Arrays.copyOf(base, base.length + 4);
            bytes[base.length] = (byte) (i >> 24);
            bytes[base.length + 1] = (byte) (i >> 16);
            bytes[base.length + 2] = (byte) (i >> 8);
            bytes[base.length + 3] = (byte) i;
            content.put(key, bytes);
            if (random.nextInt(100) < 30) {
                explicit.put(dev.sentinel.testing.ApiFixture.sha256(bytes), true);
            }
            PutObjectResponse put = AWS.put(uploads, key, bytes);
            records.add(Json.mapper().writeValueAsString(SampleEvents.s3Put(uploads, key,
                    new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), bytes.length))));
        }
        ConcurrentLinkedDeque<Message> queue = new ConcurrentLinkedDeque<>();
        List<Message> messages = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            Message message = new Message("m-" + i, records.get(i), new AtomicInteger());
            messages.add(message);
            if (random.nextInt(100) < 20) {
                messages.add(new Message("m-" + i + "-dup", records.get(i), new AtomicInteger()));
            }
        }
        Collections.shuffle(messages, random);
        queue.addAll(messages);
        List<Message> deadLetters = Collections.synchronizedList(new ArrayList<>());

        ExecutorService workers = Executors.newFixedThreadPool(4);
        for (int w = 0; w < 4; w++) {
            workers.submit(() -> {
                Message next;
                while ((next = queue.poll()) != null) {
                    List<Message> batch = new ArrayList<>();
                    batch.add(next);
                    while (batch.size() < 10 && (next = queue.poll()) != null) {
                        batch.add(next);
                    }
                    for (String failed : deliver(handler, batch)) {
                        Message m = batch.stream().filter(b -> b.id().equals(failed)).findFirst().orElseThrow();
                        if (m.receives().get() >= MAX_RECEIVES) {
                            deadLetters.add(m);
                        } else {
                            queue.addLast(m);
                        }
                    }
                }
                return null;
            });
        }
        workers.shutdown();
        assertTrue(workers.awaitTermination(10, TimeUnit.MINUTES));

        DynamoVerdictStore verdicts = new DynamoVerdictStore(AWS.clients().dynamo(), table);
        S3ObjectStore objects = new S3ObjectStore(AWS.s3());
        int lost = 0;
        int duplicated = 0;
        int quarantined = 0;
        int withoutVerdict = 0;
        int publicWithoutVerdict = 0;
        int publishedButUnreadable = 0;
        for (Map.Entry<String, byte[]> upload : content.entrySet()) {
            String key = upload.getKey();
            List<Verdict> history = verdicts.historyOf(uploads, key);
            int inUploads = AWS.s3().listObjectVersions(b -> b.bucket(uploads).prefix(key)).versions().size();
            int inQuarantine = AWS.s3().listObjectVersions(b -> b.bucket(quarantine).prefix(uploads + "/" + key))
                    .versions().size();
            if (inUploads + inQuarantine == 0) {
                lost++;
            }
            if (history.size() > 1 || inQuarantine > 1 || inUploads > 1 || (inUploads > 0 && inQuarantine > 0)) {
                duplicated++;
            }
            if (history.isEmpty()) {
                withoutVerdict++;
                publicWithoutVerdict += "approved".equals(objects.tags(
                        new dev.sentinel.objects.ObjectRef(uploads, key)).get("moderation")) ? 1 : 0;
                continue;
            }
            if (history.get(0).placement().state() == PlacementState.QUARANTINED) {
                quarantined++;
            }
            if (history.get(0).placement().state() == PlacementState.PUBLISHED && !"approved".equals(objects.tags(
                    history.get(0).placement().location()).get("moderation"))) {
                // A duplicate delivery must never strip the approval its twin earned.
                publishedButUnreadable++;
            }
        }
        System.out.printf("load: %d uploads, %d deliveries, %d dead-lettered, %d quarantined, lost %d, duplicates "
                + "%d%n", UPLOADS, messages.size(), deadLetters.size(), quarantined, lost, duplicated);
        assertEquals(0, lost);
        assertEquals(0, duplicated);
        // A dead-lettered message's object may still have been decided through its duplicate.
        assertTrue(withoutVerdict <= deadLetters.size(), "only dead-lettered uploads may lack a verdict");
        assertEquals(0, publicWithoutVerdict, "nothing without a verdict is public");
        assertEquals(0, publishedButUnreadable, "every published verdict's object carries its approval");
        assertTrue(quarantined > 200, "about 30% are explicit: " + quarantined);
    }

    /** One SQS batch through the handler; returns the message ids it reported as failed. */
    private static List<String> deliver(ScanUploadHandler handler, List<Message> batch) throws Exception {
        ObjectNode event = Json.mapper().createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message m : batch) {
            m.receives().incrementAndGet();
            records.addObject().put("messageId", m.id()).put("eventSource", "aws:sqs").put("body", m.body());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)), out, null);
        List<String> failed = new ArrayList<>();
        for (JsonNode item : Json.mapper().readTree(out.toByteArray()).path("batchItemFailures")) {
            failed.add(item.path("itemIdentifier").asText());
        }
        return failed;
    }
}
