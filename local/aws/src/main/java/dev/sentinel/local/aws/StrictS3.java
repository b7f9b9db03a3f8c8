package dev.sentinel.local.aws;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Holds the local S3 server to rules AWS enforces and S3Mock does not, for every SDK client of a test JVM (registered
 * in the SDK's global interceptor list, like the IAM judge): a request carrying more than 2 KB of user metadata fails
 * with S3's 400 {@code MetadataTooLarge}; a CopyObject whose source is larger than one CopyObject may copy fails with
 * S3's 400 {@code InvalidRequest} (5 GiB on AWS; {@code -Dsentinel.s3.maxCopyObjectBytes} makes it small in tests, so
 * the multipart path really runs); and an object written by a CopyObject with the {@code REPLACE} directive is read
 * back with exactly the headers and metadata that request gave it, as on AWS (S3Mock keeps the source's content type
 * always, and the source's other headers and metadata when the request has none). Each check fails before the
 * request leaves the client, with the service's own typed error.
 */
public final class StrictS3 implements ExecutionInterceptor {

    /** What one CopyObject may copy on AWS: 5 GiB. */
    public static final long AWS_MAX_COPY_OBJECT_BYTES = 5L * 1024 * 1024 * 1024;
    /** "The user-defined metadata is limited to 2 KB in size", keys and values counted in UTF-8 bytes. */
    public static final int MAX_USER_METADATA_BYTES = 2048;
    private static final String META_PREFIX = "x-amz-meta-";
    /** The headers S3 keeps with an object and serves back; a REPLACE copy sets all of them anew. */
    private static final List<String> STORED_HEADERS = List.of("content-type", "cache-control", "content-disposition",
            "content-encoding", "content-language", "expires");

    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);
    private static final ExecutionAttribute<SdkRequest> AS_CALLED = new ExecutionAttribute<>("sentinel.s3.request");
    private static final ExecutionAttribute<Map<String, String>> REPLACED =
            new ExecutionAttribute<>("sentinel.s3.replaced");
    /** What AWS would serve for each version a REPLACE copy wrote: endpoint, bucket, key, version -> headers. */
    private static final Map<String, Map<String, String>> WRITTEN_BY_REPLACE = new ConcurrentHashMap<>();
    private static final Map<URI, S3Client> SIZE_READERS = new ConcurrentHashMap<>();

    /** The single-copy limit in force: {@code -Dsentinel.s3.maxCopyObjectBytes}, or AWS's own. */
    public static long maxCopyObjectBytes() {
        return Long.getLong("sentinel.s3.maxCopyObjectBytes", AWS_MAX_COPY_OBJECT_BYTES);
    }

    /** The request as the code made it: the SDK's own interceptors turn a copy's source into one header. */
    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(AS_CALLED, context.request());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkRequest request = attributes.getAttribute(AS_CALLED);
        checkVersionId((String) field(request, "VersionId"));
        checkVersionId((String) field(request, "SourceVersionId"));
        if (request instanceof PutObjectRequest put) {
            checkMetadataSize(put.metadata());
        } else if (request instanceof CreateMultipartUploadRequest create) {
            checkMetadataSize(create.metadata());
        } else if (request instanceof CopyObjectRequest copy) {
            boolean replace = copy.metadataDirective() == MetadataDirective.REPLACE;
            if (replace) {
                checkMetadataSize(copy.metadata());
            }
            URI endpoint = context.httpRequest().getUri();
            String[] source = sourceOf(copy);
            Optional<HeadObjectResponse> head = head(endpoint, source);
            long size = head.map(HeadObjectResponse::contentLength).orElse(0L);
            if (size > maxCopyObjectBytes()) {
                throw s3Error(400, "InvalidRequest", "The specified copy source is larger than the maximum allowable "
                        + "size for a copy source: " + maxCopyObjectBytes());
            }
            if (source[2] == null) {
                source[2] = head.map(HeadObjectResponse::versionId).orElse(null);
            }
            attributes.putAttribute(REPLACED, replace ? servedAfterReplace(copy)
                    : WRITTEN_BY_REPLACE.get(address(endpoint, source)));
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        SdkResponse response = context.response();
        SdkRequest request = attributes.getAttribute(AS_CALLED);
        URI endpoint = context.httpRequest().getUri();
        if (response instanceof CopyObjectResponse copied && request instanceof CopyObjectRequest copy) {
            String written = address(endpoint, new String[] {copy.destinationBucket(), copy.destinationKey(),
                    copied.versionId()});
            Map<String, String> served = attributes.getAttribute(REPLACED);
            if (served != null) {
                WRITTEN_BY_REPLACE.put(written, served);
            } else {
                WRITTEN_BY_REPLACE.remove(written);
            }
        } else if (response instanceof PutObjectResponse || response instanceof CompleteMultipartUploadResponse) {
            // An unversioned key written anew no longer serves what an earlier copy wrote there.
            String bucket = (String) field(request, "Bucket");
            String key = (String) field(request, "Key");
            WRITTEN_BY_REPLACE.remove(address(endpoint, new String[] {bucket, key, null}));
        }
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        SdkHttpResponse response = context.httpResponse();
        SdkRequest request = attributes.getAttribute(AS_CALLED);
        if (!(request instanceof HeadObjectRequest || request instanceof GetObjectRequest)
                || response.statusCode() / 100 != 2) {
            return response;
        }
        String version = (String) field(request, "VersionId");
        if (version == null) {
            version = response.firstMatchingHeader("x-amz-version-id").orElse(null);
        }
        Map<String, String> served = WRITTEN_BY_REPLACE.get(address(context.httpRequest().getUri(),
                new String[] {(String) field(request, "Bucket"), (String) field(request, "Key"), version}));
        if (served == null) {
            return response;
        }
        SdkHttpResponse.Builder rewritten = response.toBuilder();
        response.headers().keySet().stream()
                .filter(h -> STORED_HEADERS.contains(h.toLowerCase(java.util.Locale.ROOT))
                        || h.toLowerCase(java.util.Locale.ROOT).startsWith(META_PREFIX))
                .toList()
                .forEach(rewritten::removeHeader);
        served.forEach(rewritten::putHeader);
        return rewritten.build();
    }

    /** Sums each key (as the header that carries it) and value in UTF-8 bytes, the stricter reading of AWS's rule. */
    private static void checkMetadataSize(Map<String, String> metadata) {
        long bytes = 0;
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
            bytes += (META_PREFIX + entry.getKey()).getBytes(StandardCharsets.UTF_8).length
                    + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_USER_METADATA_BYTES) {
            throw s3Error(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size ("
                    + bytes + " bytes of user metadata, at most " + MAX_USER_METADATA_BYTES + ").");
        }
    }

    /** The headers AWS serves for an object a REPLACE copy wrote: those of the request, and nothing of the source. */
    private static Map<String, String> servedAfterReplace(CopyObjectRequest copy) {
        Map<String, String> served = new LinkedHashMap<>();
        served.put("Content-Type", copy.contentType() != null ? copy.contentType() : "binary/octet-stream");
        putIfSet(served, "Cache-Control", copy.cacheControl());
        putIfSet(served, "Content-Disposition", copy.contentDisposition());
        putIfSet(served, "Content-Encoding", copy.contentEncoding());
        putIfSet(served, "Content-Language", copy.contentLanguage());
        if (copy.expires() != null) {
            served.put("Expires", HTTP_DATE.format(copy.expires().atZone(ZoneOffset.UTC)));
        }
        copy.metadata().forEach((k, v) -> served.put(META_PREFIX + k, v));
        return served;
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    /** The copy's source as S3 has it now (its size and version), read with no function's credentials. */
    private static Optional<HeadObjectResponse> head(URI endpoint, String[] source) {
        try {
            return Optional.of(sizeReader(endpoint).headObject(b -> b.bucket(source[0]).key(source[1])
                    .versionId(source[2])));
        } catch (S3Exception missing) {
            // The copy itself will say the source is missing.
            return Optional.empty();
        }
    }

    /** Bucket, key and version of a copy's source, however the request named it. */
    private static String[] sourceOf(CopyObjectRequest copy) {
        if (copy.sourceBucket() != null) {
            return new String[] {copy.sourceBucket(), copy.sourceKey(), copy.sourceVersionId()};
        }
        String header = copy.copySource();
        String version = null;
        int query = header.lastIndexOf("?versionId=");
        if (query >= 0) {
            version = header.substring(query + "?versionId=".length());
            header = header.substring(0, query);
        }
        int slash = header.indexOf('/');
        return new String[] {header.substring(0, slash),
                java.net.URLDecoder.decode(header.substring(slash + 1), StandardCharsets.UTF_8), version};
    }

    private static String address(URI endpoint, String[] object) {
        return endpoint.getAuthority() + "\n" + object[0] + "\n" + object[1] + "\n"
                + Optional.ofNullable(object[2]).orElse("null");
    }

    private static Object field(SdkRequest request, String member) {
        return request.sdkFields().stream().filter(f -> f.memberName().equals(member)).findFirst()
                .map(f -> f.getValueOrDefault(request)).orElse(null);
    }

    private static S3Client sizeReader(URI requestUri) {
        URI endpoint = URI.create(requestUri.getScheme() + "://" + requestUri.getAuthority());
        return SIZE_READERS.computeIfAbsent(endpoint, e -> S3Client.builder().endpointOverride(e)
                .region(Region.US_EAST_1).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("strict-s3", "x")))
                .build());
    }

    /**
     * S3 answers a version id it could never have issued with 400 {@code InvalidArgument}, not 404 (S3Mock answers
     * 404). Here, what the local server issues: UUIDs, and {@code null} for objects written before versioning.
     */
    private static void checkVersionId(String versionId) {
        if (versionId != null && !versionId.equals("null") && !ISSUED_VERSION.matcher(versionId).matches()) {
            throw s3Error(400, "InvalidArgument", "Invalid version id specified");
        }
    }

    private static final java.util.regex.Pattern ISSUED_VERSION =
            java.util.regex.Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private static S3Exception s3Error(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("S3")
                        // The SDK's own handling of S3 errors reads the response: HEAD errors carry no body.
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build())
                .build();
    }
}
