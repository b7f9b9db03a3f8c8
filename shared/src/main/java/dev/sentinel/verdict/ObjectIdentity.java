package dev.sentinel.verdict;

import dev.sentinel.image.ImageFormat;
import dev.sentinel.objects.ObjectRef;
import java.time.Instant;

/**
 * Exactly which bytes a verdict is about: where they were uploaded, the version and ETag S3 gave them, their size
 * and their SHA-256, so the decision can be tied to the content even after the object has moved.
 */
public record ObjectIdentity(String bucket, String key, String versionId, String eTag, long size, String sha256,
                             String contentType, ImageFormat format, Instant uploadedAt) {

    public ObjectRef ref() {
        return new ObjectRef(bucket, key, versionId);
    }
}
