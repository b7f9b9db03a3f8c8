package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.EmfMetrics;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoHashBank;
import dev.sentinel.testing.PrintedMetrics;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The metrics one batch of the scan function prints, read back from its EMF lines, against the real local S3 and
 * DynamoDB and the Rekognition stand-in.
 */
class ScanMetricsTest {

    private static final Map<String, String> NONE = Map.of();
    private static final Map<String, String> REKOGNITION = Map.of(ScanMetrics.ENGINE, "rekognition");

    private final ScanFixture fx = new ScanFixture();
    private final PrintedMetrics printed = new PrintedMetrics();
    private final EmfMetrics metrics = printed.metrics("scan-upload");
    private final ScanBatch batch = new ScanBatch(fx.service(ScanExtensions.none(), metrics), StructuredLog.discard(),
            metrics);

    @Test
    void cleanImageIsOneScanAllowedAfterOneEngineCall() {
        ObjectEvent event = fx.upload("users/carol/lake.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));

        run(batch, 1, event);

        assertEquals(1, printed.total(ScanMetrics.SCANS, NONE));
        assertEquals(1, printed.total(ScanMetrics.DECISIONS, action("ALLOW")));
        List<Double> latency = printed.values(ScanMetrics.ENGINE_LATENCY, REKOGNITION);
        assertEquals(1, latency.size());
        assertTrue(latency.get(0) >= 0);
        assertEquals(List.of(ScanMetrics.SCANS, ScanMetrics.DECISIONS, ScanMetrics.ENGINE_LATENCY).stream().sorted()
                .toList(), printed.metricNames().stream().sorted().toList());
        // One flush at the end of the batch: one line per dimension set, each for this function in Sentinel.
        assertEquals(3, printed.lines().size());
        for (JsonNode line : printed.lines()) {
            assertEquals("scan-upload", line.get("Function").asText());
            assertEquals("Sentinel", line.get("_aws").get("CloudWatchMetrics").get(0).get("Namespace").asText());
            assertEquals(PrintedMetrics.FLUSHED_AT.toEpochMilli(), line.get("_aws").get("Timestamp").asLong());
        }
        assertFalse(printed.text().contains("users/carol"), "object keys never reach the metrics");
    }

    @Test
    void labelledImageIsCountedAsQuarantined() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(97));

        run(batch, 1, fx.upload("labelled.jpg", photo));

        assertEquals(1, printed.total(ScanMetrics.DECISIONS, action("QUARANTINE")));
        assertTrue(printed.values(ScanMetrics.DECISIONS, action("ALLOW")).isEmpty());
        assertEquals(1, printed.values(ScanMetrics.ENGINE_LATENCY, REKOGNITION).size());
    }

    @Test
    void engineDownFailsTheDeliveryAndCountsTheEngineError() {
        byte[] photo = TestAws.photo("bridge-mods_square-256x256.jpg");
        fx.reply(photo, RekognitionStandIn.serverError());

        ScanBatch.Report report = run(batch, 1, fx.upload("down.jpg", photo));

        assertEquals(1, report.failedIds().size());
        assertEquals(1, printed.total(ScanMetrics.ENGINE_ERRORS, REKOGNITION));
        assertEquals(1, printed.total(ScanMetrics.SCAN_FAILURES, NONE));
        assertEquals(1, printed.values(ScanMetrics.ENGINE_LATENCY, REKOGNITION).size(),
                "the failed call's time, retries included, is latency too");
        assertFalse(printed.metricNames().contains(ScanMetrics.SCANS));
        assertFalse(printed.metricNames().contains(ScanMetrics.DECISIONS));
    }

    @Test
    void engineStillThrottlingOnTheLastAttemptIsAFailClosedHold() {
        byte[] photo = TestAws.photo("bridge-mods_square-256x256.jpg");
        fx.reply(photo, RekognitionStandIn.throttling());

        ScanBatch.Report report = run(batch, fx.settings.retry().holdAfterAttempts(), fx.upload("busy.jpg", photo));

        assertTrue(report.failedIds().isEmpty());
        assertEquals(1, printed.total(ScanMetrics.ENGINE_ERRORS, REKOGNITION));
        assertEquals(1, printed.total(ScanMetrics.HELD, Map.of(ScanMetrics.REASON, "ENGINE_UNAVAILABLE")));
        assertEquals(1, printed.total(ScanMetrics.DECISIONS, action("REVIEW")));
        assertEquals(1, printed.total(ScanMetrics.SCANS, NONE));
        assertFalse(printed.metricNames().contains(ScanMetrics.SCAN_FAILURES));
    }

    @Test
    void undecodableImageIsHeldWithoutAnEngineCall() {
        run(batch, 1, fx.upload("bomb.png", TestImages.pngDeclaring(100_000, 100_000)));

        assertEquals(1, printed.total(ScanMetrics.HELD, Map.of(ScanMetrics.REASON, "IMAGE_REJECTED")));
        assertEquals(1, printed.total(ScanMetrics.DECISIONS, action("REVIEW")));
        assertFalse(printed.metricNames().contains(ScanMetrics.ENGINE_LATENCY));
        assertFalse(printed.metricNames().contains(ScanMetrics.ENGINE_ERRORS));
    }

    @Test
    void sameBytesTwiceReuseTheFirstVerdict() {
        String bankTable = "bank-" + fx.table;
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), bankTable);
        DynamoHashBank bank = new DynamoHashBank(fx.scanner(Map.of("HASH_BANK_TABLE", bankTable)).dynamo(), bankTable,
                Duration.ofMinutes(5), Clock.systemUTC());
        ScanBatch withBank = new ScanBatch(fx.service(ScanExtensions.none().withMatching(bank), metrics),
                StructuredLog.discard(), metrics);
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q2821.jpg");

        run(withBank, 1, fx.upload("first.jpg", photo), fx.upload("copy/of/first.jpg", photo));

        assertEquals(1, printed.total(ScanMetrics.DUPLICATES_REUSED, NONE));
        assertEquals(List.of(2.0), printed.values(ScanMetrics.DECISIONS, action("ALLOW")),
                "counts of one batch are summed into one value");
        assertEquals(List.of(2.0), printed.values(ScanMetrics.SCANS, NONE));
        assertEquals(1, printed.values(ScanMetrics.ENGINE_LATENCY, REKOGNITION).size());
    }

    @Test
    void replayedEventIsScannedAgainButDecidedOnce() {
        ObjectEvent event = fx.upload("twice.jpg", TestAws.photo("reg-test-input_labelme-subset_q0003.jpg"));

        run(batch, 1, event);
        run(batch, 2, event);

        assertEquals(2, printed.total(ScanMetrics.SCANS, NONE));
        assertEquals(1, printed.total(ScanMetrics.DECISIONS, action("ALLOW")));
        assertEquals(1, printed.values(ScanMetrics.ENGINE_LATENCY, REKOGNITION).size());
    }

    /** Runs one batch with each event in a delivery of its own, on the given attempt. */
    private static ScanBatch.Report run(ScanBatch batch, int attempt, ObjectEvent... events) {
        List<Delivery> deliveries = new ArrayList<>();
        for (ObjectEvent event : events) {
            deliveries.add(new Delivery("message-" + deliveries.size(), Delivery.Source.SQS, List.of(event), List.of(),
                    attempt));
        }
        return batch.run(deliveries);
    }

    private static Map<String, String> action(String action) {
        return Map.of(ScanMetrics.ACTION, action);
    }
}
