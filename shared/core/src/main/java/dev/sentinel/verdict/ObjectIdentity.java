package dev.sentinel.verdict;

import dev.sentinel.image.ImageFormat;
import dev.sentinel.objects.ExpectedContent;
import dev.sentinel.objects.ObjectChecksum;
import dev.sentinel.objects.ObjectRef;
import java.time.Instant;

/**
 * Exactly which bytes a verdict is about: where they were uploaded, the version and ETag S3 gave them, their size,
 * their SHA-256 (null when they were held for their size without being read) and the checksum S3 kept for them, so
 * the decision can be tied to the content even after the object has moved.
 */
public record ObjectIdentity(String bucket, String key, String versionId, String eTag, long size, String sha256,
                             String contentType, ImageFormat format, Instant uploadedAt, ObjectChecksum checksum) {

    public ObjectIdentity(String bucket, String key, String versionId, String eTag, long size, String sha256,
                          String contentType, ImageFormat format, Instant uploadedAt) {
        this(bucket, key, versionId, eTag, size, sha256, contentType, format, uploadedAt, null);
    }

    public ObjectRef ref() {
        return new ObjectRef(bucket, key, versionId);
    }

    /** What a copy of these bytes must prove it holds. */
    public ExpectedContent content() {
        return new ExpectedContent(size, sha256, checksum);
    }
}
