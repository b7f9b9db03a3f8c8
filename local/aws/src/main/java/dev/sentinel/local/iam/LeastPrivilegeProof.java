package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.local.iam.PolicyEvaluator.Decision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The recorded calls of the whole test suite judged against the template: which were refused, which granted
 * actions no call used, and, for every statement of every function's role, what removing it would break. Calls
 * are judged again here rather than trusted from the log, so a copy of the template with one statement removed is
 * judged exactly like the real one.
 */
public final class LeastPrivilegeProof {

    /** A distinct permission one function needed, with the condition keys its decision read and one test that made it. */
    public record Need(String function, String operation, String test, Authorization authorization,
                       Map<String, String> context) {
        PolicyEvaluator.RequestContext recordedContext() {
            return key -> Optional.ofNullable(context.get(key)).filter(v -> !v.equals("(absent)"));
        }

        @Override
        public String toString() {
            return function + " " + operation + " needs " + authorization + " [" + test + "]";
        }
    }

    /** A need the template refuses. */
    public record Refusal(Need need, Decision decision) {
        @Override
        public String toString() {
            return need + ": " + (decision.deniedBy() != null ? "denied by " + decision.deniedBy()
                    : "no statement of the function's role allows it");
        }
    }

    /** A statement of a role's inline policy, where it is in the transformed template. */
    public record StatementAt(String function, String role, int policyIndex, PolicyDocument policy,
                              PolicyDocument.Statement statement) {
        @Override
        public String toString() {
            return function + " " + statement.label();
        }
    }

    private final DeployedStack stack;
    private final List<Need> needs;

    private LeastPrivilegeProof(DeployedStack stack, List<Need> needs) {
        this.stack = stack;
        this.needs = needs;
    }

    /** The distinct needs in the recorded calls of the repository's stack: thousands of uploads make a few dozen. */
    public static LeastPrivilegeProof of(DeployedStack stack, List<CallLog.Call> calls) {
        Map<String, Need> distinct = new LinkedHashMap<>();
        for (CallLog.Call call : calls) {
            if (!call.stack().equals(CallLog.REPOSITORY_STACK)) {
                continue;
            }
            for (CallLog.Checked checked : call.checks()) {
                Authorization a = checked.authorization();
                // Object keys differ per upload; what IAM decides by is the action, the bucket, the keys read.
                String arn = a.resource() != null && a.resourceArn().startsWith("arn:aws:s3:::")
                        && a.resourceArn().contains("/") ? a.resourceArn().substring(0, a.resourceArn().indexOf('/'))
                        + "/*" : a.resourceArn();
                String identity = call.function() + "|" + a.action() + "|" + arn + "|" + a.requestKeys() + "|"
                        + checked.context();
                distinct.putIfAbsent(identity, new Need(call.function(), call.operation(), call.test(), a,
                        checked.context()));
            }
        }
        return new LeastPrivilegeProof(stack, List.copyOf(distinct.values()));
    }

    public List<Need> needs() {
        return needs;
    }

    /** Every need the stack's policies refuse. */
    public List<Refusal> refusals() {
        return refusals(stack, needs);
    }

    private static List<Refusal> refusals(DeployedStack judgedBy, List<Need> needs) {
        StackAuthorizer authorizer = new StackAuthorizer(judgedBy);
        List<Refusal> refused = new ArrayList<>();
        for (Need need : needs) {
            Decision decision = authorizer.decide(need.function(), need.authorization(), need.recordedContext());
            if (!decision.allowed()) {
                refused.add(new Refusal(need, decision));
            }
        }
        return refused;
    }

    /** Functions of the stack no recorded call came from. */
    public Set<String> functionsNeverExercised() {
        Set<String> silent = new TreeSet<>(stack.functions());
        needs.forEach(n -> silent.remove(n.function()));
        return silent;
    }

    /** The AWS services each function called: what its deployment package must carry clients for. */
    public Map<String, Set<String>> servicesByFunction() {
        Map<String, Set<String>> services = new TreeMap<>();
        for (Need need : needs) {
            services.computeIfAbsent(need.function(), f -> new TreeSet<>())
                    .add(need.operation().substring(0, need.operation().indexOf(':')));
        }
        return services;
    }

    /** Every statement of every function role's inline policies (SAM's managed policies serve Lambda itself). */
    public List<StatementAt> inlineStatements() {
        List<StatementAt> statements = new ArrayList<>();
        for (String function : stack.functions()) {
            String role = stack.roleOf(function);
            for (PolicyDocument policy : stack.identityPolicies(role)) {
                if (policy.origin() == null) {
                    continue;
                }
                for (PolicyDocument.Statement s : policy.statements()) {
                    statements.add(new StatementAt(function, role, policy.origin().policyIndex(), policy, s));
                }
            }
        }
        return statements;
    }

