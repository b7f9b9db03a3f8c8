package dev.sentinel.local.iam;

import dev.sentinel.local.iam.Authorization.ObjectAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.SdkRequest;

/**
 * What IAM asks of each SDK call the functions make, from AWS's service authorization reference and the S3 API
 * reference's "Permissions" sections: the action (the versioned variant when a version is named), the resource ARN,
 * the request's condition keys, and the permissions AWS checks on the caller's behalf (KMS for SSE-KMS objects, S3
 * reads that Rekognition makes with the caller's credentials, both queues of a message move task). An operation not
 * listed here is refused loudly, so a new kind of call cannot slip past the proof.
 */
public final class AwsCallAuthorizations {

    /**
     * @param required  every permission the call needs
     * @param ifMissing for reads of one object: S3 answers a missing key with 404 only to callers that may list the
     *                  bucket, and with 403 to everyone else
     */
    public record Plan(List<Authorization> required, Authorization ifMissing) { }

    private final DeployedStack stack;

    public AwsCallAuthorizations(DeployedStack stack) {
        this.stack = stack;
    }

    public Plan plan(String service, String operation, SdkRequest request) {
        return switch (service) {
            case "s3" -> s3(operation, request);
            case "dynamodb" -> dynamo(operation, request);
            case "rekognition" -> rekognition(operation, request);
            case "sqs" -> sqs(operation, request);
            case "sns" -> sns(operation, request);
            default -> throw unmapped(service, operation);
        };
    }

    private static IllegalArgumentException unmapped(String service, String operation) {
        return new IllegalArgumentException("no IAM mapping for " + service + ":" + operation
                + "; add it to AwsCallAuthorizations from the service authorization reference");
    }

    // ------------------------------------------------------------------ S3

    private Plan s3(String operation, SdkRequest request) {
        String bucket = text(request, "Bucket");
        String key = text(request, "Key");
        String version = text(request, "VersionId");
        ObjectAddress object = bucket == null || key == null ? null : new ObjectAddress(bucket, key, version);
        boolean versioned = version != null;
        List<Authorization> needs = new ArrayList<>();
        Authorization ifMissing = null;
        switch (operation) {
            case "HeadObject" -> {
                needs.add(onObject(versioned ? "s3:GetObjectVersion" : "s3:GetObject", object, Map.of(), ""));
                // HeadObject: with checksum mode on an SSE-KMS object, "you must have permission to use the
                // kms:Decrypt action to retrieve the checksum".
                if ("ENABLED".equals(text(request, "ChecksumMode"))) {
                    kmsFor(bucket, "kms:Decrypt", "the checksum of an SSE-KMS object").ifPresent(needs::add);
                }
                ifMissing = listBucket(bucket);
            }
            case "GetObject" -> {
                needs.add(onObject(versioned ? "s3:GetObjectVersion" : "s3:GetObject", object, Map.of(), ""));
                kmsFor(bucket, "kms:Decrypt", "reading an SSE-KMS object").ifPresent(needs::add);
                ifMissing = listBucket(bucket);
            }
            case "GetObjectTagging" -> {
                needs.add(onObject(versioned ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging", object, Map.of(),
                        ""));
                ifMissing = listBucket(bucket);
            }
            case "PutObjectTagging" -> needs.add(onObject(versioned ? "s3:PutObjectVersionTagging"
                    : "s3:PutObjectTagging", object, requestTags(tagSet(request)), ""));
            case "DeleteObjectTagging" -> needs.add(onObject(versioned ? "s3:DeleteObjectVersionTagging"
                    : "s3:DeleteObjectTagging", object, Map.of(), ""));
            case "DeleteObject" -> needs.add(onObject(versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject", object,
                    Map.of(), ""));
            case "PutObjectLegalHold" -> needs.add(onObject("s3:PutObjectLegalHold", object, Map.of(), ""));
            case "PutObjectRetention" -> needs.add(onObject("s3:PutObjectRetention", object, Map.of(), ""));
            case "PutObject", "CreateMultipartUpload" -> {
                Map<String, String> tags = requestTags(queryTags(text(request, "Tagging")));
                needs.add(onObject("s3:PutObject", object, tags, ""));
                if (!tags.isEmpty()) {
                    needs.add(onObject("s3:PutObjectTagging", object, tags, "tags on upload"));
                }
                kmsFor(bucket, "kms:GenerateDataKey", "writing into an SSE-KMS bucket").ifPresent(needs::add);
            }
            case "UploadPart" -> {
                needs.add(onObject("s3:PutObject", object, Map.of(), ""));
                kmsFor(bucket, "kms:Decrypt", "a part of a multipart upload into an SSE-KMS bucket").ifPresent(needs::add);
            }
            case "CompleteMultipartUpload" -> needs.add(onObject("s3:PutObject", object, Map.of(), ""));
            case "AbortMultipartUpload" -> needs.add(onObject("s3:AbortMultipartUpload", object, Map.of(), ""));
            case "CopyObject", "UploadPartCopy" -> copy(operation, request, needs);
            case "ListObjectVersions" -> needs.add(new Authorization("s3:ListBucketVersions", bucketArn(bucket),
                    bucketResource(bucket), Map.of(), "", null));
            case "ListObjectsV2", "ListObjects" -> needs.add(new Authorization("s3:ListBucket", bucketArn(bucket),
                    bucketResource(bucket), Map.of(), "", null));
            default -> throw unmapped("s3", operation);
        }
        return new Plan(needs, ifMissing);
    }

