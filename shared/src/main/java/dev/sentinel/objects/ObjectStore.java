package dev.sentinel.objects;

import java.util.Map;
import java.util.Optional;

/** The object storage the pipeline needs: S3 in production, any S3-protocol server locally. */
public interface ObjectStore {

    /** Size, ETag and metadata, or empty when the object (version) does not exist. */
    Optional<StoredObject> head(ObjectRef ref);

    /**
     * Reads the whole object, refusing anything over {@code maxBytes} before reading it all.
     *
     * @return empty when the object (version) does not exist
     * @throws ObjectTooLargeException when the object is larger than {@code maxBytes}
     */
    Optional<byte[]> read(ObjectRef ref, long maxBytes);

    /** Hex SHA-256 of the object's bytes, streamed, or empty when it does not exist. */
    Optional<String> sha256(ObjectRef ref);

    /**
     * Server-side copy of {@code source} (that exact version when it has one) to {@code targetBucket}/{@code
     * targetKey}, with the given metadata and tags replacing the source's.
     *
     * @return where the copy is, with the version id the target bucket gave it
     */
    ObjectRef copy(ObjectRef source, String targetBucket, String targetKey, Map<String, String> metadata,
                   Map<String, String> tags);

    /** Deletes that version when {@code ref} has one (permanently), else the current object. Missing is fine. */
    void delete(ObjectRef ref);

    Map<String, String> tags(ObjectRef ref);

    /** Replaces the object's tags with {@code tags}. */
    void putTags(ObjectRef ref, Map<String, String> tags);

    /**
     * Locks one object version: an Object Lock legal hold (until lifted) and a compliance retention until
     * {@code retainUntil}. The bucket must have Object Lock enabled.
     */
    void lock(ObjectRef ref, java.time.Instant retainUntil);

    /**
     * The current version of each object under {@code prefix}, in key order, a page at a time.
     *
     * @param cursor where the previous page stopped (its {@code nextCursor}); null for the first page
     */
    Listing list(String bucket, String prefix, String cursor, int limit);

    /** One page of a listing and the cursor of the next (null when there is none). */
    record Listing(java.util.List<ObjectRef> objects, String nextCursor) {
        public Listing {
            objects = java.util.List.copyOf(objects);
        }
    }
}
