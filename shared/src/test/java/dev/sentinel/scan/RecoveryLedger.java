package dev.sentinel.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * Checks uploads after a fault and the retries that followed: each must be in exactly one place (uploads or
 * quarantine, one version), byte-identical, with exactly one verdict. Counts what was lost or duplicated.
 */
final class RecoveryLedger {

    private int checked;
    private int lost;
    private int duplicated;

    /** Delivers the event again, as the queue would, until a delivery completes; claims of dead attempts lapse. */
    static ScanOutcome redeliver(ScanFixture fx, ObjectEvent event, int firstAttempt, int maxAttempts,
                                 Duration pause) {
        ScanFailedException last = null;
        for (int attempt = firstAttempt; attempt <= maxAttempts; attempt++) {
            try {
                return fx.service().scan(event, attempt);
            } catch (ScanFailedException e) {
                last = e;
                sleep(pause);
            }
        }
        throw new AssertionError("still failing after " + maxAttempts + " deliveries", last);
    }

    /** Counts and asserts the invariants for one upload whose verdict should end in {@code expected}. */
    Verdict check(ScanFixture fx, String key, byte[] content, PlacementState expected) {
        checked++;
        List<Verdict> verdicts = fx.verdicts.historyOf(fx.uploads, key);
        List<ObjectVersion> inUploads = fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads).prefix(key))
                .versions().stream().filter(v -> v.key().equals(key)).toList();
        List<ObjectVersion> inQuarantine = fx.aws.s3().listObjectVersions(b -> b.bucket(fx.quarantineBucket)
                .prefix(fx.uploads + "/" + key)).versions();
        if (inUploads.size() + inQuarantine.size() == 0) {
            lost++;
        }
        if (inQuarantine.size() > 1 || inUploads.size() > 1 || verdicts.size() > 1
                || (!inUploads.isEmpty() && !inQuarantine.isEmpty())) {
            duplicated++;
        }
        assertEquals(1, verdicts.size(), key + ": verdicts");
        Verdict verdict = verdicts.get(0);
        assertEquals(expected, verdict.placement().state(), key + ": placement");
        ObjectRef where = verdict.placement().location();
        assertArrayEquals(content, fx.aws.s3().getObjectAsBytes(b -> b.bucket(where.bucket()).key(where.key())
                .versionId(where.versionId())).asByteArray(), key + ": bytes where the verdict says");
        return verdict;
    }

    /** Prints the counts (they are the test's headline) and asserts both are zero. */
    void assertNothingLostOrDuplicated(String scenario) {
        System.out.printf("%s: %d uploads checked, objects lost %d, duplicates %d%n", scenario, checked, lost,
                duplicated);
        assertEquals(0, lost, scenario + ": objects lost");
        assertEquals(0, duplicated, scenario + ": duplicates");
    }

    static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
