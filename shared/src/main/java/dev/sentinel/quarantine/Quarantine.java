package dev.sentinel.quarantine;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Moves violating objects into the locked quarantine bucket without ever losing one: copy, verify the copy's
 * SHA-256 against the bytes that were judged, and only then delete the original. Each step can be repeated safely,
 * so an attempt that dies between two of them is finished by the next.
 */
public final class Quarantine {

    /** S3 keys are at most 1024 bytes of UTF-8; room is kept for the source bucket prefix. */
    private static final int MAX_KEY_BYTES = 1024;
    public static final String TAG_KEY = "moderation";
    public static final String TAG_VALUE = "quarantined";
    /** User metadata naming the verdict a copy was made for: on quarantine copies and on restored uploads. */
    public static final String VERDICT_ID_METADATA = "sentinel-verdict-id";

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
     * the copy's metadata and in the verdict).
     */
    public String destinationKey(ObjectRef source) {
        String key = source.bucket() + "/" + source.key();
        if (key.getBytes(StandardCharsets.UTF_8).length <= MAX_KEY_BYTES) {
            return key;
        }
        return source.bucket() + "/_long-keys/" + sha256Hex(source.key());
    }

    /**
     * Copies the object into quarantine and checks the copy's bytes hash to {@code expectedSha256}.
     *
     * @return the verified copy
     * @throws QuarantineException when the copy does not match; the original is left untouched
     */
    public ObjectRef copyAndVerify(ObjectRef source, String expectedSha256, String verdictId) {
        Map<String, String> metadata = Map.of(
                VERDICT_ID_METADATA, verdictId,
                "sentinel-source-bucket", source.bucket(),
                // Metadata travels as HTTP headers, which must be ASCII: keys may be any Unicode.
                "sentinel-source-key", URLEncoder.encode(source.key(), StandardCharsets.UTF_8),
                "sentinel-source-version", source.versionId() == null ? "" : source.versionId(),
                "sentinel-sha256", expectedSha256);
        ObjectRef copy = objects.copy(source, quarantineBucket, destinationKey(source), metadata,
                Map.of(TAG_KEY, TAG_VALUE));
        if (!isVerifiedCopy(copy, expectedSha256)) {
            throw new QuarantineException("the quarantine copy " + copy + " of " + source
                    + " does not match the scanned bytes; the original was kept");
        }
        return copy;
    }

    /** True when {@code copy} exists and its bytes hash to {@code expectedSha256}. */
    public boolean isVerifiedCopy(ObjectRef copy, String expectedSha256) {
        Optional<String> actual = objects.sha256(copy);
        return actual.isPresent() && actual.get().equalsIgnoreCase(expectedSha256);
    }

    /** A verified copy already in quarantine for {@code source}, found without knowing its version. */
    public Optional<ObjectRef> findVerifiedCopy(ObjectRef source, String expectedSha256) {
        ObjectRef latest = new ObjectRef(quarantineBucket, destinationKey(source));
        return objects.head(latest)
                .map(head -> head.ref())
                .filter(ref -> isVerifiedCopy(ref, expectedSha256));
    }

    /**
     * Copies a quarantined object back to where it was uploaded, with {@code tags}, and checks the restored bytes.
     * The copy names {@code verdictId}, so the scan of its notification can find the verdict that records it.
     *
     * @return the restored object (a new version of the original key)
     * @throws QuarantineException when the restored bytes do not match; the quarantine copy is left untouched
     */
    public ObjectRef restore(ObjectRef quarantined, ObjectRef original, String expectedSha256, String verdictId,
                             Map<String, String> tags) {
        ObjectRef restored = objects.copy(quarantined, original.bucket(), original.key(),
                Map.of(VERDICT_ID_METADATA, verdictId), tags);
        if (!isVerifiedCopy(restored, expectedSha256)) {
            throw new QuarantineException("the restored object " + restored + " does not match the quarantined "
                    + "bytes; the quarantine copy was kept");
        }
        return restored;
    }

    /** Deletes the original; call only after {@link #copyAndVerify} or {@link #isVerifiedCopy} succeeded. */
    public void removeOriginal(ObjectRef source) {
        objects.delete(source);
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
