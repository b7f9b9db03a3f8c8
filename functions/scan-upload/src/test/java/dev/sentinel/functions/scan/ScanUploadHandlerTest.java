package dev.sentinel.functions.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.MalformedEventException;
import dev.sentinel.scan.ScanFailedException;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/** The handler fed the repository's sample events, against the local servers. */
class ScanUploadHandlerTest {

    private static final String UPLOADS = "sentinel-uploads-example";
    private static final String QUARANTINE = "sentinel-quarantine-example";
    private static final TestAws AWS = TestAws.get();
    private static String table;

    private RekognitionStandIn rekognition;
    private ScanUploadHandler handler;
    private DynamoVerdictStore verdicts;

    @BeforeAll
    static void buckets() {
        for (String bucket : List.of(UPLOADS, QUARANTINE)) {
            AWS.s3().createBucket(b -> b.bucket(bucket));
            AWS.s3().putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        table = AWS.newVerdictTable();
    }

    @BeforeEach
    void handler() {
        rekognition = AWS.freshRekognition();
        ScanSettings settings = new ScanSettings(Set.of(UPLOADS), QUARANTINE, table, PolicyLoader.DEFAULT_SOURCE,
                ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition");
        handler = new ScanUploadHandler(ScanServiceBuilder.of(settings, AWS.asFunction("ScanUploadFunction", settings),
                StructuredLog.discard(), Clock.systemUTC()).batch());
        verdicts = new DynamoVerdictStore(AWS.clients().dynamo(), table);
    }

    @Test
    void jpegUploadSampleIsScannedAndPublished() throws IOException {
        JsonNode event = uploadAndRefresh("s3-put-jpeg.json", photo());

        JsonNode response = invoke(event);

        assertEquals(0, response.get("batchItemFailures").size());
        assertEquals("approved", tag("users/alice/holiday.jpg"));
        assertEquals(1, rekognition.count("DetectModerationLabels"));
    }

    @Test
    void pngUploadSampleIsScannedAndPublished() throws IOException {
        JsonNode event = uploadAndRefresh("s3-put-png.json", png(photo()));

        invoke(event);

        assertEquals("approved", tag("users/alice/screenshot.png"));
    }

    @Test
    void keyWithSpacesUnicodeAndPlusIsDecodedAsS3EncodesIt() throws IOException {
        String decoded = "users/renée/summer trip/café €5+1 🌊.jpg";
        JsonNode sample = SampleEvents.load("s3-put-key-with-spaces-and-unicode.json");
        assertEquals(List.of(new SampleEvents.ObjectMention(UPLOADS, decoded)), SampleEvents.mentions(sample));
        JsonNode event = uploadAndRefresh("s3-put-key-with-spaces-and-unicode.json", photo());

        JsonNode response = invoke(event);

        assertEquals(0, response.get("batchItemFailures").size());
        assertEquals("approved", tag(decoded));
        assertEquals(1, verdicts.historyOf(UPLOADS, decoded).size());
    }

    @Test
    void brokenRecordOfADirectS3EventFailsTheInvocationAfterTheOthersAreScanned() {
        JsonNode event = uploadAndRefresh("s3-put-multi-record.json", photo());

        ScanFailedException failure = assertThrows(ScanFailedException.class, () -> invoke(event));

        assertTrue(failure.getMessage().contains("1 of 3 records failed"), failure.getMessage());
        assertEquals("approved", tag("batch/first.jpg"));
        assertEquals("approved", tag("batch/third.jpg"));
    }

    @Test
    void badSqsMessageIsReportedAloneForRetry() throws IOException {
        JsonNode event = uploadAndRefresh("sqs-batch-with-bad-message.json", photo());

        JsonNode response = invoke(event);

        assertEquals(1, response.get("batchItemFailures").size());
        assertEquals("b2b2b2b2-0000-4000-8000-000000000002",
                response.get("batchItemFailures").get(0).get("itemIdentifier").asText());
        assertEquals("approved", tag("users/carol/avatar.jpg"));
    }

    @Test
    void sqsWrappedUploadIsScanned() throws IOException {
        JsonNode event = uploadAndRefresh("sqs-s3-put-jpeg.json", photo());

        assertEquals(0, invoke(event).get("batchItemFailures").size());
        assertEquals("approved", tag("users/carol/avatar.jpg"));
    }

    @Test
    void s3TestEventIsAcknowledgedWithoutScanning() throws IOException {
        JsonNode response = invoke(SampleEvents.load("sqs-s3-test-event.json"));

        assertEquals(0, response.get("batchItemFailures").size());
        assertEquals(0, rekognition.requests().size());
    }

    @Test
    void objectsInTheQuarantineBucketAreNotScanned() throws IOException {
        JsonNode response = invoke(SampleEvents.load("s3-put-quarantine-bucket.json"));

        assertEquals(0, response.get("batchItemFailures").size());
        assertEquals(0, rekognition.requests().size());
    }

    @Test
    void malformedEventGetsAClearError() {
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> handler.handleRequest(
                new ByteArrayInputStream("{\"Records\": [".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().startsWith("the event is not valid JSON"), e.getMessage());

        MalformedEventException notS3 = assertThrows(MalformedEventException.class, () -> handler.handleRequest(
                new ByteArrayInputStream("{\"detail\": {}}".getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), null));
        assertTrue(notS3.getMessage().contains("no Records array"), notS3.getMessage());
    }

    /** Uploads the content at every key the sample names and returns the event S3 would send for those uploads. */
    private JsonNode uploadAndRefresh(String sample, byte[] content) {
        JsonNode event = SampleEvents.load(sample);
        return SampleEvents.withFacts(event, (bucket, key) -> {
            PutObjectResponse put = AWS.put(bucket, key, content);
            return new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), content.length);
        });
    }

    private JsonNode invoke(JsonNode event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)), out, null);
        return Json.mapper().readTree(out.toByteArray());
    }

    private String tag(String key) {
        return new S3ObjectStore(AWS.s3()).tags(new ObjectRef(UPLOADS, key)).get("moderation");
    }

    private static byte[] photo() {
        return TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
    }

    private static byte[] png(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
