package dev.sentinel.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code AWS::SQS::Queue} and {@code AWS::SQS::QueuePolicy} properties. A queue's properties are its SQS attributes
 * under the same names; the redrive policies are JSON documents in both.
 */
final class QueueProperties {

    private static final Set<String> JSON_ATTRIBUTES = Set.of("RedrivePolicy", "RedriveAllowPolicy");
    private static final List<String> ATTRIBUTES = List.of("DelaySeconds", "MaximumMessageSize",
            "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "SqsManagedSseEnabled",
            "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "RedrivePolicy", "RedriveAllowPolicy", "FifoQueue",
            "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit");

    private QueueProperties() {
    }

    static List<DeclaredProperty> queue(SqsClient sqs) {
        List<DeclaredProperty> properties = new ArrayList<>();
        properties.add(DeclaredProperty.of("QueueName", r -> Optional.of(TextNode.valueOf(
                queueName(r.physicalId()))), null));
        for (String attribute : ATTRIBUTES) {
            boolean json = JSON_ATTRIBUTES.contains(attribute);
            properties.add(DeclaredProperty.of(attribute, r -> Optional.ofNullable(attributes(sqs,
                    urlOf(sqs, r.physicalId())).get(attribute)).map(value -> json ? DeclaredProperty.parse(value)
                    : TextNode.valueOf(value)), (r, declared) -> setAttribute(sqs,
                            urlOf(sqs, r.physicalId()), attribute, json ? DeclaredProperty.write(declared)
                                    : declared.asText())));
        }
        return properties;
    }

    static List<DeclaredProperty> queuePolicy(SqsClient sqs) {
        return List.of(
                DeclaredProperty.of("Queues", r -> {
                    List<String> existing = new ArrayList<>();
                    r.declared("Queues").forEach(queue -> {
                        urlOf(sqs, queue.asText());
                        existing.add(queue.asText());
                    });
                    return Optional.of(DeclaredProperty.JSON.valueToTree(existing));
                }, null),
                DeclaredProperty.of("PolicyDocument", r -> {
                    JsonNode first = null;
                    for (JsonNode queue : r.declared("Queues")) {
                        String policy = attributes(sqs, urlOf(sqs, queue.asText())).get("Policy");
                        if (policy == null) {
                            return Optional.empty();
                        }
                        JsonNode parsed = DeclaredProperty.parse(policy);
                        if (first != null && !DeclaredProperty.same(first, parsed)) {
                            return Optional.empty();
                        }
                        first = parsed;
                    }
                    return Optional.ofNullable(first);
                }, (r, declared) -> r.declared("Queues").forEach(queue -> setAttribute(sqs,
                        urlOf(sqs, queue.asText()), "Policy", DeclaredProperty.write(declared)))));
    }

    /** The queue's URL as this emulator writes it, from any URL or ARN of it (CloudFormation's may name AWS's host). */
    static String urlOf(SqsClient sqs, String urlOrArn) {
        return sqs.getQueueUrl(b -> b.queueName(queueName(urlOrArn))).queueUrl();
    }

    static String queueName(String urlOrArn) {
        int cut = Math.max(urlOrArn.lastIndexOf('/'), urlOrArn.lastIndexOf(':'));
        return urlOrArn.substring(cut + 1);
    }

    static Map<String, String> attributes(SqsClient sqs, String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.ALL))
                .attributesAsStrings();
    }

    /** Sets one attribute by its name; SQS's API takes every attribute as text. */
    private static void setAttribute(SqsClient sqs, String url, String name, String value) {
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributesWithStrings(Map.of(name, value)));
    }
}