    /** What each granted action or resource of a statement was used for; empty sets are grants nobody needed. */
    public Map<String, Set<String>> unusedGrants() {
        Map<String, Set<String>> unused = new TreeMap<>();
        StackAuthorizer authorizer = new StackAuthorizer(stack);
        Map<String, List<Need>> allowedByStatement = new LinkedHashMap<>();
        for (Need need : needs) {
            Decision decision = authorizer.decide(need.function(), need.authorization(), need.recordedContext());
            for (PolicyEvaluator.StatementRef ref : decision.allowedBy()) {
                allowedByStatement.computeIfAbsent(need.function() + "|" + ref, k -> new ArrayList<>()).add(need);
            }
        }
        for (StatementAt at : inlineStatements()) {
            List<Need> used = allowedByStatement.getOrDefault(at.function() + "|"
                    + new PolicyEvaluator.StatementRef(at.policy().name(), at.statement()), List.of());
            Set<String> idle = new LinkedHashSet<>();
            for (String action : at.statement().actions()) {
                if (used.stream().noneMatch(n -> PolicyDocument.wildcard(action, n.authorization().action(), true))) {
                    idle.add(action);
                }
            }
            for (String resource : at.statement().resources()) {
                if (used.stream().noneMatch(n -> PolicyDocument.wildcard(resource, n.authorization().resourceArn(),
                        false))) {
                    idle.add(resource);
                }
            }
            if (!idle.isEmpty()) {
                unused.put(at.toString(), idle);
            }
        }
        return unused;
    }

    /** The needs a copy of the template without this one statement would refuse. */
    public List<Refusal> refusalsWithout(StatementAt at) {
        ObjectNode copy = stack.template().deepCopy();
        ArrayNode statements = (ArrayNode) copy.path("Resources").path(at.role()).path("Properties").path("Policies")
                .path(at.policyIndex()).path("PolicyDocument").path("Statement");
        statements.remove(at.statement().index());
        return refusals(DeployedStack.of(copy), needs.stream().filter(n -> n.function().equals(at.function())).toList());
    }

    /**
     * The needs a copy of the template would refuse if a bucket policy's Deny no longer exempted {@code role}:
     * proof that the evaluation applies the buckets' Denies, and that the exemption is there for a reason.
     */
    public List<Refusal> refusalsWithoutExemption(String bucketPolicy, String sid, String role) {
        ObjectNode copy = stack.template().deepCopy();
        for (JsonNode statement : copy.path("Resources").path(bucketPolicy).path("Properties").path("PolicyDocument")
                .path("Statement")) {
            if (!statement.path("Sid").asText().equals(sid)) {
                continue;
            }
            for (JsonNode operator : statement.path("Condition")) {
                JsonNode principals = operator.path("aws:PrincipalArn");
                if (principals.isArray()) {
                    for (int i = principals.size() - 1; i >= 0; i--) {
                        if (principals.get(i).toString().contains("\"" + role + "\"")) {
                            ((ArrayNode) principals).remove(i);
                        }
                    }
                }
            }
        }
        String function = stack.functions().stream().filter(f -> stack.roleOf(f).equals(role)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(role + " is no function's role"));
        return refusals(DeployedStack.of(copy), needs.stream().filter(n -> n.function().equals(function)).toList());
    }

    /** The bucket policies' Deny statements that exempt roles by {@code aws:PrincipalArn}: [policy, sid] pairs. */
    public List<List<String>> exemptingDenies() {
        List<List<String>> denies = new ArrayList<>();
        for (String policy : stack.resourcesOfType("AWS::S3::BucketPolicy")) {
            for (JsonNode statement : stack.resource(policy).path("Properties").path("PolicyDocument")
                    .path("Statement")) {
                if (statement.path("Effect").asText().equals("Deny")
                        && !exemptedRoles(policy, statement.path("Sid").asText()).isEmpty()) {
                    denies.add(List.of(policy, statement.path("Sid").asText()));
                }
            }
        }
        return denies;
    }

    /** Roles a bucket policy statement exempts by {@code aws:PrincipalArn} (logical ids of the roles). */
    public List<String> exemptedRoles(String bucketPolicy, String sid) {
        List<String> roles = new ArrayList<>();
        for (JsonNode statement : stack.resource(bucketPolicy).path("Properties").path("PolicyDocument")
                .path("Statement")) {
            if (statement.path("Sid").asText().equals(sid)) {
                for (JsonNode operator : statement.path("Condition")) {
                    for (JsonNode principal : operator.path("aws:PrincipalArn")) {
                        JsonNode getAtt = principal.path("Fn::GetAtt");
                        if (getAtt.isArray()) {
                            roles.add(getAtt.get(0).asText());
                        }
                    }
                }
            }
        }
        return roles;
    }
}