    private void copy(String operation, SdkRequest request, List<Authorization> needs) {
        ObjectAddress source = copySource(request);
        String sourceBucket = source.bucket();
        String sourceVersion = source.versionId();
        String targetBucket = text(request, "DestinationBucket");
        ObjectAddress target = new ObjectAddress(targetBucket, text(request, "DestinationKey"), null);
        // Tags in the request exist only with the REPLACE directive; COPY (the default) takes the source's.
        boolean replaceTags = "REPLACE".equals(text(request, "TaggingDirective"));
        Map<String, String> tags = replaceTags ? requestTags(queryTags(text(request, "Tagging"))) : Map.of();
        // A bucket policy can refuse copies by this key: the header carries the source as bucket/key[?versionId=].
        Map<String, String> targetKeys = new LinkedHashMap<>(tags);
        targetKeys.put("s3:x-amz-copy-source", source.bucket() + "/" + source.key()
                + (sourceVersion == null ? "" : "?versionId=" + sourceVersion));
        needs.add(onObject(sourceVersion != null ? "s3:GetObjectVersion" : "s3:GetObject", source, Map.of(),
                "copy source"));
        needs.add(onObject("s3:PutObject", target, targetKeys, "copy target"));
        if (operation.equals("CopyObject")) {
            if (!replaceTags) {
                needs.add(onObject(sourceVersion != null ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging",
                        source, Map.of(), "copying the source's tags"));
            } else if (!tags.isEmpty()) {
                needs.add(onObject("s3:PutObjectTagging", target, tags, "tags on the copy"));
            }
            // Whether S3 also checks s3:PutObjectTagging when COPY brings the source's tags is not documented; the
            // double assumes it does not, so no gate here can rest on it (see DenyCopiesIntoUploads).
        }
        kmsFor(sourceBucket, "kms:Decrypt", "reading an SSE-KMS copy source").ifPresent(needs::add);
        // Multipart uploads into an SSE-KMS bucket: kms:GenerateDataKey for CreateMultipartUpload, then kms:Decrypt
        // for UploadPart and UploadPartCopy ("S3 must decrypt and read data from the encrypted file parts").
        if (operation.equals("CopyObject")) {
            kmsFor(targetBucket, "kms:GenerateDataKey", "writing into an SSE-KMS bucket").ifPresent(needs::add);
        } else {
            kmsFor(targetBucket, "kms:Decrypt", "a part copied into an SSE-KMS bucket").ifPresent(needs::add);
        }
    }

