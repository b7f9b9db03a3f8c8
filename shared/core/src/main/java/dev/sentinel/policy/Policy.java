package dev.sentinel.policy;

import dev.sentinel.engine.ModerationLabel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A versioned moderation policy: rules on taxonomy labels at any level, each with a minimum confidence and an
 * action. Every rule that fires is reported as a reason; the most severe action among them is the decision, so a
 * rule can raise the outcome but never lower it. Labels the taxonomy does not know are held for a person rather
 * than passed, since a new label from the engine is more likely a new kind of harm than a harmless one.
 */
public final class Policy {

    /** What to do with a label the taxonomy does not know. */
    public record UnrecognizedLabelRule(double minConfidence, Action action) { }

    private final String version;
    private final String description;
    private final UnrecognizedLabelRule unrecognizedLabel;
    private final List<PolicyRule> rules;
    private final Taxonomy taxonomy;

    Policy(String version, String description, UnrecognizedLabelRule unrecognizedLabel, List<PolicyRule> rules,
           Taxonomy taxonomy) {
        this.version = Objects.requireNonNull(version);
        this.description = description == null ? "" : description;
        this.unrecognizedLabel = Objects.requireNonNull(unrecognizedLabel);
        this.rules = List.copyOf(rules);
        this.taxonomy = Objects.requireNonNull(taxonomy);
    }

    public String version() {
        return version;
    }

    public String description() {
        return description;
    }

    public List<PolicyRule> rules() {
        return rules;
    }

    /** The lowest confidence any rule looks at: an engine need not report labels below it. */
    public double lowestThreshold() {
        double lowest = unrecognizedLabel.minConfidence();
        for (PolicyRule rule : rules) {
            lowest = Math.min(lowest, rule.minConfidence());
        }
        return lowest;
    }

    public PolicyDecision evaluate(List<ModerationLabel> labels) {
        Map<PolicyRule, ModerationLabel> strongestPerRule = new LinkedHashMap<>();
        List<Reason> reasons = new ArrayList<>();
        Action action = Action.ALLOW;

        for (ModerationLabel label : labels) {
            List<String> chain = categoriesOf(label);
            if (chain.isEmpty()) {
                if (label.confidence() >= unrecognizedLabel.minConfidence()) {
                    action = Action.mostSevere(action, unrecognizedLabel.action());
                    reasons.add(new Reason(ReasonCode.UNRECOGNIZED_LABEL,
                            String.format(Locale.ROOT, "'%s' was detected with %.1f%% confidence; this label is not in "
                                    + "the policy's taxonomy, so a person must look: %s.", label.name(),
                                    label.confidence(), describe(unrecognizedLabel.action())),
                            unrecognizedLabel.action(), true, label.name(), label.confidence(),
                            unrecognizedLabel.minConfidence(), null, "Unknown labels are held for review."));
                }
                continue;
            }
            for (PolicyRule rule : rules) {
                if (chain.contains(rule.label()) && label.confidence() >= rule.minConfidence()) {
                    strongestPerRule.merge(rule, label, (a, b) -> b.confidence() > a.confidence() ? b : a);
                }
            }
        }

        for (Map.Entry<PolicyRule, ModerationLabel> fired : strongestPerRule.entrySet()) {
            PolicyRule rule = fired.getKey();
            ModerationLabel label = fired.getValue();
            action = Action.mostSevere(action, rule.action());
            String seen = label.name().equalsIgnoreCase(rule.label()) ? "'" + label.name() + "'"
                    : "'" + label.name() + "' (a kind of '" + rule.label() + "')";
            reasons.add(new Reason(ReasonCode.POLICY_RULE,
                    String.format(Locale.ROOT, "%s was detected with %.1f%% confidence, at or above the policy's "
                            + "%.0f%% threshold: %s.", seen, label.confidence(), rule.minConfidence(),
                            describe(rule.action())),
                    rule.action(), true, label.name(), label.confidence(), rule.minConfidence(), rule.label(),
                    rule.ground()));
        }

        if (reasons.isEmpty()) {
            reasons.add(Reason.of(ReasonCode.NOTHING_DETECTED, Action.ALLOW,
                    "No label the policy restricts was detected at or above its threshold: published."));
        }
        return new PolicyDecision(action, reasons, version);
    }

    /** The label's own v7 name and its ancestors; for a label new to us under a known parent, the parent's chain. */
    private List<String> categoriesOf(ModerationLabel label) {
        List<String> chain = taxonomy.selfAndAncestors(label.name());
        if (chain.isEmpty() && !label.parentName().isEmpty()) {
            List<String> parents = taxonomy.selfAndAncestors(label.parentName());
            if (!parents.isEmpty()) {
                chain = new ArrayList<>(parents.size() + 1);
                chain.add(label.name());
                chain.addAll(parents);
            }
        }
        return chain;
    }

    private static String describe(Action action) {
        return switch (action) {
            case ALLOW -> "allowed";
            case REVIEW -> "held for review by a person";
            case QUARANTINE -> "quarantined";
            case CHILD_SAFETY -> "quarantined under legal hold as a suspected child-safety case";
        };
    }
}
