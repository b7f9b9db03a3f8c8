package dev.sentinel.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.local.iam.DeployedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An SQS event source mapping of the template, as Lambda's poller reads it: which queue feeds which function, in
 * batches of what size, gathered for how long, with partial batch responses or not, and at most how many invocations
 * at once. Values the template leaves out are Lambda's defaults for SQS.
 *
 * @param logicalId               the mapping's logical id (after the SAM transform)
 * @param function                the logical id of the function it invokes (through its alias or version)
 * @param queueArn                the queue it polls
 * @param maximumConcurrency      Lambda's default without a ScalingConfig is to scale out to 1,000; here that
 *                                means {@link #UNSCALED} pollers
 */
public record EventSourceMapping(String logicalId, String function, String queueArn, int batchSize,
                                 Duration batchingWindow, boolean reportBatchItemFailures, int maximumConcurrency,
                                 boolean enabled) {

    /** Pollers for a mapping without a maximum concurrency: Lambda starts five. */
    public static final int UNSCALED = 5;

    /** The mappings that invoke {@code function}. */
    public static List<EventSourceMapping> of(DeployedStack stack, String function) {
        List<EventSourceMapping> found = new ArrayList<>();
        for (String id : stack.resourcesOfType("AWS::Lambda::EventSourceMapping")) {
            JsonNode properties = stack.resource(id).path("Properties");
            if (!function.equals(invoked(stack, properties.path("FunctionName")))) {
                continue;
            }
            String source = stack.resolve(properties.path("EventSourceArn")).asText();
            if (!source.startsWith("arn:aws:sqs:")) {
                continue;
            }
            JsonNode resolved = stack.resolve(properties);
            found.add(new EventSourceMapping(id, function, source, resolved.path("BatchSize").asInt(10),
                    Duration.ofSeconds(resolved.path("MaximumBatchingWindowInSeconds").asInt(0)),
                    resolved.path("FunctionResponseTypes").toString().contains("ReportBatchItemFailures"),
                    resolved.path("ScalingConfig").path("MaximumConcurrency").asInt(UNSCALED),
                    resolved.path("Enabled").asBoolean(true)));
        }
        return found;
    }

    /** The one mapping that invokes {@code function}. */
    public static EventSourceMapping single(DeployedStack stack, String function) {
        List<EventSourceMapping> mappings = of(stack, function);
        if (mappings.size() != 1) {
            throw new IllegalStateException(function + " has " + mappings.size() + " SQS event source mappings in "
                    + "the template, expected one: " + mappings);
        }
        return mappings.get(0);
    }

    /** The function a FunctionName names, following Ref through an alias or a version to the function itself. */
    private static String invoked(DeployedStack stack, JsonNode functionName) {
        if (!functionName.has("Ref")) {
            return stack.resolve(functionName).asText();
        }
        String target = functionName.get("Ref").asText();
        String type = stack.type(target);
        if (type.equals("AWS::Lambda::Alias") || type.equals("AWS::Lambda::Version")) {
            return invoked(stack, stack.resource(target).path("Properties").path("FunctionName"));
        }
        return target;
    }
}