    /** The SDK turns a copy's source bucket, key and version into S3's one URL-encoded header before any interceptor. */
    private static ObjectAddress copySource(SdkRequest request) {
        String header = text(request, "CopySource");
        if (header == null) {
            return new ObjectAddress(text(request, "SourceBucket"), text(request, "SourceKey"),
                    text(request, "SourceVersionId"));
        }
        String version = null;
        int query = header.lastIndexOf("?versionId=");
        if (query >= 0) {
            version = URLDecoder.decode(header.substring(query + "?versionId=".length()), StandardCharsets.UTF_8);
            header = header.substring(0, query);
        }
        int slash = header.indexOf('/');
        return new ObjectAddress(header.substring(0, slash),
                URLDecoder.decode(header.substring(slash + 1), StandardCharsets.UTF_8), version);
    }

    private Authorization onObject(String action, ObjectAddress object, Map<String, String> requestKeys, String why) {
        return new Authorization(action, bucketArn(object.bucket()) + "/" + object.key(), bucketResource(object.bucket()),
                requestKeys, why, object);
    }

    private Authorization listBucket(String bucket) {
        return new Authorization("s3:ListBucket", bucketArn(bucket), bucketResource(bucket), Map.of(),
                "a missing key answers 404 only with s3:ListBucket, 403 without", null);
    }

    private Optional<Authorization> kmsFor(String bucket, String action, String why) {
        String logical = bucketResource(bucket);
        if (logical == null) {
            return Optional.empty();
        }
        return stack.bucketKey(logical).map(key -> new Authorization(action, stack.getAtt(key, "Arn"), key, Map.of(),
                why, null));
    }

    private String bucketResource(String bucket) {
        return StackBinding.logicalId(bucket).filter(l -> stack.type(l).equals("AWS::S3::Bucket")).orElse(null);
    }

    private String bucketArn(String bucket) {
        String logical = bucketResource(bucket);
        return "arn:" + DeployedStack.PARTITION + ":s3:::" + (logical == null ? bucket : stack.ref(logical));
    }

    private static Map<String, String> requestTags(Map<String, String> tags) {
        Map<String, String> keys = new LinkedHashMap<>();
        tags.forEach((k, v) -> keys.put("s3:RequestObjectTag/" + k, v));
        return keys;
    }

    private static Map<String, String> queryTags(String tagging) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (tagging == null || tagging.isEmpty()) {
            return tags;
        }
        for (String pair : tagging.split("&")) {
            String[] kv = pair.split("=", 2);
            tags.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return tags;
    }

    private static Map<String, String> tagSet(SdkRequest request) {
        Map<String, String> tags = new LinkedHashMap<>();
        Object tagging = field(request, "Tagging");
        if (tagging != null) {
            for (Object tag : (Collection<?>) field(tagging, "TagSet")) {
                tags.put((String) field(tag, "Key"), (String) field(tag, "Value"));
            }
        }
        return tags;
    }

    // ------------------------------------------------------------------ DynamoDB

    private Plan dynamo(String operation, SdkRequest request) {
        List<Authorization> needs = new ArrayList<>();
        switch (operation) {
            case "GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable", "CreateTable" ->
                    needs.add(table("dynamodb:" + operation, text(request, "TableName"), null));
            case "Query", "Scan" -> needs.add(table("dynamodb:" + operation, text(request, "TableName"),
                    text(request, "IndexName")));
            case "BatchWriteItem", "BatchGetItem" -> {
                Map<?, ?> items = (Map<?, ?>) field(request, "RequestItems");
                items.keySet().forEach(t -> needs.add(table("dynamodb:" + operation, (String) t, null)));
            }
            case "TransactWriteItems" -> {
                for (Object item : (Collection<?>) field(request, "TransactItems")) {
                    for (String kind : List.of("Put", "Update", "Delete", "ConditionCheck")) {
                        Object part = field(item, kind);
                        if (part != null) {
                            String action = kind.equals("ConditionCheck") ? "dynamodb:ConditionCheckItem"
                                    : "dynamodb:" + kind + "Item";
                            needs.add(table(action, (String) field(part, "TableName"), null));
                        }
                    }
                }
            }
            case "TransactGetItems" -> {
                for (Object item : (Collection<?>) field(request, "TransactItems")) {
                    needs.add(table("dynamodb:GetItem", (String) field(field(item, "Get"), "TableName"), null));
                }
            }
            default -> throw unmapped("dynamodb", operation);
        }
        return new Plan(needs, null);
    }

