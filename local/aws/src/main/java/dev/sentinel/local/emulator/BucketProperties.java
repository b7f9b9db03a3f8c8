package dev.sentinel.local.emulator;

import static dev.sentinel.local.emulator.DeclaredProperty.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.FilterRule;
import software.amazon.awssdk.services.s3.model.GetBucketNotificationConfigurationResponse;
import software.amazon.awssdk.services.s3.model.LifecycleExpiration;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.NoncurrentVersionExpiration;
import software.amazon.awssdk.services.s3.model.NotificationConfigurationFilter;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.QueueConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;
import software.amazon.awssdk.services.s3.model.TopicConfiguration;

/** {@code AWS::S3::Bucket} and {@code AWS::S3::BucketPolicy} properties, read and set through S3's API. */
final class BucketProperties {

    private static final Set<String> LIFECYCLE_RULE_FIELDS = Set.of("Id", "Status", "Prefix",
            "AbortIncompleteMultipartUpload", "ExpirationInDays", "NoncurrentVersionExpiration");

    private BucketProperties() {
    }

    /** In the order they are set: Object Lock needs versioning first. */
    static List<DeclaredProperty> bucket(S3Client s3) {
        return List.of(
                DeclaredProperty.of("BucketName", r -> {
                    s3.headBucket(b -> b.bucket(r.physicalId()));
                    return Optional.of(TextNode.valueOf(r.physicalId()));
                }, null),
                DeclaredProperty.of("VersioningConfiguration", r -> {
                    String status = s3.getBucketVersioning(b -> b.bucket(r.physicalId())).statusAsString();
                    return status == null ? Optional.empty() : Optional.of(JSON.createObjectNode().put("Status", status));
                }, (r, declared) -> s3.putBucketVersioning(b -> b.bucket(r.physicalId())
                        .versioningConfiguration(v -> v.status(declared.path("Status").asText())))),
                DeclaredProperty.of("ObjectLockEnabled", r -> Optional.of(BooleanNode.valueOf(absentIfNotFound(() ->
                        s3.getObjectLockConfiguration(b -> b.bucket(r.physicalId())).objectLockConfiguration())
                        .map(c -> c.objectLockEnabled() == ObjectLockEnabled.ENABLED).orElse(false))),
                        (r, declared) -> {
                            if (declared.asBoolean()) {
                                s3.putObjectLockConfiguration(b -> b.bucket(r.physicalId())
                                        .objectLockConfiguration(c -> c.objectLockEnabled(ObjectLockEnabled.ENABLED)));
                            }
                        }),
                DeclaredProperty.of("BucketEncryption", r -> absentIfNotFound(() -> s3.getBucketEncryption(b ->
                        b.bucket(r.physicalId())).serverSideEncryptionConfiguration().rules()).map(rules -> {
                            ObjectNode encryption = JSON.createObjectNode();
                            ArrayNode out = encryption.putArray("ServerSideEncryptionConfiguration");
                            for (ServerSideEncryptionRule rule : rules) {
                                ObjectNode cfn = out.addObject();
                                ObjectNode byDefault = cfn.putObject("ServerSideEncryptionByDefault")
                                        .put("SSEAlgorithm", rule.applyServerSideEncryptionByDefault()
                                                .sseAlgorithmAsString());
                                if (rule.applyServerSideEncryptionByDefault().kmsMasterKeyID() != null) {
                                    byDefault.put("KMSMasterKeyID",
                                            rule.applyServerSideEncryptionByDefault().kmsMasterKeyID());
                                }
                                cfn.put("BucketKeyEnabled", Boolean.TRUE.equals(rule.bucketKeyEnabled()));
                            }
                            return (JsonNode) encryption;
                        }), (r, declared) -> {
                            List<ServerSideEncryptionRule> rules = new ArrayList<>();
                            for (JsonNode rule : declared.path("ServerSideEncryptionConfiguration")) {
                                JsonNode byDefault = rule.path("ServerSideEncryptionByDefault");
                                rules.add(ServerSideEncryptionRule.builder()
                                        .applyServerSideEncryptionByDefault(d -> d
                                                .sseAlgorithm(byDefault.path("SSEAlgorithm").asText())
                                                .kmsMasterKeyID(byDefault.path("KMSMasterKeyID").textValue()))
                                        .bucketKeyEnabled(rule.path("BucketKeyEnabled").asBoolean(false)).build());
                            }
                            s3.putBucketEncryption(b -> b.bucket(r.physicalId())
                                    .serverSideEncryptionConfiguration(c -> c.rules(rules)));
                        }).normalizedBy(encryption -> {
                            ObjectNode copy = encryption.deepCopy();
                            copy.path("ServerSideEncryptionConfiguration").forEach(rule -> ((ObjectNode) rule)
                                    .put("BucketKeyEnabled", rule.path("BucketKeyEnabled").asBoolean(false)));
                            return copy;
                        }),
                DeclaredProperty.of("PublicAccessBlockConfiguration", r -> absentIfNotFound(() ->
                        s3.getPublicAccessBlock(b -> b.bucket(r.physicalId())).publicAccessBlockConfiguration())
                        .map(c -> (JsonNode) JSON.createObjectNode()
                                .put("BlockPublicAcls", Boolean.TRUE.equals(c.blockPublicAcls()))
                                .put("BlockPublicPolicy", Boolean.TRUE.equals(c.blockPublicPolicy()))
                                .put("IgnorePublicAcls", Boolean.TRUE.equals(c.ignorePublicAcls()))
                                .put("RestrictPublicBuckets", Boolean.TRUE.equals(c.restrictPublicBuckets()))),
                        (r, declared) -> s3.putPublicAccessBlock(b -> b.bucket(r.physicalId())
                                .publicAccessBlockConfiguration(c -> c
                                        .blockPublicAcls(declared.path("BlockPublicAcls").asBoolean(false))
                                        .blockPublicPolicy(declared.path("BlockPublicPolicy").asBoolean(false))
                                        .ignorePublicAcls(declared.path("IgnorePublicAcls").asBoolean(false))
                                        .restrictPublicBuckets(declared.path("RestrictPublicBuckets").asBoolean(false)))))
                        .normalizedBy(block -> DeclaredProperty.withDefaults(block, Map.of("BlockPublicAcls", false,
                                "BlockPublicPolicy", false, "IgnorePublicAcls", false, "RestrictPublicBuckets", false))),
                DeclaredProperty.of("OwnershipControls", r -> absentIfNotFound(() ->
                        s3.getBucketOwnershipControls(b -> b.bucket(r.physicalId())).ownershipControls()).map(c -> {
                            ObjectNode controls = JSON.createObjectNode();
                            ArrayNode rules = controls.putArray("Rules");
                            c.rules().forEach(rule -> rules.addObject().put("ObjectOwnership",
                                    rule.objectOwnershipAsString()));
                            return (JsonNode) controls;
                        }), (r, declared) -> {
                            List<String> ownership = new ArrayList<>();
                            declared.path("Rules").forEach(rule -> ownership.add(rule.path("ObjectOwnership").asText()));
                            s3.putBucketOwnershipControls(b -> b.bucket(r.physicalId()).ownershipControls(c -> c
                                    .rules(ownership.stream().map(o -> software.amazon.awssdk.services.s3.model
                                            .OwnershipControlsRule.builder().objectOwnership(o).build()).toList())));
                        }),
                DeclaredProperty.of("LifecycleConfiguration", r -> absentIfNotFound(() ->
                        s3.getBucketLifecycleConfiguration(b -> b.bucket(r.physicalId())).rules())
                        .map(BucketProperties::lifecycleAsTemplate), (r, declared) -> s3.putBucketLifecycleConfiguration(
                                b -> b.bucket(r.physicalId()).lifecycleConfiguration(lifecycleFromTemplate(declared))))
                        .normalizedBy(lifecycle -> {
                            ObjectNode copy = lifecycle.deepCopy();
                            copy.set("Rules", DeclaredProperty.sortedBy(copy.path("Rules"), "Id"));
                            return copy;
                        }),
                DeclaredProperty.of("NotificationConfiguration",
                        r -> notificationsAsTemplate(s3.getBucketNotificationConfiguration(b -> b.bucket(r.physicalId()))),
                        (r, declared) -> putNotifications(s3, r.physicalId(), declared))
                        .normalizedBy(BucketProperties::normalizeNotifications));
    }

