package dev.sentinel.quarantine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.objects.ExpectedContent;
import dev.sentinel.objects.ObjectChecksum;
import dev.sentinel.objects.ObjectHeaders;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.StoredObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which checksum proves a copy holds the judged bytes, decided without a server: S3's own answers (a SHA-256 S3
 * computed over the copy, a full-object CRC S3 computed from the parts it copied) are proof; a checksum S3 may
 * merely have carried over from the source, or a composite one, is not.
 */
class CopyVerificationTest {

    private static final String SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private static final ObjectChecksum CRC = new ObjectChecksum("CRC64NVME", "AAAAAAAAAAA=", "FULL_OBJECT");
    private static final ObjectRef ORIGINAL = new ObjectRef("uploads", "a.jpg", "v1");

    @Test
    void aSha256S3ComputedOverTheCopyProvesItWithoutReadingIt() {
        Store store = new Store(stored(ORIGINAL, 4, CRC), ObjectChecksum.sha256(SHA));
        new Quarantine(store, "quarantine").copyAndVerify(ORIGINAL, new ExpectedContent(4, SHA, CRC), "vd-1");
        assertEquals(List.of("copyObject SHA256"), store.calls);
    }

    @Test
    void aChecksumCarriedOverFromTheSourceIsNotProofSoTheBytesAreRead() {
        Store store = new Store(stored(ORIGINAL, 4, CRC), CRC);
        store.copyHashesTo = SHA;
        new Quarantine(store, "quarantine").copyAndVerify(ORIGINAL, new ExpectedContent(4, SHA, CRC), "vd-1");
        assertEquals(List.of("copyObject SHA256", "sha256 of the copy"), store.calls);

        store.copyHashesTo = "00" + SHA.substring(2);
        assertThrows(QuarantineException.class, () -> new Quarantine(store, "quarantine")
                .copyAndVerify(ORIGINAL, new ExpectedContent(4, SHA, CRC), "vd-1"));
        assertFalse(store.calls.contains("delete"), "the original is never touched");
    }

    @Test
    void unreadBytesAreCopiedInPartsAndProvedByTheFullObjectCrcS3ComputedFromThem() {
        Store store = new Store(stored(ORIGINAL, 4, CRC), CRC);
        new Quarantine(store, "quarantine").copyAndVerify(ORIGINAL, new ExpectedContent(4, null, CRC), "vd-1");
        assertEquals(List.of("copyInParts CRC64NVME"), store.calls);
    }

    @Test
    void unreadBytesWithOnlyACompositeChecksumAreLeftWhereTheyAre() {
        ObjectChecksum composite = new ObjectChecksum("SHA256", "q83vEjRWeJA=-3", null);
        assertFalse(composite.fullObject(), "S3 writes a composite checksum with its part count");
        Store store = new Store(stored(ORIGINAL, 4, composite), composite);
        assertThrows(QuarantineException.class, () -> new Quarantine(store, "quarantine")
                .copyAndVerify(ORIGINAL, new ExpectedContent(4, null, composite), "vd-1"));
        assertTrue(store.calls.isEmpty(), "nothing was copied: " + store.calls);
    }

    @Test
    void bytesThatAreNoLongerTheJudgedOnesAreNotCopied() {
        ObjectChecksum other = new ObjectChecksum("CRC64NVME", "AQAAAAAAAAA=", "FULL_OBJECT");
        Store store = new Store(stored(ORIGINAL, 4, other), other);
        assertThrows(QuarantineException.class, () -> new Quarantine(store, "quarantine")
                .copyAndVerify(ORIGINAL, new ExpectedContent(4, null, CRC), "vd-1"));
        assertTrue(store.calls.isEmpty(), "nothing was copied: " + store.calls);
    }

    @Test
    void anExistingCopyOfAnotherVerdictIsNotTakenForThisOnesCopy() {
        ObjectRef copy = new ObjectRef("quarantine", "uploads/a.jpg", "q1");
        Store store = new Store(new StoredObject(copy, 4, "e", Instant.EPOCH, ObjectHeaders.NONE,
                Map.of(Quarantine.VERDICT_ID_METADATA, "vd-other"), ObjectChecksum.sha256(SHA)), null);
        Quarantine quarantine = new Quarantine(store, "quarantine");
        assertTrue(quarantine.findVerifiedCopy(ORIGINAL, new ExpectedContent(4, SHA, null), "vd-1").isEmpty());
        assertTrue(quarantine.isVerifiedCopy(copy, new ExpectedContent(4, SHA, null)));
    }

    private static StoredObject stored(ObjectRef ref, long size, ObjectChecksum checksum) {
        return new StoredObject(ref, size, "etag", Instant.EPOCH, ObjectHeaders.NONE, Map.of(), checksum);
    }

    /** One object, copies that report {@code copyChecksum}, and a record of what was asked. */
    private static final class Store implements ObjectStore {

        private final StoredObject object;
        private final ObjectChecksum copyChecksum;
        private final List<String> calls = new ArrayList<>();
        private String copyHashesTo = SHA;

        Store(StoredObject object, ObjectChecksum copyChecksum) {
            this.object = object;
            this.copyChecksum = copyChecksum;
        }

        @Override
        public Optional<StoredObject> head(ObjectRef ref) {
            return Optional.of(object);
        }

        @Override
        public Optional<String> sha256(ObjectRef ref) {
            calls.add("sha256 of the copy");
            return Optional.of(copyHashesTo);
        }

        @Override
        public long singleCopyLimit() {
            return 1024;
        }

        @Override
        public Copied copyObject(StoredObject source, CopyTarget target, String checksumAlgorithm) {
            calls.add("copyObject " + checksumAlgorithm);
            return new Copied(new ObjectRef(target.bucket(), target.key(), "q1"), copyChecksum);
        }

        @Override
        public Copied copyInParts(StoredObject source, CopyTarget target, ObjectChecksum expected) {
            calls.add("copyInParts " + expected.algorithm());
            return new Copied(new ObjectRef(target.bucket(), target.key(), "q1"), copyChecksum);
        }

        @Override
        public void delete(ObjectRef ref) {
            calls.add("delete");
        }

        @Override
        public Optional<byte[]> read(ObjectRef ref, long maxBytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, String> tags(ObjectRef ref) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putTags(ObjectRef ref, Map<String, String> tags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void lock(ObjectRef ref, Instant retainUntil) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Listing list(String bucket, String prefix, String cursor, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Listing listVersions(String bucket, String prefix, String cursor, int limit) {
            throw new UnsupportedOperationException();
        }
    }
}
