package dev.sentinel.quarantine;

import dev.sentinel.objects.ExpectedContent;
import dev.sentinel.objects.ObjectChecksum;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.ObjectStore.Copied;
import dev.sentinel.objects.ObjectStore.CopyTarget;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.objects.StoredObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Moves violating objects into the locked quarantine bucket without ever losing one: copy, verify the copy against
 * what was judged, and only then delete the original. Each step can be repeated safely, so an attempt that dies
 * between two of them is finished by the next.
 *
 * <p>Verification never takes a checksum S3 merely carried over from the source for proof of the copy's bytes:
 * <ul>
 *   <li>bytes this pipeline read and hashed are copied with one CopyObject asking S3 for the copy's SHA-256, which
 *   must equal the judged SHA-256; a server that keeps another algorithm's value instead (one copied from the
 *   source) gets the copy's bytes read back and hashed, as they are no larger than what was read once;</li>
 *   <li>bytes never read (held for their size), and any object the server will not copy in one request, are copied
 *   in parts: S3 computes the copy's full-object CRC from the parts it copied and completes the copy only if it
 *   equals the full-object CRC it kept for the original when it was judged. Composite checksums (of parts) are never
 *   compared: they depend on where the parts were cut.</li>
 * </ul>
 * The copy carries the original's HTTP headers and its uploader's metadata, plus two small markers (the verdict id
 * and a hash of the key; the verdict holds the rest), which never travel back to a restored upload.
 */
public final class Quarantine {

    /** S3 keys are at most 1024 bytes of UTF-8; room is kept for the source bucket prefix. */
    private static final int MAX_KEY_BYTES = 1024;
    /**
     * S3 allows 2 KB of user metadata per object, keys and values counted in UTF-8 bytes; the names are counted with
     * their {@code x-amz-meta-} prefix, the stricter reading.
     */
    private static final int MAX_METADATA_BYTES = 2048;
    public static final String TAG_KEY = "moderation";
    public static final String TAG_VALUE = "quarantined";
    /** User metadata naming the verdict a copy was made for: on quarantine copies and on restored uploads. */
    public static final String VERDICT_ID_METADATA = "sentinel-verdict-id";
    /** SHA-256 of the original key, which may be too long to fit (the verdict holds the key itself). */
    public static final String KEY_SHA256 = "sentinel-key-sha256";
    /** Every marker this pipeline has put on a copy (earlier versions wrote the source's address and hash). */
    private static final Set<String> MARKERS = Set.of(VERDICT_ID_METADATA, KEY_SHA256, "sentinel-source-bucket",
            "sentinel-source-key", "sentinel-source-version", "sentinel-sha256");

    private final ObjectStore objects;
    private final String quarantineBucket;

    public Quarantine(ObjectStore objects, String quarantineBucket) {
        this.objects = objects;
        this.quarantineBucket = quarantineBucket;
    }

    public String bucket() {
        return quarantineBucket;
    }

    /**
     * Where an object goes in quarantine: its key under a prefix naming its source bucket, so objects of several
     * upload buckets never collide. A key too long for that prefix is replaced by its hash (the original key is in
     * the verdict).
     */
    public String destinationKey(ObjectRef source) {
        String key = source.bucket() + "/" + source.key();
        if (key.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_BYTES) {
            return key;
        }
        return source.bucket() + "/_long-keys/" + sha256Hex(source.key());
    }

    /**
     * Copies the object into quarantine, with its headers and metadata, and verifies the copy against
     * {@code expected}.
     *
     * @return the verified copy
     * @throws QuarantineException when the copy cannot be made or does not match; the original is left untouched
     */
    public ObjectRef copyAndVerify(ObjectRef source, ExpectedContent expected, String verdictId) {
        StoredObject original = objects.head(source).orElseThrow(() -> new QuarantineException(source
                + " no longer exists; nothing was copied"));
        CopyTarget target = new CopyTarget(quarantineBucket, destinationKey(source), original.headers(),
                withMarkers(original.metadata(), Map.of(VERDICT_ID_METADATA, verdictId, KEY_SHA256,
                        sha256Hex(source.key()))), Map.of(TAG_KEY, TAG_VALUE));
        return copyVerified(original, expected, target, "the quarantine copy of " + source
                + " does not match the judged object; the original was kept");
    }

    /** True when {@code copy} exists and holds exactly the {@code expected} content. */
    public boolean isVerifiedCopy(ObjectRef copy, ExpectedContent expected) {
        return objects.head(copy).filter(head -> holds(head, expected)).isPresent();
    }

    /** A verified copy already in quarantine for {@code source}'s verdict, found without knowing its version. */
    public Optional<ObjectRef> findVerifiedCopy(ObjectRef source, ExpectedContent expected, String verdictId) {
        return objects.head(new ObjectRef(quarantineBucket, destinationKey(source)))
                .filter(head -> verdictId.equals(head.metadata().get(VERDICT_ID_METADATA)))
                .filter(head -> holds(head, expected))
                .map(StoredObject::ref);
    }

