package dev.sentinel.objects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
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
import software.amazon.awssdk.services.s3.model.UploadPartCopyResponse;

/** {@link ObjectStore} on Amazon S3 (or any server speaking its protocol). */
public final class S3ObjectStore implements ObjectStore {

    /** What one CopyObject (or one UploadPartCopy) may copy on S3. */
    public static final long S3_SINGLE_COPY_LIMIT = 5L * 1024 * 1024 * 1024;
    /** Parts that keep a copy of tens of GB to a few hundred server-side requests. */
    public static final long DEFAULT_PART_BYTES = 256L * 1024 * 1024;
    private static final long MIN_PART_BYTES = 5L * 1024 * 1024;
    private static final int MAX_PARTS = 10_000;
    /** Parts copied at once: a server-side copy is bounded by S3, not by the function's network or memory. */
    private static final int PARALLEL_PARTS = 8;
    /** How long a failed copy waits for its other parts before aborting (the lifecycle rule cleans up after). */
    private static final Duration PART_COPY_WAIT = Duration.ofSeconds(10);

    private final S3Client s3;
    private final long singleCopyLimit;
    private final long partBytes;

    public S3ObjectStore(S3Client s3) {
        this(s3, S3_SINGLE_COPY_LIMIT, DEFAULT_PART_BYTES);
    }

    /**
     * @param singleCopyLimit the largest object copied with one CopyObject
     * @param partBytes       how much each part of a copy in parts copies (at least 5 MiB, S3's smallest part;
     *                        more when the object would otherwise need over 10,000 parts)
     */
    public S3ObjectStore(S3Client s3, long singleCopyLimit, long partBytes) {
        if (singleCopyLimit > S3_SINGLE_COPY_LIMIT || partBytes > S3_SINGLE_COPY_LIMIT || partBytes < MIN_PART_BYTES) {
            throw new IllegalArgumentException("S3 copies at most 5 GiB in one request and parts of at least 5 MiB");
        }
        this.s3 = s3;
        this.singleCopyLimit = singleCopyLimit;
        this.partBytes = partBytes;
    }

