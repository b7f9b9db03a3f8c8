package dev.sentinel.verdict;

import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;

/**
 * The statement of reasons owed to the uploader for a decision (EU DSA art. 17): what was restricted, on which
 * facts, whether automated means decided, on which ground, and what redress is open.
 *
 * @param facts one per reason: the label, its confidence and the threshold it crossed, or the reason in words
 */
public record StatementOfReasons(String verdictId, String decision, String restriction, List<String> facts,
                                 boolean automated, List<String> grounds, String redress, Instant decidedAt) {

    public StatementOfReasons {
        facts = List.copyOf(facts);
        grounds = List.copyOf(grounds);
    }

    public static StatementOfReasons of(Verdict verdict, Period appealWindow) {
        HumanDecision human = verdict.decisions().isEmpty() ? null
                : verdict.decisions().get(verdict.decisions().size() - 1);
        List<String> facts = new ArrayList<>();
        List<String> grounds = new ArrayList<>();
        for (Reason reason : verdict.reasons()) {
            facts.add(reason.text());
            if (reason.ground() != null && !grounds.contains(reason.ground())) {
                grounds.add(reason.ground());
            }
        }
        Instant decidedAt = verdict.decidedAt();
        String decision = verdict.action().name();
        if (human != null) {
            facts.add("A person (" + human.kind().toLowerCase() + ") decided " + human.outcome() + ": "
                    + human.reason());
            decidedAt = human.at();
            decision = human.actionAfter().name();
        }
        Instant appealUntil = decidedAt == null ? null
                : decidedAt.atZone(java.time.ZoneOffset.UTC).plus(appealWindow).toInstant();
        String redress = verdict.restricted() || human != null
                ? "You may appeal this decision with POST /appeals until " + appealUntil + "; a person, not a "
                        + "machine, will decide. You may also refer it to a certified out-of-court dispute settlement "
                        + "body (EU DSA art. 21) or to a court."
                : "No restriction was applied.";
        return new StatementOfReasons(verdict.verdictId(), decision, restriction(verdict), facts, human == null,
                grounds, redress, decidedAt);
    }

    private static String restriction(Verdict verdict) {
        PlacementState state = verdict.placement().state();
        return switch (state) {
            case PUBLISHED -> "None: the image is public.";
            case HELD, PENDING -> "The image is not public while a person reviews it.";
            case QUARANTINE_COPIED, QUARANTINED -> "The image was removed from public view and kept in quarantine "
                    + "as evidence.";
            case GONE -> "None: the image was deleted by its owner before the decision was carried out.";
            case NOT_STORED -> verdict.action() == Action.ALLOW ? "None: the image may be published."
                    : "The image must not be published (" + verdict.action() + ").";
        };
    }
}
