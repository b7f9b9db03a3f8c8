package dev.sentinel.local.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The local S3 server, through any SDK client of the test JVM, refuses and answers what AWS refuses and answers. */
class StrictS3Test {

    private static final String BUCKET = "strict-s3-test";
    private static S3Client s3;

    @BeforeAll
    static void bucket() {
        s3 = S3Client.builder().endpointOverride(LocalAws.shared().s3Endpoint()).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
        s3.createBucket(b -> b.bucket(BUCKET));
        s3.putBucketVersioning(b -> b.bucket(BUCKET)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    }

    @Test
    void userMetadataOverTwoKilobytesIsRefusedAsS3RefusesIt() {
        // 2,048 bytes with the header names counted: 11 + 4 + 2,033.
        Map<String, String> atTheLimit = Map.of("note", "x".repeat(2033));
        s3.putObject(b -> b.bucket(BUCKET).key("at-limit").metadata(atTheLimit), RequestBody.fromString("a"));
        S3Exception refused = assertThrows(S3Exception.class, () -> s3.putObject(b -> b.bucket(BUCKET).key("over")
                .metadata(Map.of("note", "x".repeat(2034))), RequestBody.fromString("a")));
        assertEquals(400, refused.statusCode());
        assertEquals("MetadataTooLarge", refused.awsErrorDetails().errorCode());
        // Multi-byte characters count as their UTF-8 bytes: 700 CJK characters are 2,100 bytes.
        S3Exception onCopy = assertThrows(S3Exception.class, () -> s3.copyObject(b -> b.sourceBucket(BUCKET)
                .sourceKey("at-limit").destinationBucket(BUCKET).destinationKey("copy")
                .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("k", "鍵".repeat(700)))));
        assertEquals("MetadataTooLarge", onCopy.awsErrorDetails().errorCode());
        assertThrows(S3Exception.class, () -> s3.createMultipartUpload(b -> b.bucket(BUCKET).key("parts")
                .metadata(Map.of("k", "鍵".repeat(700)))));
    }

    @Test
    void oneCopyObjectOfASourceOverTheLimitIsRefusedAsS3RefusesIt() {
        long limit = StrictS3.maxCopyObjectBytes();
        assertTrue(limit < StrictS3.AWS_MAX_COPY_OBJECT_BYTES, "the tests run with a small single-copy limit");
        s3.putObject(b -> b.bucket(BUCKET).key("big"), RequestBody.fromBytes(new byte[(int) limit + 1]));
        S3Exception refused = assertThrows(S3Exception.class, () -> s3.copyObject(b -> b.sourceBucket(BUCKET)
                .sourceKey("big").destinationBucket(BUCKET).destinationKey("big-copy")));
        assertEquals(400, refused.statusCode());
        assertEquals("InvalidRequest", refused.awsErrorDetails().errorCode());
        assertTrue(refused.getMessage().contains("larger than the maximum allowable size for a copy source"));
        s3.putObject(b -> b.bucket(BUCKET).key("small"), RequestBody.fromBytes(new byte[(int) limit]));
        s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("small").destinationBucket(BUCKET)
                .destinationKey("small-copy"));
    }

    @Test
    void aReplaceCopyServesOnlyWhatTheCopyRequestSet() {
        s3.putObject(b -> b.bucket(BUCKET).key("photo.jpg").contentType("image/jpeg").cacheControl("max-age=60")
                .contentDisposition("inline").metadata(Map.of("owner", "alice")), RequestBody.fromString("jpeg"));
        String bare = s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("photo.jpg").destinationBucket(BUCKET)
                .destinationKey("bare.jpg").metadataDirective(MetadataDirective.REPLACE)).versionId();
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key("bare.jpg").versionId(bare));
        assertEquals("binary/octet-stream", head.contentType());
        assertNull(head.cacheControl());
        assertNull(head.contentDisposition());
        assertTrue(head.metadata().isEmpty(), "AWS keeps none of the source's metadata: " + head.metadata());

        s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("photo.jpg").destinationBucket(BUCKET)
                .destinationKey("dressed.jpg").metadataDirective(MetadataDirective.REPLACE).contentType("image/png")
                .cacheControl("no-store").metadata(Map.of("owner", "bob")));
        HeadObjectResponse latest = s3.headObject(b -> b.bucket(BUCKET).key("dressed.jpg"));
        assertEquals("image/png", latest.contentType());
        assertEquals("no-store", latest.cacheControl());
        assertNull(latest.contentDisposition());
        assertEquals(Map.of("owner", "bob"), latest.metadata());

        // A COPY-directive copy of it keeps what the REPLACE copy set.
        s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("dressed.jpg").destinationBucket(BUCKET)
                .destinationKey("again.jpg"));
        assertEquals("image/png", s3.headObject(b -> b.bucket(BUCKET).key("again.jpg")).contentType());
        assertEquals(Map.of("owner", "bob"), s3.getObject(b -> b.bucket(BUCKET).key("again.jpg")).response().metadata());
    }
}