    @Override
    public Optional<StoredObject> head(ObjectRef ref) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId())
                    .checksumMode(ChecksumMode.ENABLED));
            return Optional.of(new StoredObject(ref.withVersion(head.versionId() != null ? head.versionId() : ref.versionId()),
                    head.contentLength(), head.eTag(), head.lastModified(),
                    new ObjectHeaders(head.contentType(), head.cacheControl(), head.contentDisposition(),
                            head.contentEncoding(), head.contentLanguage(), head.expires()),
                    head.metadata(), checksumOf(head)));
        } catch (S3Exception e) {
            if (isMissing(e, ref)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Listing list(String bucket, String prefix, String cursor, int limit) {
        return versions(bucket, prefix, cursor, limit, true);
    }

    @Override
    public Listing listVersions(String bucket, String prefix, String cursor, int limit) {
        return versions(bucket, prefix, cursor, limit, false);
    }

    private Listing versions(String bucket, String prefix, String cursor, int limit, boolean latestOnly) {
        // Versions, not plain keys: a rescan names the exact version a verdict was made on. The cursor is S3's own
        // key and version markers, so paging never skips an object however keys are named.
        String[] markers = cursor == null ? new String[0] : cursor.split("\n", 2);
        ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket).prefix(prefix)
                .maxKeys(Math.max(1, Math.min(limit, 1000)))
                .keyMarker(markers.length > 0 ? markers[0] : null)
                .versionIdMarker(markers.length > 1 && !markers[1].isEmpty() ? markers[1] : null));
        java.util.List<ObjectRef> current = page.versions().stream()
                .filter(v -> !latestOnly || Boolean.TRUE.equals(v.isLatest()))
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
            if (isMissing(e, ref)) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + ref + " failed", e);
        }
    }

    @Override
    public long singleCopyLimit() {
        return singleCopyLimit;
    }

    @Override
    public Copied copyObject(StoredObject source, CopyTarget target, String checksumAlgorithm) {
        ObjectHeaders headers = target.headers();
        CopyObjectRequest request = CopyObjectRequest.builder()
                .sourceBucket(source.ref().bucket()).sourceKey(source.ref().key())
                .sourceVersionId(source.ref().versionId())
                .destinationBucket(target.bucket()).destinationKey(target.key())
                // REPLACE replaces the headers too: every one the object is served with is set again.
                .metadataDirective(MetadataDirective.REPLACE).metadata(target.metadata())
                .contentType(headers.contentType()).cacheControl(headers.cacheControl())
                .contentDisposition(headers.contentDisposition()).contentEncoding(headers.contentEncoding())
                .contentLanguage(headers.contentLanguage()).expires(headers.expires())
                .taggingDirective(TaggingDirective.REPLACE).tagging(Tagging.builder().tagSet(toTags(target.tags())).build())
                .checksumAlgorithm(ChecksumAlgorithm.fromValue(checksumAlgorithm))
                .build();
        CopyObjectResponse response;
        try {
            response = s3.copyObject(request);
        } catch (S3Exception e) {
            throw tooLargeForOneCopy(e) ? new ObjectTooLargeException(source.ref(), source.size(), limitIn(e),
                    "copying it in one request") : e;
        }
        ObjectRef copy = new ObjectRef(target.bucket(), target.key(), response.versionId());
        // Set the tags again on the new version: not every S3-protocol server honours tags on a copy.
        putTags(copy, target.tags());
        return new Copied(copy, checksumOf(response.copyObjectResult()));
    }

    @Override
    public Copied copyInParts(StoredObject source, CopyTarget target, ObjectChecksum expected) {
        ObjectHeaders headers = target.headers();
        String uploadId = s3.createMultipartUpload(b -> b.bucket(target.bucket()).key(target.key())
                .metadata(target.metadata())
                .contentType(headers.contentType()).cacheControl(headers.cacheControl())
                .contentDisposition(headers.contentDisposition()).contentEncoding(headers.contentEncoding())
                .contentLanguage(headers.contentLanguage()).expires(headers.expires())
                .tagging(target.tags().isEmpty() ? null : tagQuery(target.tags()))
                .checksumAlgorithm(ChecksumAlgorithm.fromValue(expected.algorithm()))
                .checksumType(ChecksumType.FULL_OBJECT)).uploadId();
        try {
            List<CompletedPart> parts = copyParts(source, target, uploadId, expected.algorithm());
            CompleteMultipartUploadRequest.Builder complete = CompleteMultipartUploadRequest.builder()
                    .bucket(target.bucket()).key(target.key()).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))
                    // S3 computes the copy's checksum from the copied bytes and refuses to complete on a mismatch.
                    .checksumType(ChecksumType.FULL_OBJECT).mpuObjectSize(source.size());
            setChecksum(complete, expected.algorithm(), expected.value());
            CompleteMultipartUploadResponse done = s3.completeMultipartUpload(complete.build());
            ObjectRef copy = new ObjectRef(target.bucket(), target.key(), done.versionId());
            putTags(copy, target.tags());
            ObjectChecksum checksum = checksumOf(done);
            return new Copied(copy, checksum != null ? checksum
                    : head(copy).map(StoredObject::checksum).orElse(null));
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(target.bucket()).key(target.key()).uploadId(uploadId));
            } catch (RuntimeException abortFailed) {
                // The bucket's lifecycle rule aborts what is left after a day.
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    private List<CompletedPart> copyParts(StoredObject source, CopyTarget target, String uploadId, String algorithm) {
        long size = source.size();
        long part = Math.max(partBytes, (size + MAX_PARTS - 1) / MAX_PARTS);
        int count = (int) Math.max(1, (size + part - 1) / part);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(count, PARALLEL_PARTS), runnable -> {
            Thread thread = new Thread(runnable, "s3-copy-part");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<CompletedPart>> copying = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int number = i + 1;
                long first = i * part;
                long last = Math.min(size, first + part) - 1;
                copying.add(pool.submit(() -> copyPart(source, target, uploadId, number, first, last, algorithm)));
            }
            List<CompletedPart> parts = new ArrayList<>();
            for (Future<CompletedPart> future : copying) {
                parts.add(future.get());
            }
            return parts;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("copying a part of " + source.ref() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while copying " + source.ref() + " in parts", e);
        } finally {
            // Parts still being copied would land after the abort and keep storage: let them end first.
            pool.shutdownNow();
            awaitParts(pool);
        }
    }

    private static void awaitParts(ExecutorService pool) {
        try {
            pool.awaitTermination(PART_COPY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CompletedPart copyPart(StoredObject source, CopyTarget target, String uploadId, int number, long first,
                                   long last, String algorithm) {
        ObjectRef from = source.ref();
        UploadPartCopyResponse copied = s3.uploadPartCopy(b -> b.sourceBucket(from.bucket()).sourceKey(from.key())
                .sourceVersionId(from.versionId())
                // Without a version, every part must still come from the same object.
                .copySourceIfMatch(from.versionId() == null ? source.eTag() : null)
                .destinationBucket(target.bucket()).destinationKey(target.key())
                .uploadId(uploadId).partNumber(number).copySourceRange("bytes=" + first + "-" + last));
        CompletedPart.Builder part = CompletedPart.builder().partNumber(number).eTag(copied.copyPartResult().eTag());
        ObjectChecksum partChecksum = checksumOf(copied.copyPartResult());
        if (partChecksum != null && partChecksum.algorithm().equals(algorithm)) {
            setChecksum(part, algorithm, partChecksum.value());
        }
        return part.build();
    }

    /**
     * The checksum a response or result carries, whichever algorithm it is in (S3 names each member
     * {@code Checksum<ALGORITHM>}), with the type it says; null when it carries none.
     */
    private static ObjectChecksum checksumOf(SdkPojo response) {
        if (response == null) {
            return null;
        }
        String type = null;
        ObjectChecksum found = null;
        for (SdkField<?> field : response.sdkFields()) {
            String name = field.memberName();
            Object value = field.getValueOrDefault(response);
            if (name.equals("ChecksumType")) {
                type = value == null ? null : value.toString();
            } else if (name.startsWith("Checksum") && !name.equals("ChecksumAlgorithm") && !name.equals("ChecksumMode")
                    && value instanceof String text && found == null) {
                found = new ObjectChecksum(name.substring("Checksum".length()), text, null);
            }
        }
        return found == null ? null : new ObjectChecksum(found.algorithm(), found.value(), type);
    }

    /** Sets the {@code Checksum<ALGORITHM>} member of a request or part builder. */
    private static void setChecksum(SdkPojo builder, String algorithm, String value) {
        SdkField<?> member = builder.sdkFields().stream()
                .filter(f -> f.memberName().equals("Checksum" + algorithm)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("S3 has no checksum algorithm " + algorithm));
        member.set(builder, value);
    }

    private static String tagQuery(Map<String, String> tags) {
        return tags.entrySet().stream()
                .map(e -> java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "="
                        + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
    }

    @Override
    public void delete(ObjectRef ref) {
        try {
            s3.deleteObject(b -> b.bucket(ref.bucket()).key(ref.key()).versionId(ref.versionId()));
        } catch (S3Exception e) {
            if (!isMissing(e, ref)) {
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

    /** S3's refusal of a single copy for the source's size (AWS: 5 GiB; other servers may allow less). */
    private static boolean tooLargeForOneCopy(S3Exception e) {
        return e.statusCode() == 400 && e.awsErrorDetails() != null
                && "InvalidRequest".equals(e.awsErrorDetails().errorCode()) && e.awsErrorDetails().errorMessage() != null
                && e.awsErrorDetails().errorMessage().contains("larger than the maximum allowable size for a copy source");
    }

    private static long limitIn(S3Exception e) {
        String message = e.awsErrorDetails().errorMessage();
        try {
            return Long.parseLong(message.substring(message.lastIndexOf(':') + 1).trim());
        } catch (NumberFormatException | StringIndexOutOfBoundsException unsaid) {
            return -1;
        }
    }

    /**
     * Not there: 404, or S3's 400 for a version id it never issued ({@code InvalidArgument}; a HEAD's error has no
     * body to say so): a version that cannot exist does not exist. A 403 is not missing: S3 answers it for a missing
     * key only to callers that may not list the bucket, and the functions that must tell the two apart may.
     */
    private static boolean isMissing(S3Exception e, ObjectRef ref) {
        return e.statusCode() == 404 || e.statusCode() == 400 && ref.versionId() != null;
    }
}
