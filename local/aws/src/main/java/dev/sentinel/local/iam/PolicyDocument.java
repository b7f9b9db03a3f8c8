package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One IAM policy document, already resolved to plain values: identity policies (a role's), resource policies (a
 * bucket's, a queue's, a key's).
 *
 * @param name       where it comes from, for messages ({@code ScanUploadFunctionRole/ScanUploadFunctionRolePolicy0})
 * @param statements in document order
 * @param origin     for a role's inline policy, where it sits in the template (so a copy can leave one statement
 *                   out); null otherwise
 */
public record PolicyDocument(String name, List<Statement> statements, Origin origin) {

    /** A role's inline policy: the role's logical id and the policy's index in its {@code Policies}. */
    public record Origin(String role, int policyIndex) { }

    /**
     * @param index        position in the document, for messages and for leaving it out of a copy
     * @param principals   for resource policies: "*" or ARNs / account ids / service names; empty for identity ones
     * @param conditions   operator -> key -> values, as written
     */
    public record Statement(int index, String sid, boolean allow, List<String> actions, boolean notAction,
                            List<String> resources, boolean notResource, List<String> principals, JsonNode conditions) {

        public boolean matchesAction(String action) {
            boolean any = actions.stream().anyMatch(a -> wildcard(a, action, true));
            return notAction != any;
        }

        public boolean matchesResource(String resource) {
            boolean any = resources.stream().anyMatch(r -> wildcard(r, resource, false));
            return notResource != any;
        }

        /** How the statement is named in messages: its Sid, or its position. */
        public String label() {
            return sid.isEmpty() ? "statement " + index : sid;
        }
    }

    public static PolicyDocument parse(String name, JsonNode document, Origin origin) {
        List<Statement> statements = new ArrayList<>();
        JsonNode list = document.path("Statement");
        if (list.isObject()) {
            statements.add(statement(0, list));
        } else {
            for (int i = 0; i < list.size(); i++) {
                statements.add(statement(i, list.get(i)));
            }
        }
        return new PolicyDocument(name, List.copyOf(statements), origin);
    }

    private static Statement statement(int index, JsonNode s) {
        boolean notAction = s.has("NotAction");
        boolean notResource = s.has("NotResource");
        List<String> principals = new ArrayList<>();
        JsonNode principal = s.path("Principal");
        if (principal.isTextual()) {
            principals.add(principal.asText());
        } else {
            principal.fields().forEachRemaining(p -> principals.addAll(strings(p.getValue())));
        }
        return new Statement(index, s.path("Sid").asText(""), s.path("Effect").asText().equals("Allow"),
                strings(s.path(notAction ? "NotAction" : "Action")), notAction,
                strings(s.path(notResource ? "NotResource" : "Resource")), notResource, List.copyOf(principals),
                s.path("Condition"));
    }

    static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> values.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.add(node.asText());
        }
        return List.copyOf(values);
    }

    /** IAM's wildcard match: {@code *} any run of characters, {@code ?} one; actions ignore case, ARNs do not. */
    static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        return PATTERNS.computeIfAbsent((ignoreCase ? "i:" : "s:") + pattern, p -> {
            StringBuilder regex = new StringBuilder();
            for (char c : pattern.toCharArray()) {
                switch (c) {
                    case '*' -> regex.append(".*");
                    case '?' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString(), ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.DOTALL
                    : Pattern.DOTALL);
        }).matcher(value).matches();
    }

    private static final java.util.Map<String, Pattern> PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();
}
