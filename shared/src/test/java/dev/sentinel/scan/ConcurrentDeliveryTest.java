package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Duplicate deliveries of one upload arriving at the same time, in separate "containers". */
class ConcurrentDeliveryTest {

    private final ScanFixture fx = new ScanFixture();

    @Test
    void oneDeliveryDecidesTheOthersBackOffAndFindItsVerdictOnRetry() throws Exception {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        // Slow answers keep the first scan busy while the duplicates arrive.
        fx.reply(photo, RekognitionStandIn.delayed(RekognitionStandIn.moderationLabels(List.of(explicit(95))), 800));
        ObjectEvent event = fx.upload("dup.jpg", photo);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<ScanOutcome>> deliveries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ScanService container = fx.service();
            deliveries.add(pool.submit((Callable<ScanOutcome>) () -> container.scan(event)));
        }

        int decided = 0;
        int backedOff = 0;
        for (Future<ScanOutcome> delivery : deliveries) {
            try {
                if (delivery.get() instanceof ScanOutcome.Decided) {
                    decided++;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                assertInstanceOf(ScanFailedException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("being scanned now"), e.getCause().getMessage());
                backedOff++;
            }
        }
        pool.shutdown();

        assertEquals(1, decided);
        assertEquals(1, fx.rekognition.count("DetectModerationLabels"), "one engine call for four deliveries");
        assertEquals(1, fx.verdicts.historyOf(fx.uploads, "dup.jpg").size());
        assertTrue(backedOff + decided <= 4);
        ScanOutcome retry = fx.service().scan(event);
        assertEquals(PlacementState.QUARANTINED,
                assertInstanceOf(ScanOutcome.AlreadyDecided.class, retry).verdict().placement().state());
        assertEquals(1, fx.aws.s3().listObjectVersions(b -> b.bucket(fx.quarantineBucket)).versions().size());
    }

    @Test
    void aClaimWhoseHolderDiedExpires() throws Exception {
        String id = dev.sentinel.verdict.Verdict.idFor(fx.uploads, "k", "version:1");
        assertTrue(fx.verdicts.claim(id, Duration.ofSeconds(1), "crashed-worker"));
        assertEquals(false, fx.verdicts.claim(id, Duration.ofMinutes(2), "second"));

        Thread.sleep(2100);

        assertTrue(fx.verdicts.claim(id, Duration.ofMinutes(2), "second"), "the dead holder's claim lapsed");
    }
}
