package dev.sentinel.objects;

import java.util.Map;
import java.util.Optional;

/** The object storage the pipeline needs: S3 in production, any S3-protocol server locally. */
public interface ObjectStore {

    /** Size, ETag, headers, metadata and S3's checksum, or empty when the object (version) does not exist. */
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

    /** The largest object one copy request may copy (S3: 5 GiB); {@link #copyInParts} copies any size. */
    long singleCopyLimit();

    /**
     * Server-side copy of {@code source} (that exact version) in one request, asking the store to compute a
     * {@code checksumAlgorithm} checksum over the copy. The target's headers, metadata and tags replace the source's.
     *
     * @return where the copy is, with the version id the target bucket gave it, and the checksum the store gave it
     * @throws ObjectTooLargeException when the store refuses to copy that much in one request
     */
    Copied copyObject(StoredObject source, CopyTarget target, String checksumAlgorithm);

    /**
     * Server-side copy of {@code source} (that exact version) in parts: the store computes the copy's full-object
     * checksum in {@code expected}'s algorithm from the bytes it copies, and refuses to complete the copy unless it
     * equals {@code expected}. A copy that fails part way is aborted, so no part is left behind.
     */
    Copied copyInParts(StoredObject source, CopyTarget target, ObjectChecksum expected);

    /**
     * Where a copy goes and what it carries: its HTTP headers and user metadata, and its tags, all replacing the
     * source's.
     */
    record CopyTarget(String bucket, String key, ObjectHeaders headers, Map<String, String> metadata,
                      Map<String, String> tags) {
        public CopyTarget {
            metadata = Map.copyOf(metadata);
            tags = Map.copyOf(tags);
        }
    }

    /** A copy made, and the checksum the store says it has (null when it says none). */
    record Copied(ObjectRef ref, ObjectChecksum checksum) { }

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

    /**
     * Every version of each object under {@code prefix} (delete markers aside), in key order, a page at a time: for
     * a bucket where each version is something of its own, as quarantine copies are each one verdict's evidence.
     *
     * @param cursor where the previous page stopped (its {@code nextCursor}); null for the first page
     */
    Listing listVersions(String bucket, String prefix, String cursor, int limit);

    /** One page of a listing and the cursor of the next (null when there is none). */
    record Listing(java.util.List<ObjectRef> objects, String nextCursor) {
        public Listing {
            objects = java.util.List.copyOf(objects);
        }
    }
}
