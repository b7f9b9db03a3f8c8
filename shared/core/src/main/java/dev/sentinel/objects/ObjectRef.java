package dev.sentinel.objects;

import java.util.Objects;

/** Where an object is: bucket, key and, when the bucket is versioned, the exact version. */
public record ObjectRef(String bucket, String key, String versionId) {

    public ObjectRef {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        versionId = versionId == null || versionId.isBlank() || "null".equals(versionId) ? null : versionId;
    }

    public ObjectRef(String bucket, String key) {
        this(bucket, key, null);
    }

    public ObjectRef withVersion(String newVersionId) {
        return new ObjectRef(bucket, key, newVersionId);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + key + (versionId == null ? "" : "?versionId=" + versionId);
    }
}