    static List<DeclaredProperty> bucketPolicy(S3Client s3) {
        return List.of(
                DeclaredProperty.of("Bucket", r -> {
                    String bucket = r.declared("Bucket").asText();
                    s3.headBucket(b -> b.bucket(bucket));
                    return Optional.of(TextNode.valueOf(bucket));
                }, null),
                DeclaredProperty.of("PolicyDocument", r -> absentIfNotFound(() -> s3.getBucketPolicy(b ->
                        b.bucket(r.declared("Bucket").asText())).policy()).map(DeclaredProperty::parse),
                        (r, declared) -> s3.putBucketPolicy(b -> b.bucket(r.declared("Bucket").asText())
                                .policy(DeclaredProperty.write(declared)))));
    }

    /** An S3 read whose 404 ("no such configuration") means the setting is unset. */
    private static <T> Optional<T> absentIfNotFound(Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static JsonNode lifecycleAsTemplate(List<LifecycleRule> rules) {
        ObjectNode lifecycle = JSON.createObjectNode();
        ArrayNode out = lifecycle.putArray("Rules");
        for (LifecycleRule rule : rules) {
            ObjectNode cfn = out.addObject().put("Id", rule.id()).put("Status", rule.statusAsString());
            String prefix = rule.filter() != null && rule.filter().prefix() != null ? rule.filter().prefix()
                    : rule.prefix();
            if (prefix != null && !prefix.isEmpty()) {
                cfn.put("Prefix", prefix);
            }
            if (rule.abortIncompleteMultipartUpload() != null) {
                cfn.putObject("AbortIncompleteMultipartUpload").put("DaysAfterInitiation",
                        rule.abortIncompleteMultipartUpload().daysAfterInitiation());
            }
            if (rule.expiration() != null && rule.expiration().days() != null) {
                cfn.put("ExpirationInDays", rule.expiration().days());
            }
            if (rule.noncurrentVersionExpiration() != null) {
                cfn.putObject("NoncurrentVersionExpiration").put("NoncurrentDays",
                        rule.noncurrentVersionExpiration().noncurrentDays());
            }
        }
        return lifecycle;
    }

    private static BucketLifecycleConfiguration lifecycleFromTemplate(JsonNode declared) {
        List<LifecycleRule> rules = new ArrayList<>();
        for (JsonNode rule : declared.path("Rules")) {
            rule.fieldNames().forEachRemaining(field -> {
                if (!LIFECYCLE_RULE_FIELDS.contains(field)) {
                    throw new UnsupportedOperationException("LifecycleConfiguration rule field " + field
                            + " is not mapped to S3's API here; map it in " + BucketProperties.class.getSimpleName());
                }
            });
            LifecycleRule.Builder built = LifecycleRule.builder().id(rule.path("Id").asText())
                    .status(rule.path("Status").asText())
                    .filter(LifecycleRuleFilter.builder().prefix(rule.path("Prefix").asText("")).build());
            if (rule.has("AbortIncompleteMultipartUpload")) {
                built.abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder().daysAfterInitiation(
                        rule.path("AbortIncompleteMultipartUpload").path("DaysAfterInitiation").asInt()).build());
            }
            if (rule.has("ExpirationInDays")) {
                built.expiration(LifecycleExpiration.builder().days(rule.path("ExpirationInDays").asInt()).build());
            }
            if (rule.has("NoncurrentVersionExpiration")) {
                built.noncurrentVersionExpiration(NoncurrentVersionExpiration.builder().noncurrentDays(
                        rule.path("NoncurrentVersionExpiration").path("NoncurrentDays").asInt()).build());
            }
            rules.add(built.build());
        }
        return BucketLifecycleConfiguration.builder().rules(rules).build();
    }