    private Authorization table(String action, String table, String index) {
        return inStack(action, "AWS::DynamoDB::Table", table, "dynamodb:" + DeployedStack.REGION + ":"
                + DeployedStack.ACCOUNT + ":table/" + table, index == null ? "" : "/index/" + index, "");
    }

    /**
     * A permission on the stack resource of {@code type} a local name stands for (its ARN as deployed, plus
     * {@code suffix}), or on the local name's own ARN ({@code arn:aws:} + {@code unboundArn}) when it stands for none.
     */
    private Authorization inStack(String action, String type, String localName, String unboundArn, String suffix,
                                  String why) {
        Optional<String> logical = StackBinding.logicalId(localName).filter(l -> stack.type(l).equals(type));
        String arn = logical.map(l -> stack.getAtt(l, "Arn")).orElse("arn:" + DeployedStack.PARTITION + ":" + unboundArn);
        return new Authorization(action, arn + suffix, logical.orElse(null), Map.of(), why, null);
    }

    // ------------------------------------------------------------------ Rekognition

    /** Face-collection operations: each is authorised on the collection's ARN. */
    private static final java.util.Set<String> COLLECTION_OPERATIONS = java.util.Set.of("CreateCollection",
            "DescribeCollection", "DeleteCollection", "IndexFaces", "SearchFacesByImage", "SearchFaces", "ListFaces",
            "DeleteFaces");

    private Plan rekognition(String operation, SdkRequest request) {
        if (COLLECTION_OPERATIONS.contains(operation)) {
            String collection = text(request, "CollectionId");
            List<Authorization> needs = new ArrayList<>();
            needs.add(inStack("rekognition:" + operation, "AWS::Rekognition::Collection", collection, "rekognition:"
                    + DeployedStack.REGION + ":" + DeployedStack.ACCOUNT + ":collection/" + collection, "", ""));
            if (field(field(request, "Image"), "S3Object") != null) {
                throw new IllegalArgumentException(operation + " with an S3Object image is not modelled: the likeness "
                        + "code sends bytes, and must keep reference photos out of S3");
            }
            return new Plan(needs, null);
        }
        if (!operation.equals("DetectModerationLabels") && !operation.equals("DetectFaces")) {
            throw unmapped("rekognition", operation);
        }
        List<Authorization> needs = new ArrayList<>();
        needs.add(new Authorization("rekognition:" + operation, "*", null, Map.of(), "", null));
        Object s3Object = field(field(request, "Image"), "S3Object");
        if (s3Object != null) {
            // Rekognition reads the object with the caller's own permissions, bucket policy included.
            String version = (String) field(s3Object, "Version");
            ObjectAddress object = new ObjectAddress((String) field(s3Object, "Bucket"), (String) field(s3Object, "Name"),
                    version);
            needs.add(onObject(version != null ? "s3:GetObjectVersion" : "s3:GetObject", object, Map.of(),
                    "Rekognition reads the image as the caller"));
            kmsFor(object.bucket(), "kms:Decrypt", "Rekognition reads an SSE-KMS image").ifPresent(needs::add);
        }
        return new Plan(needs, null);
    }

    // ------------------------------------------------------------------ SNS

