package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of the stack's resources each local bucket, table and queue stands for. Tests name their resources
 * uniquely (uploads-12-x, verdicts-7); a function's environment says which template resource each one plays
 * ({@code UPLOAD_BUCKETS} is {@code !Ref UploadsBucket}), exactly as CloudFormation would fill it in. Calls are then
 * judged against the stack's names and ARNs. One binding per JVM: test names never repeat.
 */
public final class StackBinding {

    private static final Map<String, String> LOGICAL_BY_LOCAL_NAME = new ConcurrentHashMap<>();

    private StackBinding() {
    }

    /**
     * Binds each value of a function's environment to the resource the template's {@code Ref} names for that
     * variable. Variables the template sets to plain values (a policy source, a retention) are not resources.
     *
     * @throws IllegalArgumentException for a variable the template never sets: a test configuring what a deployed
     *                                  function would never be told
     */
    public static void bindEnvironment(DeployedStack stack, Map<String, String> environment) {
        environment.forEach((variable, value) -> {
            Optional<String> resource = referencedResource(stack, variable);
            if (resource.isEmpty() || value == null || value.isBlank()) {
                return;
            }
            for (String name : value.split(",")) {
                bind(localName(name.trim()), resource.get());
            }
        });
    }

    private static Optional<String> referencedResource(DeployedStack stack, String variable) {
        boolean known = false;
        for (String function : stack.functions()) {
            JsonNode value = stack.environment(function).path(variable);
            if (value.isMissingNode()) {
                continue;
            }
            known = true;
            if (value.has("Ref") && stack.has(value.get("Ref").asText())) {
                return Optional.of(value.get("Ref").asText());
            }
        }
        if (!known) {
            throw new IllegalArgumentException("no function of template.yaml is given the variable " + variable);
        }
        return Optional.empty();
    }

    public static void bind(String localName, String logicalId) {
        String earlier = LOGICAL_BY_LOCAL_NAME.putIfAbsent(localName, logicalId);
        if (earlier != null && !earlier.equals(logicalId)) {
            throw new IllegalArgumentException(localName + " already stands for " + earlier + ", not " + logicalId);
        }
    }

    /** The template resource a local bucket, table or queue (name, URL or ARN) stands for. */
    public static Optional<String> logicalId(String localName) {
        return Optional.ofNullable(LOGICAL_BY_LOCAL_NAME.get(localName(localName)));
    }

    /** A queue URL or ARN reduced to the queue's name; any other name as it is. */
    static String localName(String name) {
        if (name.startsWith("http://") || name.startsWith("https://")) {
            return name.substring(name.lastIndexOf('/') + 1);
        }
        if (name.startsWith("arn:")) {
            return name.substring(name.lastIndexOf(':') + 1);
        }
        return name;
    }
}