    /** S3 lists events per destination; the template writes one destination entry per event. */
    private static Optional<JsonNode> notificationsAsTemplate(GetBucketNotificationConfigurationResponse config) {
        ObjectNode cfn = JSON.createObjectNode();
        ArrayNode queues = JSON.createArrayNode();
        for (QueueConfiguration queue : config.queueConfigurations()) {
            queue.eventsAsStrings().forEach(event -> queues.add(destination(event, "Queue", queue.queueArn(),
                    queue.filter())));
        }
        ArrayNode topics = JSON.createArrayNode();
        for (TopicConfiguration topic : config.topicConfigurations()) {
            topic.eventsAsStrings().forEach(event -> topics.add(destination(event, "Topic", topic.topicArn(),
                    topic.filter())));
        }
        if (!queues.isEmpty()) {
            cfn.set("QueueConfigurations", queues);
        }
        if (!topics.isEmpty()) {
            cfn.set("TopicConfigurations", topics);
        }
        if (!config.lambdaFunctionConfigurations().isEmpty()) {
            cfn.put("LambdaConfigurations", config.lambdaFunctionConfigurations().toString());
        }
        if (config.eventBridgeConfiguration() != null) {
            cfn.putObject("EventBridgeConfiguration").put("EventBridgeEnabled", true);
        }
        return cfn.isEmpty() ? Optional.empty() : Optional.of(cfn);
    }

