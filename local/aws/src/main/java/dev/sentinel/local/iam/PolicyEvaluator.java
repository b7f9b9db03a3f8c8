package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IAM's evaluation of one request within one account, as AWS documents it: an explicit Deny in any applicable
 * policy wins; otherwise the request is allowed when the principal's identity policies or the resource's policy
 * allow it, except for KMS keys, whose key policy must allow it itself or hand the decision to the account's IAM
 * policies (a statement for the account root). Condition operators are the ones these templates use; an operator
 * not modelled here fails loudly rather than being guessed.
 */
public final class PolicyEvaluator {

    /** What a condition key is worth in a request; empty when the request does not carry it. */
    public interface RequestContext {
        Optional<String> value(String key);
    }

    public enum Outcome { ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY }

    /** A statement that took part in a decision. */
    public record StatementRef(String policy, PolicyDocument.Statement statement) {
        @Override
        public String toString() {
            return policy + " " + statement.label();
        }
    }

    /**
     * @param allowedBy the identity statements that allow it (all of them, for accounting which grants are used)
     * @param deniedBy  the Deny that decided it, if one did
     */
    public record Decision(Outcome outcome, List<StatementRef> allowedBy, StatementRef deniedBy) {
        public boolean allowed() {
            return outcome == Outcome.ALLOWED;
        }
    }

    /** What the resource's own policies are: none, a bucket's or queue's, or a KMS key's (which must allow). */
    public enum ResourcePolicyKind { NONE, ALLOWS_OR_DEFERS, KEY_POLICY }

    private PolicyEvaluator() {
    }

    public static Decision evaluate(String principalArn, String action, String resource, RequestContext context,
                                    List<PolicyDocument> identity, List<PolicyDocument> resourcePolicies,
                                    ResourcePolicyKind kind) {
        List<StatementRef> identityAllows = new ArrayList<>();
        for (PolicyDocument policy : identity) {
            for (PolicyDocument.Statement s : policy.statements()) {
                if (s.matchesAction(action) && s.matchesResource(resource) && conditionsHold(s.conditions(), context)) {
                    if (!s.allow()) {
                        return new Decision(Outcome.EXPLICIT_DENY, List.of(), new StatementRef(policy.name(), s));
                    }
                    identityAllows.add(new StatementRef(policy.name(), s));
                }
            }
        }
        boolean resourceAllows = false;
        boolean delegatedToIam = false;
        for (PolicyDocument policy : resourcePolicies) {
            for (PolicyDocument.Statement s : policy.statements()) {
                if (!s.matchesAction(action) || !s.matchesResource(resource)) {
                    continue;
                }
                boolean direct = s.principals().stream().anyMatch(p -> p.equals("*") || p.equals(principalArn));
                boolean account = s.principals().stream().anyMatch(PolicyEvaluator::isAccountRoot);
                if ((!direct && !account) || !conditionsHold(s.conditions(), context)) {
                    continue;
                }
                if (!s.allow()) {
                    return new Decision(Outcome.EXPLICIT_DENY, List.of(), new StatementRef(policy.name(), s));
                }
                resourceAllows |= direct;
                delegatedToIam |= account;
            }
        }
        boolean allowed = switch (kind) {
            case NONE -> !identityAllows.isEmpty();
            case ALLOWS_OR_DEFERS -> !identityAllows.isEmpty() || resourceAllows;
            case KEY_POLICY -> resourceAllows || (delegatedToIam && !identityAllows.isEmpty());
        };
        return new Decision(allowed ? Outcome.ALLOWED : Outcome.IMPLICIT_DENY, List.copyOf(identityAllows), null);
    }

    private static boolean isAccountRoot(String principal) {
        return principal.equals(DeployedStack.ACCOUNT)
                || principal.equals("arn:" + DeployedStack.PARTITION + ":iam::" + DeployedStack.ACCOUNT + ":root");
    }

    /** Every operator must hold (AND), each over every key it names (AND); values listed for a key are ORed. */
    static boolean conditionsHold(JsonNode conditions, RequestContext context) {
        Iterator<Map.Entry<String, JsonNode>> operators = conditions.fields();
        while (operators.hasNext()) {
            Map.Entry<String, JsonNode> operator = operators.next();
            Iterator<Map.Entry<String, JsonNode>> keys = operator.getValue().fields();
            while (keys.hasNext()) {
                Map.Entry<String, JsonNode> key = keys.next();
                if (!holds(operator.getKey(), context.value(key.getKey()), PolicyDocument.strings(key.getValue()))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean holds(String operator, Optional<String> actual, List<String> expected) {
        if (operator.startsWith("ForAnyValue:") || operator.startsWith("ForAllValues:")) {
            // Single-valued keys only here: both reduce to the plain operator on the one value.
            return holds(operator.substring(operator.indexOf(':') + 1), actual, expected);
        }
        if (operator.equals("Null")) {
            return Boolean.parseBoolean(expected.get(0)) == actual.isEmpty();
        }
        boolean ifExists = operator.endsWith("IfExists");
        String base = ifExists ? operator.substring(0, operator.length() - "IfExists".length()) : operator;
        boolean negated = base.contains("Not");
        if (actual.isEmpty()) {
            // IAM: a key the request lacks matches no value, so a negated operator holds and a plain one does not.
            return ifExists || negated;
        }
        String value = actual.get();
        boolean anyMatches = expected.stream().anyMatch(e -> switch (base.replace("Not", "")) {
            case "StringEquals", "ArnEquals" -> e.equals(value);
            case "StringEqualsIgnoreCase" -> e.equalsIgnoreCase(value);
            case "StringLike", "ArnLike" -> PolicyDocument.wildcard(e, value, false);
            case "Bool" -> Boolean.parseBoolean(e) == Boolean.parseBoolean(value);
            default -> throw new IllegalArgumentException("condition operator " + operator + " is not modelled");
        });
        return negated != anyMatches;
    }
}
