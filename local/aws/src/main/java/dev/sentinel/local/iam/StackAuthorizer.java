package dev.sentinel.local.iam;

import dev.sentinel.local.iam.PolicyEvaluator.Decision;
import dev.sentinel.local.iam.PolicyEvaluator.RequestContext;
import dev.sentinel.local.iam.PolicyEvaluator.ResourcePolicyKind;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a function of the stack may do what an {@link Authorization} names: its role's policies, the
 * resource's own policy (bucket, queue, key), and the request context AWS would give (the role as principal, TLS,
 * the request's tags, the object's existing tags).
 */
public final class StackAuthorizer {

    private final DeployedStack stack;
    private final AwsCallAuthorizations calls;

    public StackAuthorizer(DeployedStack stack) {
        this.stack = stack;
        this.calls = new AwsCallAuthorizations(stack);
    }

    public DeployedStack stack() {
        return stack;
    }

    /** What each SDK call needs of this stack. */
    public AwsCallAuthorizations calls() {
        return calls;
    }

    /**
     * Who makes a call: a function of the stack (its role), or an application outside it with its own identity
     * policy (an uploader's or a reader's role), judged by the same resource policies.
     *
     * @param function the function's logical id, or null for an application
     */
    public record Principal(String name, String arn, List<PolicyDocument> identity, String function) { }

    public Principal function(String function) {
        String role = stack.roleOf(function);
        return new Principal(function, stack.roleArn(role), stack.identityPolicies(role), function);
    }

    /** An application's role in the stack's account, allowed what {@code identity} allows. */
    public static Principal application(String name, PolicyDocument identity) {
        return new Principal(name, "arn:" + DeployedStack.PARTITION + ":iam::" + DeployedStack.ACCOUNT + ":role/"
                + name, List.of(identity), null);
    }

    public Decision decide(String function, Authorization authorization, RequestContext objectContext) {
        return decide(function(function), authorization, objectContext);
    }

    public Decision decide(Principal caller, Authorization authorization, RequestContext objectContext) {
        String principal = caller.arn();
        List<PolicyDocument> identity = caller.identity();
        List<PolicyDocument> resourcePolicies = List.of();
        ResourcePolicyKind kind = ResourcePolicyKind.NONE;
        String resource = authorization.resource();
        if (resource != null) {
            switch (stack.type(resource)) {
                case "AWS::S3::Bucket" -> {
                    resourcePolicies = stack.bucketPolicy(resource).map(List::of).orElse(List.of());
                    kind = ResourcePolicyKind.ALLOWS_OR_DEFERS;
                }
                case "AWS::SQS::Queue" -> {
                    resourcePolicies = stack.queuePolicies(resource);
                    kind = ResourcePolicyKind.ALLOWS_OR_DEFERS;
                }
                case "AWS::KMS::Key" -> {
                    resourcePolicies = List.of(stack.keyPolicy(resource));
                    kind = ResourcePolicyKind.KEY_POLICY;
                }
                default -> { }
            }
        }
        RequestContext context = key -> {
            String normalised = normalise(key);
            if (normalised.equals("aws:principalarn")) {
                return Optional.of(principal);
            }
            if (normalised.equals("aws:securetransport")) {
                // The SDK talks to AWS over TLS; the local servers' plain HTTP is not what is being judged.
                return Optional.of("true");
            }
            for (Map.Entry<String, String> own : authorization.requestKeys().entrySet()) {
                if (normalise(own.getKey()).equals(normalised)) {
                    return Optional.of(own.getValue());
                }
            }
            return objectContext.value(key);
        };
        return PolicyEvaluator.evaluate(principal, authorization.action(), authorization.resourceArn(), context,
                identity, resourcePolicies, kind);
    }

    /** Condition key names ignore case; a tag key after the slash does not. */
    static String normalise(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key.toLowerCase(Locale.ROOT)
                : key.substring(0, slash).toLowerCase(Locale.ROOT) + key.substring(slash);
    }
}
