package dev.sentinel.objects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/** {@link ObjectStore} on Amazon S3 (or any server speaking its protocol). */
public final class S3ObjectStore implements ObjectStore {

    private final S3Client s3;

    public S3ObjectStore(S3Client s3) {
        this.s3 = s3;
    }

    @Override
    public Optional<StoredObject> head(ObjectRef ref) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
            return Optional.of(new StoredObject(ref.withVersion(head.versionId() != null ? head.versionId() : ref.versionId()),
                    head.contentLength(), head.eTag(), head.contentType(), head.lastModified(), head.metadata()));
        } catch (S3Exception e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Listing list(String bucket, String prefix, String cursor, int limit) {
        // Versions, not plain keys: a rescan names the exact version a verdict was made on. The cursor is S3's own
        // key and version markers, so paging never skips an object however keys are named.
        String[] markers = cursor == null ? new String[0] : cursor.split("\n", 2);
        ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket).prefix(prefix)
                .maxKeys(Math.max(1, Math.min(limit, 1000)))
                .keyMarker(markers.length > 0 ? markers[0] : null)
                .versionIdMarker(markers.length > 1 && !markers[1].isEmpty() ? markers[1] : null));
        java.util.List<ObjectRef> current = page.versions().stream()
                .filter(v -> Boolean.TRUE.equals(v.isLatest()))
                .map(v -> new ObjectRef(bucket, v.key(), "null".equals(v.versionId()) ? null : v.versionId()))
                .toList();
        String next = Boolean.TRUE.equals(page.isTruncated())
                ? page.nextKeyMarker() + "\n" + (page.nextVersionIdMarker() == null ? "" : page.nextVersionIdMarker())
                : null;
        return new Listing(current, next);
    }

    @Override
    public Optional<byte[]> read(ObjectRef ref, long maxBytes) {
        return withContent(ref, in -> {
            long size = in.response().contentLength() == null ? -1 : in.response().contentLength();
            if (size > maxBytes) {
                in.abort();
                throw new ObjectTooLargeException(ref, size, maxBytes);
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                in.abort();
                throw new ObjectTooLargeException(ref, bytes.length, maxBytes);
            }
            return bytes;
        });
    }

    @Override
    public Optional<String> sha256(ObjectRef ref) {
        return withContent(ref, in -> {
            MessageDigest sha256;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (DigestInputStream digesting = new DigestInputStream(in, sha256)) {
                digesting.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha256.digest());
        });
    }

    private interface ContentReader<T> {
        T read(ResponseInputStream<GetObjectResponse> in) throws IOException;
    }

    /** Streams one version's content; empty when that version no longer exists. */
    @Override
    public void lock(ObjectRef ref, java.time.Instant retainUntil) {
        s3.putObjectLegalHold(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId())
                .legalHold(h -> h.status(software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus.ON)));
        s3.putObjectRetention(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId())
                .retention(r -> r.mode(software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode.COMPLIANCE)
                        .retainUntilDate(retainUntil)));
    }

    private <T> Optional<T> withContent(ObjectRef ref, ContentReader<T> reader) {
        try (ResponseInputStream<GetObjectResponse> in =
                     s3.getObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()))) {
            return Optional.of(reader.read(in));
        } catch (S3Exception e) {
            if (isMissing(e)) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + ref + " failed", e);
        }
    }

    @Override
    public ObjectRef copy(ObjectRef source, String targetBucket, String targetKey, Map<String, String> metadata,
                          Map<String, String> tags) {
        CopyObjectRequest request = CopyObjectRequest.builder()
                .sourceBucket(source.bucket()).sourceKey(source.key()).sourceVersionId(source.versionId())
                .destinationBucket(targetBucket).destinationKey(targetKey)
                .metadataDirective(MetadataDirective.REPLACE).metadata(metadata)
                .taggingDirective(TaggingDirective.REPLACE).tagging(Tagging.builder().tagSet(toTags(tags)).build())
                .build();
        CopyObjectResponse response = s3.copyObject(request);
        ObjectRef copy = new ObjectRef(targetBucket, targetKey, response.versionId());
        // Set the tags again on the new version: not every S3-protocol server honours tags on a copy.
        putTags(copy, tags);
        return copy;
    }

    @Override
    public void delete(ObjectRef ref) {
        try {
            s3.deleteObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
        } catch (S3Exception e) {
            if (!isMissing(e)) {
                throw e;
            }
        }
    }

    @Override
    public Map<String, String> tags(ObjectRef ref) {
        Map<String, String> tags = new LinkedHashMap<>();
        s3.getObjectTagging(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()))
                .tagSet().forEach(t -> tags.put(t.key(), t.value()));
        return tags;
    }

    @Override
    public void putTags(ObjectRef ref, Map<String, String> tags) {
        if (tags.isEmpty()) {
            s3.deleteObjectTagging(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
            return;
        }
        s3.putObjectTagging(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId())
                .tagging(Tagging.builder().tagSet(toTags(tags)).build()));
    }

    private static java.util.List<Tag> toTags(Map<String, String> tags) {
        return tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList();
    }

    private static boolean isMissing(S3Exception e) {
        return e.statusCode() == 404;
    }
}
