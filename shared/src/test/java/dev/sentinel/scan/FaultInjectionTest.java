package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

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
        int lost = 0;
        int duplicated = 0;
        int crashPoints = 0;
        for (int crashAt = 1; crashAt <= 8; crashAt++) {
            String key = "fault/" + crashAt + ".jpg";
            ObjectEvent event = fx.upload(key, photo);
            CrashAfter crash = new CrashAfter(new AtomicInteger(), crashAt);
            ObjectStore dying = new CrashingObjectStore(new S3ObjectStore(fx.aws.s3()), crash);
            VerdictStore dyingVerdicts = new CrashingVerdictStore(fx.verdicts, crash);
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
            for (int retry = 0; retry < 3; retry++) {
                try {
                    fx.service().scan(event);
                    break;
                } catch (ScanFailedException e) {
                    // The queue would redeliver later; the claim of the crashed attempt may still be fresh.
                    sleepPastClaims();
                }
            }

            List<Verdict> verdicts = fx.verdicts.historyOf(fx.uploads, key);
            List<ObjectVersion> inUploads = fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads).prefix(key))
                    .versions();
            List<ObjectVersion> inQuarantine = fx.aws.s3().listObjectVersions(b -> b.bucket(fx.quarantineBucket)
                    .prefix(fx.uploads + "/" + key)).versions();
            if (inUploads.size() + inQuarantine.size() == 0) {
                lost++;
            }
            if (inQuarantine.size() > 1 || verdicts.size() > 1 || (!inUploads.isEmpty() && !inQuarantine.isEmpty())) {
                duplicated++;
            }
            assertEquals(1, verdicts.size(), key);
            assertEquals(PlacementState.QUARANTINED, verdicts.get(0).placement().state(), key);
            ObjectRef where = verdicts.get(0).placement().location();
            assertArrayEquals(photo, fx.aws.s3().getObjectAsBytes(b -> b.bucket(where.bucket()).key(where.key())
                    .versionId(where.versionId())).asByteArray(), key);
        }
        System.out.printf("fault injection: %d crash points, objects lost %d, duplicates %d%n", crashPoints, lost,
                duplicated);
        assertTrue(crashPoints >= 4, "the scan has at least four write steps to die after");
        assertEquals(0, lost);
        assertEquals(0, duplicated);
    }

    private static void sleepPastClaims() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts the writes of both stores and dies right after the chosen one. */
    private record CrashAfter(AtomicInteger writes, int stopAt) {
        void step() {
            if (writes.incrementAndGet() == stopAt) {
                throw new IllegalStateException("simulated crash after write " + stopAt);
            }
        }
    }

    private static final class CrashingObjectStore implements ObjectStore {
        private final ObjectStore real;
        private final CrashAfter crash;

        CrashingObjectStore(ObjectStore real, CrashAfter crash) {
            this.real = real;
            this.crash = crash;
        }

        private void step() {
            crash.step();
        }

        @Override
        public Optional<StoredObject> head(ObjectRef ref) {
            return real.head(ref);
        }

        @Override
        public Optional<byte[]> read(ObjectRef ref, long maxBytes) {
            return real.read(ref, maxBytes);
        }

        @Override
        public Optional<String> sha256(ObjectRef ref) {
            return real.sha256(ref);
        }

        @Override
        public ObjectRef copy(ObjectRef source, String bucket, String key, Map<String, String> metadata,
                              Map<String, String> tags) {
            ObjectRef copy = real.copy(source, bucket, key, metadata, tags);
            step();
            return copy;
        }

        @Override
        public void delete(ObjectRef ref) {
            real.delete(ref);
            step();
        }

        @Override
        public Map<String, String> tags(ObjectRef ref) {
            return real.tags(ref);
        }

        @Override
        public void putTags(ObjectRef ref, Map<String, String> tags) {
            real.putTags(ref, tags);
            step();
        }

        @Override
        public void lock(ObjectRef ref, Instant retainUntil) {
            real.lock(ref, retainUntil);
            step();
        }
    }

    private static final class CrashingVerdictStore implements VerdictStore {
        private final VerdictStore real;
        private final CrashAfter crash;

        CrashingVerdictStore(VerdictStore real, CrashAfter crash) {
            this.real = real;
            this.crash = crash;
        }

        private void step() {
            crash.step();
        }

        @Override
        public boolean create(Verdict verdict) {
            boolean created = real.create(verdict);
            step();
            return created;
        }

        @Override
        public Optional<Verdict> find(String verdictId) {
            return real.find(verdictId);
        }

        @Override
        public boolean claim(String verdictId, Duration ttl, String owner) {
            return real.claim(verdictId, ttl, owner);
        }

        @Override
        public void release(String verdictId, String owner) {
            real.release(verdictId, owner);
        }

        @Override
        public void update(Verdict current, Verdict next) {
            real.update(current, next);
            step();
        }

        @Override
        public List<Verdict> historyOf(String bucket, String key) {
            return real.historyOf(bucket, key);
        }

        @Override
        public Page<Verdict> listByReview(ReviewStatus status, int limit, String cursor) {
            return real.listByReview(status, limit, cursor);
        }
    }
}
