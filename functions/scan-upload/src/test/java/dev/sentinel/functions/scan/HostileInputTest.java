package dev.sentinel.functions.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.MalformedEventException;
import dev.sentinel.scan.ScanFailedException;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/** The hostile input corpus: every case ends in a clear error or a held verdict, nothing crashes or is lost. */
class HostileInputTest {

    private static final TestAws AWS = TestAws.get();
    private final String uploads = AWS.newBucket("hostile-up", true);
    private final String quarantine = AWS.newLockedBucket("hostile-q");
    private final String table = AWS.newVerdictTable();
    private final ScanUploadHandler handler;

    HostileInputTest() {
        AWS.freshRekognition();
        ScanSettings settings = new ScanSettings(Set.of(uploads), quarantine, table, PolicyLoader.DEFAULT_SOURCE,
                ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition");
        handler = new ScanUploadHandler(ScanServiceBuilder.of(settings, AWS.asFunction("ScanUploadFunction", settings),
                StructuredLog.discard(), Clock.systemUTC()).batch());
    }

    @Test
    void malformedEventsGetClearErrorsOrPerRecordFailures() throws Exception {
        List<String> corpus = List.of("not-json", "empty-object", "array", "null", "records-not-array",
                "record-not-object", "missing-bucket", "missing-key", "bad-percent-encoding", "latin1-encoded-key",
                "huge-key", "bad-time", "wrong-types", "sqs-body-not-json", "sqs-body-array", "sqs-nested-garbage",
                "unknown-source", "deeply-nested");
        for (String name : corpus) {
            byte[] event;
            try (InputStream in = HostileInputTest.class.getResourceAsStream("/hostile/" + name + ".json")) {
                event = in.readAllBytes();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(event), out, null);
                JsonNode response = Json.mapper().readTree(out.toByteArray());
                // A bad time alone does not fail a record: it is scanned without it (here: another bucket, skipped).
                assertTrue(response.path("batchItemFailures").size() > 0 || name.equals("sqs-body-array")
                        || name.equals("empty-object") || name.equals("bad-time"), name + " answered " + response);
            } catch (MalformedEventException | ScanFailedException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), name);
            } catch (RuntimeException | StackOverflowError e) {
                fail(name + " crashed the handler with " + e);
            }
        }
    }

    @Test
    void hostileImagesAreHeldAndNeverLost() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");
        byte[] png = TestImages.reencode(photo, "png");
        Map<String, byte[]> corpus = new LinkedHashMap<>();
        corpus.put("zero-bytes.jpg", new byte[0]);
        corpus.put("truncated.png", Arrays.copyOf(png, png.length / 3));
        corpus.put("bomb-100000x100000.png", TestImages.pngDeclaring(100_000, 100_000));
        // Within the pixel cap, under a megabyte, 800 MB once decoded (RGBA at 16 bits a sample).
        corpus.put("bomb-10000x10000-rgba16.png", TestImages.flatPng(10_000, 10_000, 16, 6));
        corpus.put("html-named.jpg", "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8));
        corpus.put("jpeg-header-only.jpg", Arrays.copyOf(photo, 20));
        corpus.put("pdf-with-png-name.png", "%PDF-1.4\n%âãÏÓ\n1 0 obj".getBytes(StandardCharsets.ISO_8859_1));

        for (Map.Entry<String, byte[]> item : corpus.entrySet()) {
            Verdict verdict = scan(item.getKey(), item.getValue());

            assertEquals(Action.REVIEW, verdict.action(), item.getKey() + ": " + verdict.reasons());
            assertEquals(PlacementState.HELD, verdict.placement().state(), item.getKey());
            assertNotEquals("approved", new S3ObjectStore(AWS.s3()).tags(verdict.object().ref()).get("moderation"),
                    item.getKey());
            assertEquals(item.getValue().length, AWS.s3().getObjectAsBytes(b -> b.bucket(uploads)
                    .key(item.getKey())).asByteArray().length, item.getKey() + " is still where it was uploaded");
        }
    }

    @Test
    void gifWithThousandsOfFramesIsJudgedOnEachDistinctSceneAndOneFrameMoreGoesToAPerson() {
        Color[] frames = new Color[3000];
        Arrays.fill(frames, Color.DARK_GRAY);
        frames[0] = Color.ORANGE;

        Verdict verdict = scan("many-frames.gif", TestImages.animatedGif(32, 32, frames));

        assertEquals(Action.ALLOW, verdict.action(), verdict.reasons().toString());
        assertTrue(verdict.reasons().stream().anyMatch(r -> r.text().contains("3000 frames")
                && r.text().contains("frames 0, 1")), verdict.reasons().toString());

        Color[] tooMany = Arrays.copyOf(frames, 3001);
        tooMany[3000] = Color.DARK_GRAY;
        Verdict held = scan("too-many-frames.gif", TestImages.animatedGif(32, 32, tooMany));
        assertEquals(Action.REVIEW, held.action(), held.reasons().toString());
    }

    @Test
    void polyglotIsJudgedAsTheImageItDecodesTo() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        byte[] polyglot = concat(photo, "PK\u0003\u0004<?php system($_GET['c']); ?>".getBytes(StandardCharsets.UTF_8));

        Verdict verdict = scan("polyglot.jpg", polyglot);

        assertEquals("JPEG", verdict.object().format().name());
        assertEquals(polyglot.length, verdict.object().size(), "the whole object is hashed, trailer included");
    }

    private Verdict scan(String key, byte[] bytes) {
        PutObjectResponse put = AWS.put(uploads, key, bytes);
        JsonNode event = SampleEvents.s3Put(uploads, key, new SampleEvents.ObjectFacts(put.versionId(), put.eTag(),
                bytes.length));
        try {
            handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)),
                    new ByteArrayOutputStream(), null);
        } catch (Exception e) {
            fail(key + " crashed the handler with " + e);
        }
        return new DynamoVerdictStore(AWS.clients().dynamo(), table).historyOf(uploads, key).get(0);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
