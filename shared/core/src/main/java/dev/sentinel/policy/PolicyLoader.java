package dev.sentinel.policy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and validates policy documents. A policy that would not do what its author meant (a misspelt label, a
 * threshold out of range, a rule listed twice) is refused at start with a message naming the problem, instead of
 * silently never firing.
 *
 * <p>Sources: {@code bundled:NAME} (a document shipped in this library, e.g. {@code bundled:default-v7}),
 * {@code file:PATH} or a plain file path.
 */
public final class PolicyLoader {

    public static final String DEFAULT_SOURCE = "bundled:default-v7";

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Document(String policyVersion, String taxonomy, String description, UnrecognizedDoc unrecognizedLabel,
                    List<RuleDoc> rules) { }

    record UnrecognizedDoc(Double minConfidence, Action action) { }

    record RuleDoc(String label, Double minConfidence, Action action, String ground) { }

    private final Taxonomy taxonomy;

    public PolicyLoader(Taxonomy taxonomy) {
        this.taxonomy = taxonomy;
    }

    public PolicyLoader() {
        this(Taxonomy.v7());
    }

    public Policy load(String source) {
        String where = source == null || source.isBlank() ? DEFAULT_SOURCE : source.trim();
        return parse(read(where), where);
    }

    public Policy parse(byte[] document, String where) {
        Document doc;
        try {
            doc = Json.mapper().readValue(document, Document.class);
        } catch (JsonProcessingException e) {
            throw new PolicyException("policy " + where + " is not a valid policy document: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new PolicyException("policy " + where + " could not be read: " + e.getMessage(), e);
        }
        if (doc == null) {
            throw new PolicyException("policy " + where + " is empty");
        }
        List<String> problems = new ArrayList<>();
        if (doc.policyVersion() == null || doc.policyVersion().isBlank()) {
            problems.add("policyVersion is missing (every verdict records it, so it must be set)");
        }
        if (doc.taxonomy() != null && !Taxonomy.V7.equals(doc.taxonomy())) {
            problems.add("taxonomy '" + doc.taxonomy() + "' is not supported; use '" + Taxonomy.V7 + "'");
        }
        if (doc.rules() == null || doc.rules().isEmpty()) {
            problems.add("rules are missing: a policy with no rule would publish everything");
        }
        List<PolicyRule> rules = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<RuleDoc> ruleDocs = doc.rules() == null ? List.of() : doc.rules();
        for (int i = 0; i < ruleDocs.size(); i++) {
            RuleDoc r = ruleDocs.get(i);
            String at = "rules[" + i + "]";
            if (r == null || r.label() == null || r.label().isBlank()) {
                problems.add(at + ": label is missing");
                continue;
            }
            var canonical = taxonomy.canonicalName(r.label());
            if (canonical.isEmpty()) {
                problems.add(at + ": '" + r.label() + "' is not a label of taxonomy v7 (check spelling)");
                continue;
            }
            // Two rules may share a label with different actions (a review band below a quarantine band).
            if (!seen.add(canonical.get() + "/" + r.action())) {
                problems.add(at + ": a " + r.action() + " rule for '" + canonical.get() + "' is listed twice");
            }
            if (r.minConfidence() == null || r.minConfidence() < 0 || r.minConfidence() > 100) {
                problems.add(at + ": minConfidence must be a number from 0 to 100");
                continue;
            }
            if (r.action() == null) {
                problems.add(at + ": action is missing (one of ALLOW, REVIEW, QUARANTINE)");
                continue;
            }
            rules.add(new PolicyRule(canonical.get(), r.minConfidence(), r.action(), r.ground()));
        }
        Policy.UnrecognizedLabelRule unrecognized = new Policy.UnrecognizedLabelRule(50, Action.REVIEW);
        if (doc.unrecognizedLabel() != null) {
            UnrecognizedDoc u = doc.unrecognizedLabel();
            if (u.minConfidence() == null || u.minConfidence() < 0 || u.minConfidence() > 100 || u.action() == null) {
                problems.add("unrecognizedLabel needs minConfidence 0..100 and an action");
            } else {
                unrecognized = new Policy.UnrecognizedLabelRule(u.minConfidence(), u.action());
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException("policy " + where + " is invalid: " + String.join("; ", problems));
        }
        return new Policy(doc.policyVersion(), doc.description(), unrecognized, rules, taxonomy);
    }

    private static byte[] read(String source) {
        if (source.startsWith("bundled:")) {
            String name = source.substring("bundled:".length());
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new PolicyException("bundled policy name '" + name + "' is not valid");
            }
            String resource = "/policies/" + name + ".json";
            try (InputStream in = PolicyLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new PolicyException("no bundled policy named '" + name + "' (looked for " + resource + ")");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new PolicyException("bundled policy " + name + " could not be read", e);
            }
        }
        Path path = Path.of(source.startsWith("file:") ? source.substring("file:".length()) : source);
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new PolicyException("policy file " + path + " could not be read: " + e.getMessage(), e);
        }
    }
}
