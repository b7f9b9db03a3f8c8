package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The AWS managed policies SAM attaches to function roles, as AWS publishes them. They serve the Lambda service
 * (logs, traces, polling the queue), not the function's code; the least-privilege proof lists them apart.
 */
final class ManagedPolicies {

    static final String PREFIX = "arn:aws:iam::aws:policy/";

    private static final Map<String, String> DOCUMENTS = Map.of(
            "service-role/AWSLambdaBasicExecutionRole",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
                    + "\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}",
            "AWSXrayWriteOnlyAccess",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"xray:PutTraceSegments\",\"xray:PutTelemetryRecords\","
                    + "\"xray:GetSamplingRules\",\"xray:GetSamplingTargets\",\"xray:GetSamplingStatisticSummaries\"],"
                    + "\"Resource\":\"*\"}]}",
            "service-role/AWSLambdaSQSQueueExecutionRole",
            "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\","
                    + "\"sqs:GetQueueAttributes\",\"logs:CreateLogGroup\",\"logs:CreateLogStream\","
                    + "\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}");

    private ManagedPolicies() {
    }

    static boolean isManaged(PolicyDocument policy) {
        return policy.name().startsWith(PREFIX);
    }

    static PolicyDocument get(String arn) {
        String document = arn.startsWith(PREFIX) ? DOCUMENTS.get(arn.substring(PREFIX.length())) : null;
        if (document == null) {
            throw new IllegalArgumentException("managed policy " + arn + " is not known here; add its document");
        }
        try {
            return PolicyDocument.parse(arn, new ObjectMapper().readTree(document), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
