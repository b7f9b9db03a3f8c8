package dev.sentinel.scan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.Action;
import dev.sentinel.testing.TestAws;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * The read gate holds for every way an application can write into the uploads bucket: nothing is readable before
 * the pipeline approves it. The applications here have roles that allow them everything in S3; what stops them is
 * the uploads bucket's policy in template.yaml, evaluated on each call by the local IAM double
 * ({@code dev.sentinel.local.iam.FunctionRoles}), while S3Mock stores what gets through.
 */
class UploadGateTest {

    /** An application role as broad as they come: only the bucket policy can refuse it anything. */
    private static final String EVERYTHING_IN_S3 =
            "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}]}";

    private final ScanFixture fx = new ScanFixture();
    private final S3Client uploader = fx.aws.asApplication("PhotoAppUploader", EVERYTHING_IN_S3).s3();
    private final S3Client reader = fx.aws.asApplication("PhotoAppCdn", EVERYTHING_IN_S3).s3();
    private final byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");

    @Test
    void aPlainUploadIsUnreadableUntilThePipelineApprovesIt() {
        PutObjectResponse put = uploader.putObject(b -> b.bucket(fx.uploads).key("plain.jpg"),
                RequestBody.fromBytes(photo));
        refused(() -> read("plain.jpg"));

        ScanOutcome outcome = fx.service().scan(new ObjectEvent(new ObjectRef(fx.uploads, "plain.jpg",
                put.versionId()), put.eTag().replace("\"", ""), (long) photo.length, "ObjectCreated:Put", Instant.now()));

        assertEquals(Action.ALLOW, ((ScanOutcome.Decided) outcome).verdict().action());
        assertArrayEquals(photo, read("plain.jpg"));
    }

    /** Tags on an upload need s3:PutObjectTagging, which the bucket keeps for the pipeline: the tag set is its. */
    @Test
    void anUploadCarryingTagsIsRefusedTheApprovalTagAboveAll() {
        refused(() -> uploader.putObject(b -> b.bucket(fx.uploads).key("pre-approved.jpg")
                .tagging("moderation=approved"), RequestBody.fromBytes(photo)));
        refused(() -> uploader.createMultipartUpload(b -> b.bucket(fx.uploads).key("pre-approved-parts.jpg")
                .tagging("moderation=approved")));
        refused(() -> uploader.putObject(b -> b.bucket(fx.uploads).key("labelled.jpg").tagging("album=holiday"),
                RequestBody.fromBytes(photo)));
        assertEquals(0, fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads)).versions().size());
    }

    @Test
    void noCopyIntoTheUploadsBucketWhateverItsTaggingDirective() {
        String own = fx.aws.newBucket("attacker", true);
        uploader.putObject(b -> b.bucket(own).key("approved.jpg").tagging("moderation=approved"),
                RequestBody.fromBytes(photo));
        PutObjectResponse earlier = uploader.putObject(b -> b.bucket(fx.uploads).key("mine.jpg"),
                RequestBody.fromBytes(photo));

        // COPY (the default) would bring the source's approved tag; REPLACE, with or without tags, is refused too.
        refused(() -> uploader.copyObject(b -> b.sourceBucket(own).sourceKey("approved.jpg")
                .destinationBucket(fx.uploads).destinationKey("copied.jpg")));
        refused(() -> uploader.copyObject(b -> b.sourceBucket(own).sourceKey("approved.jpg")
                .destinationBucket(fx.uploads).destinationKey("copied.jpg").taggingDirective(TaggingDirective.REPLACE)
                .tagging("moderation=approved")));
        refused(() -> uploader.copyObject(b -> b.sourceBucket(own).sourceKey("approved.jpg")
                .destinationBucket(fx.uploads).destinationKey("copied.jpg").taggingDirective(TaggingDirective.REPLACE)));
        // Nor an old version of one's own upload restored as the current one.
        refused(() -> uploader.copyObject(b -> b.sourceBucket(fx.uploads).sourceKey("mine.jpg")
                .sourceVersionId(earlier.versionId()).destinationBucket(fx.uploads).destinationKey("mine.jpg")));
        assertEquals(0, fx.aws.s3().listObjectVersions(b -> b.bucket(fx.uploads).prefix("copied")).versions().size());
    }

    @Test
    void aMultipartUploadIsUnreadableUntilApproved() {
        String id = uploader.createMultipartUpload(b -> b.bucket(fx.uploads).key("parts.jpg")).uploadId();
        String eTag = uploader.uploadPart(b -> b.bucket(fx.uploads).key("parts.jpg").uploadId(id).partNumber(1),
                RequestBody.fromBytes(photo)).eTag();
        uploader.completeMultipartUpload(b -> b.bucket(fx.uploads).key("parts.jpg").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(eTag).build())));

        refused(() -> read("parts.jpg"));
    }

    @Test
    void applicationsCannotChangeTheModerationTagOfAnUpload() {
        uploader.putObject(b -> b.bucket(fx.uploads).key("retag.jpg"), RequestBody.fromBytes(photo));

        refused(() -> uploader.putObjectTagging(b -> b.bucket(fx.uploads).key("retag.jpg")
                .tagging(t -> t.tagSet(List.of(Tag.builder().key("moderation").value("approved").build())))));
        refused(() -> reader.deleteObjectTagging(b -> b.bucket(fx.uploads).key("retag.jpg")));
        refused(() -> read("retag.jpg"));
    }

    private byte[] read(String key) {
        return reader.getObjectAsBytes(b -> b.bucket(fx.uploads).key(key)).asByteArray();
    }

    private static void refused(Executable call) {
        S3Exception e = assertThrows(S3Exception.class, call);
        assertEquals(403, e.statusCode(), e.getMessage());
        assertEquals("AccessDenied", e.awsErrorDetails().errorCode(), e.getMessage());
    }
}