    /**
     * Copies a quarantined object back to where it was uploaded, with its headers and its uploader's metadata (not
     * the quarantine markers) and with {@code tags}, and verifies the restored object against {@code expected}.
     * The restored object names {@code verdictId}, so the scan of its notification can find the verdict that
     * records it.
     *
     * @return the restored object (a new version of the original key)
     * @throws QuarantineException when the restored object does not match; the quarantine copy is left untouched
     */
    public ObjectRef restore(ObjectRef quarantined, ObjectRef original, ExpectedContent expected, String verdictId,
                             Map<String, String> tags) {
        StoredObject copy = objects.head(quarantined).orElseThrow(() -> new QuarantineException("the quarantine "
                + "copy " + quarantined + " no longer exists; nothing was restored"));
        CopyTarget target = new CopyTarget(original.bucket(), original.key(), copy.headers(),
                withMarkers(copy.metadata(), Map.of(VERDICT_ID_METADATA, verdictId)), tags);
        return copyVerified(copy, expected, target, "the restored object " + original.key() + " does not match "
                + "the quarantined object " + quarantined + "; the quarantine copy was kept");
    }

    /** Deletes the original; call only after {@link #copyAndVerify} or {@link #isVerifiedCopy} succeeded. */
    public void removeOriginal(ObjectRef source) {
        objects.delete(source);
    }

    private ObjectRef copyVerified(StoredObject source, ExpectedContent expected, CopyTarget target,
                                   String mismatch) {
        if (source.size() != expected.size()) {
            throw new QuarantineException(source.ref() + " is " + source.size() + " bytes, not the "
                    + expected.size() + " that were judged; nothing was copied");
        }
        if (expected.hashed() && source.size() <= objects.singleCopyLimit()) {
            try {
                Copied copied = objects.copyObject(source, target, ObjectChecksum.SHA256);
                if (!holds(copied.ref(), copied.checksum(), expected)) {
                    throw new QuarantineException(mismatch);
                }
                return copied.ref();
            } catch (ObjectTooLargeException e) {
                // A server that copies less than S3's 5 GiB in one request: in parts, then, as for larger objects.
            }
        }
        ObjectChecksum reference = fullObjectCrc(source, expected);
        Copied copied = objects.copyInParts(source, target, reference);
        if (!reference.sameContentAs(copied.checksum())) {
            throw new QuarantineException(mismatch);
        }
        return copied.ref();
    }

    /**
     * The full-object CRC S3 keeps for the source, which must be the one recorded when it was judged: the value a
     * copy in parts must come to.
     */
    private static ObjectChecksum fullObjectCrc(StoredObject source, ExpectedContent expected) {
        ObjectChecksum kept = source.checksum();
        ObjectChecksum recorded = expected.checksum() != null ? expected.checksum() : kept;
        if (recorded == null || !recorded.crc() || !recorded.fullObject()) {
            throw new QuarantineException(source.ref() + " cannot be copied and verified without reading it: S3 "
                    + "keeps no full-object CRC checksum for it (" + (recorded == null ? "none" : recorded.algorithm()
                    + ", " + recorded.type()) + "); it stays where it is");
        }
        if (kept == null || !kept.algorithm().equals(recorded.algorithm()) || !kept.value().equals(recorded.value())) {
            throw new QuarantineException(source.ref() + " no longer has the checksum it was judged with; nothing "
                    + "was copied");
        }
        return recorded;
    }

    private boolean holds(StoredObject copy, ExpectedContent expected) {
        return copy.size() == expected.size() && holds(copy.ref(), copy.checksum(), expected);
    }

    private boolean holds(ObjectRef copy, ObjectChecksum copyChecksum, ExpectedContent expected) {
        if (expected.hashed()) {
            if (copyChecksum != null && copyChecksum.algorithm().equals(ObjectChecksum.SHA256)
                    && copyChecksum.fullObject()) {
                return ObjectChecksum.sha256(expected.sha256()).sameContentAs(copyChecksum);
            }
            // S3 kept another algorithm, whose value may be the source's copied over: only the bytes can tell.
            return objects.sha256(copy).map(expected.sha256()::equalsIgnoreCase).orElse(false);
        }
        // Never read: only ever copied in parts, so the copy's CRC was computed from the bytes S3 copied.
        return expected.checksum() != null && expected.checksum().crc()
                && expected.checksum().sameContentAs(copyChecksum);
    }

    /**
     * The uploader's metadata and the markers, within S3's 2 KB. An uploader who used nearly all of it leaves no
     * room: the copy then carries the markers alone, since without them the copy could not be tied to its verdict.
     */
    private static Map<String, String> withMarkers(Map<String, String> uploaders, Map<String, String> markers) {
        Map<String, String> all = new LinkedHashMap<>(withoutMarkers(uploaders));
        all.putAll(markers);
        return metadataBytes(all) <= MAX_METADATA_BYTES ? all : markers;
    }

    private static Map<String, String> withoutMarkers(Map<String, String> metadata) {
        Map<String, String> kept = new LinkedHashMap<>(metadata);
        kept.keySet().removeIf(k -> MARKERS.contains(k.toLowerCase(java.util.Locale.ROOT)));
        return kept;
    }

    private static int metadataBytes(Map<String, String> metadata) {
        return metadata.entrySet().stream().mapToInt(e -> ("x-amz-meta-" + e.getKey())
                .getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
    }

    private static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