    private Plan sns(String operation, SdkRequest request) {
        return switch (operation) {
            case "Publish", "Subscribe" -> new Plan(List.of(onTopic("sns:" + operation, text(request, "TopicArn"))),
                    null);
            // The request names a subscription ARN only, no topic: authorized on "*" (as the template grants it).
            case "Unsubscribe" -> new Plan(List.of(new Authorization("sns:Unsubscribe", "*", null, Map.of(),
                    "", null)), null);
            default -> throw unmapped("sns", operation);
        };
    }

    private Authorization onTopic(String action, String topicArn) {
        Optional<String> logical = StackBinding.logicalId(topicArn).filter(l -> stack.type(l).equals("AWS::SNS::Topic"));
        return new Authorization(action, logical.map(stack::ref).orElse(topicArn), logical.orElse(null), Map.of(), "",
                null);
    }

    // ------------------------------------------------------------------ SQS

    private Plan sqs(String operation, SdkRequest request) {
        List<Authorization> needs = new ArrayList<>();
        switch (operation) {
            case "SendMessage", "SendMessageBatch" -> needs.add(queue("sqs:SendMessage", text(request, "QueueUrl"), ""));
            case "GetQueueAttributes", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "PurgeQueue",
                 "ChangeMessageVisibility" -> needs.add(queue("sqs:" + operation.replace("Batch", ""),
                    text(request, "QueueUrl"), ""));
            case "ListMessageMoveTasks" -> needs.add(queue("sqs:ListMessageMoveTasks", text(request, "SourceArn"), ""));
            case "CancelMessageMoveTask" -> needs.add(new Authorization("sqs:CancelMessageMoveTask", "*", null, Map.of(),
                    "", null));
            case "StartMessageMoveTask" -> {
                // The task reads and deletes from the source and sends to the destination as the caller.
                String source = text(request, "SourceArn");
                for (String action : List.of("sqs:StartMessageMoveTask", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                        "sqs:GetQueueAttributes")) {
                    needs.add(queue(action, source, "message move task source"));
                }
                String destination = text(request, "DestinationArn");
                if (destination != null) {
                    needs.add(queue("sqs:SendMessage", destination, "message move task destination"));
                } else {
                    redriveSources(source).forEach(q -> needs.add(new Authorization("sqs:SendMessage",
                            stack.getAtt(q, "Arn"), q, Map.of(), "back to the queue that dead-lettered it", null)));
                }
            }
            default -> throw unmapped("sqs", operation);
        }
        return new Plan(needs, null);
    }

    private Authorization queue(String action, String urlOrArn, String why) {
        return inStack(action, "AWS::SQS::Queue", urlOrArn, "sqs:" + DeployedStack.REGION + ":" + DeployedStack.ACCOUNT
                + ":" + StackBinding.localName(urlOrArn), "", why);
    }

    /** The queues whose redrive policy sends to the dead-letter queue {@code deadLetterArn} stands for. */
    private List<String> redriveSources(String deadLetterArn) {
        List<String> sources = new ArrayList<>();
        StackBinding.logicalId(deadLetterArn).ifPresent(dlq -> {
            for (String q : stack.resourcesOfType("AWS::SQS::Queue")) {
                if (stack.property(q, "RedrivePolicy").path("deadLetterTargetArn").asText()
                        .equals(stack.getAtt(dlq, "Arn"))) {
                    sources.add(q);
                }
            }
        });
        return sources;
    }

    // ------------------------------------------------------------------ generic request fields

    private static String text(SdkRequest request, String member) {
        Object value = field(request, member);
        return value == null ? null : value.toString();
    }

    /** A member of an SDK request or model object by its service-model name, without compiling against the model. */
    static Object field(Object pojo, String member) {
        if (!(pojo instanceof SdkPojo sdk)) {
            return null;
        }
        for (SdkField<?> field : sdk.sdkFields()) {
            if (field.memberName().equals(member)) {
                return field.getValueOrDefault(pojo);
            }
        }
        return null;
    }
}
