package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The scan aborted after each of its steps in turn — every S3 write and every verdict write — then retried as the
 * queue would: afterwards each object is in exactly one place, byte-identical, with exactly one final verdict.
 */
class FaultInjectionTest {

    private final ScanFixture fx = new ScanFixture();

    @Test
    void abortingAfterAnyStepLosesAndDuplicatesNothing() {
        byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
        fx.labels(photo, explicit(96));
        RecoveryLedger ledger = new RecoveryLedger();
        int crashPoints = 0;
        for (int crashAt = 1; crashAt <= 8; crashAt++) {
            String key = "fault/" + crashAt + ".jpg";
            ObjectEvent event = fx.upload(key, photo);
            CrashAfter crash = new CrashAfter(new AtomicInteger(), crashAt);
            ObjectStore dying = Interception.after(ObjectStore.class, fx.objects(),
                    Set.of("copyObject", "copyInParts", "delete", "putTags", "lock"), crash);
            VerdictStore dyingVerdicts = Interception.after(VerdictStore.class, fx.scanVerdicts,
                    Set.of("create", "update"), crash);
            boolean crashed = false;
            try {
                new ScanService(dying, dyingVerdicts, fx.engine(), fx.policy, new Quarantine(dying,
                        fx.quarantineBucket), fx.settings, Clock.systemUTC(), StructuredLog.discard()).scan(event);
            } catch (RuntimeException e) {
                crashed = true;
            }
            if (crashed) {
                crashPoints++;
            }
            // The queue redelivers; the crashed attempt released its claim, so the first redelivery proceeds.
            RecoveryLedger.redeliver(fx, event, 2, 4, Duration.ofMillis(50));
            ledger.check(fx, key, photo, PlacementState.QUARANTINED);
        }
        assertTrue(crashPoints >= 4, "the scan has at least four write steps to die after");
        ledger.assertNothingLostOrDuplicated("fault injection (" + crashPoints + " crash points)");
    }

    /** Counts the writes of both stores and dies right after the chosen one. */
    private record CrashAfter(AtomicInteger writes, int stopAt) implements Interception.AfterCall {
        @Override
        public void after(String method) {
            if (writes.incrementAndGet() == stopAt) {
                throw new IllegalStateException("simulated crash after write " + stopAt + " (" + method + ")");
            }
        }
    }
}
