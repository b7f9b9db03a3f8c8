package dev.sentinel.report;

import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.policy.Taxonomy;
import dev.sentinel.verdict.Verdict;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What kind of content a verdict was about, in the coarse categories a transparency report counts decisions by
 * (EU DSA transparency templates ask for decisions per type of illegal or incompatible content). Derived from the
 * verdict itself, so a report needs nothing but the verdicts table.
 */
public enum ContentCategory {
    /** Rekognition's "Explicit", "Non-Explicit Nudity of Intimate parts and Kissing", "Swimwear or Underwear". */
    SEXUAL_CONTENT,
    /** "Violence" and "Visually Disturbing". */
    VIOLENCE,
    /** "Drugs &amp; Tobacco" and "Alcohol". */
    REGULATED_GOODS,
    /** "Rude Gestures" and "Hate Symbols". */
    HATE_OR_ABUSE,
    /** "Gambling". */
    GAMBLING,
    /** Escalated as suspected sexual content involving a minor. */
    CHILD_SAFETY,
    /** Matched a hash list of content already known to violate. */
    KNOWN_CONTENT,
    /** A label the taxonomy does not know (nor its parent): counted apart rather than guessed into a category. */
    OTHER,
    /** Held without any label: engine unavailable, undecodable, empty, too large or unsupported images. */
    HELD_UNDECIDED,
    /** Allowed with nothing detected. */
    NONE;

    private static final Map<String, ContentCategory> BY_TOP_LEVEL_LABEL = Map.of(
            "explicit", SEXUAL_CONTENT,
            "non-explicit nudity of intimate parts and kissing", SEXUAL_CONTENT,
            "swimwear or underwear", SEXUAL_CONTENT,
            "violence", VIOLENCE,
            "visually disturbing", VIOLENCE,
            "drugs & tobacco", REGULATED_GOODS,
            "alcohol", REGULATED_GOODS,
            "rude gestures", HATE_OR_ABUSE,
            "hate symbols", HATE_OR_ABUSE,
            "gambling", GAMBLING);

    /**
     * The category of a verdict's automated decision. A child-safety escalation is always {@link #CHILD_SAFETY}.
     * Otherwise the reason that names the content and carries the most severe action decides (the more confident
     * one on a tie): reasons such as a policy change or reused content say why a decision was taken again, not what
     * the content is, so they are passed over.
     */
    public static ContentCategory of(Verdict verdict) {
        if (verdict.action() == Action.CHILD_SAFETY) {
            return CHILD_SAFETY;
        }
        Optional<Reason> decisive = verdict.reasons().stream()
                .filter(r -> r.code() == ReasonCode.KNOWN_CONTENT || r.label() != null)
                .max(Comparator.comparing(Reason::action)
                        .thenComparingDouble(r -> r.confidence() == null ? 0 : r.confidence()));
        if (decisive.isEmpty()) {
            return verdict.action() == Action.ALLOW ? NONE : HELD_UNDECIDED;
        }
        Reason reason = decisive.get();
        if (reason.code() == ReasonCode.KNOWN_CONTENT) {
            return KNOWN_CONTENT;
        }
        return topLevelLabel(reason, verdict.labels())
                .map(name -> BY_TOP_LEVEL_LABEL.getOrDefault(name.toLowerCase(Locale.ROOT), OTHER))
                .orElse(OTHER);
    }

    /**
     * The level-1 taxonomy name above a reason's label, found the way the policy matched it: the label's own chain
     * (v6 names mapped to v7); for a label new to the taxonomy, the chain of the parent the engine gave it; failing
     * both, the chain of the rule that fired, which is always a taxonomy name.
     */
    static Optional<String> topLevelLabel(Reason reason, List<ModerationLabel> labels) {
        Taxonomy taxonomy = Taxonomy.v7();
        List<String> chain = taxonomy.selfAndAncestors(reason.label());
        if (chain.isEmpty()) {
            chain = labels.stream()
                    .filter(l -> l.name().equalsIgnoreCase(reason.label()) && !l.parentName().isEmpty())
                    .map(l -> taxonomy.selfAndAncestors(l.parentName()))
                    .filter(parents -> !parents.isEmpty())
                    .findFirst()
                    .orElse(List.of());
        }
        if (chain.isEmpty() && reason.rule() != null) {
            chain = taxonomy.selfAndAncestors(reason.rule());
        }
        return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(chain.size() - 1));
    }
}