    private static ObjectNode destination(String event, String kind, String arn, NotificationConfigurationFilter filter) {
        ObjectNode entry = JSON.createObjectNode().put("Event", event).put(kind, arn);
        if (filter != null && filter.key() != null && !filter.key().filterRules().isEmpty()) {
            ArrayNode rules = entry.putObject("Filter").putObject("S3Key").putArray("Rules");
            for (FilterRule rule : filter.key().filterRules()) {
                rules.addObject().put("Name", rule.nameAsString()).put("Value", rule.value());
            }
        }
        return entry;
    }

    private static void putNotifications(S3Client s3, String bucket, JsonNode declared) {
        if (declared.has("LambdaConfigurations")) {
            throw new UnsupportedOperationException("a bucket notifying a function: the emulator runs no functions");
        }
        List<QueueConfiguration> queues = new ArrayList<>();
        for (JsonNode queue : declared.path("QueueConfigurations")) {
            queues.add(QueueConfiguration.builder().queueArn(queue.path("Queue").asText())
                    .eventsWithStrings(queue.path("Event").asText()).filter(filterOf(queue)).build());
        }
        List<TopicConfiguration> topics = new ArrayList<>();
        for (JsonNode topic : declared.path("TopicConfigurations")) {
            topics.add(TopicConfiguration.builder().topicArn(topic.path("Topic").asText())
                    .eventsWithStrings(topic.path("Event").asText()).filter(filterOf(topic)).build());
        }
        s3.putBucketNotificationConfiguration(b -> b.bucket(bucket).notificationConfiguration(c -> {
            c.queueConfigurations(queues).topicConfigurations(topics);
            if (declared.path("EventBridgeConfiguration").path("EventBridgeEnabled").asBoolean(false)) {
                c.eventBridgeConfiguration(e -> { });
            }
        }));
    }

    private static NotificationConfigurationFilter filterOf(JsonNode destination) {
        JsonNode rules = destination.path("Filter").path("S3Key").path("Rules");
        if (rules.isEmpty()) {
            return null;
        }
        List<FilterRule> filterRules = new ArrayList<>();
        rules.forEach(rule -> filterRules.add(FilterRule.builder().name(rule.path("Name").asText())
                .value(rule.path("Value").asText()).build()));
        return NotificationConfigurationFilter.builder().key(k -> k.filterRules(filterRules)).build();
    }

    /** Destinations in a stable order; filter rule names as S3 compares them, without case. */
    private static JsonNode normalizeNotifications(JsonNode notifications) {
        ObjectNode copy = notifications.deepCopy();
        for (String kind : List.of("QueueConfigurations", "TopicConfigurations")) {
            if (!copy.has(kind)) {
                continue;
            }
            for (JsonNode destination : copy.get(kind)) {
                JsonNode rules = destination.path("Filter").path("S3Key").path("Rules");
                if (rules.isArray()) {
                    rules.forEach(rule -> ((ObjectNode) rule).put("Name",
                            rule.path("Name").asText().toLowerCase(Locale.ROOT)));
                    ((ObjectNode) destination.path("Filter").path("S3Key")).set("Rules",
                            DeclaredProperty.sortedBy(rules, "Name"));
                }
            }
            copy.set(kind, DeclaredProperty.sortedBy(copy.get(kind), "Event", "Queue", "Topic"));
        }
        return copy;
    }
}
