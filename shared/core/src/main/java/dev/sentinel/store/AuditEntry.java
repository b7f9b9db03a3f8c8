package dev.sentinel.store;

import dev.sentinel.verdict.StatementOfReasons;
import dev.sentinel.policy.Action;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import java.time.Instant;
import java.util.List;

/**
 * One line of the audit trail: who did what to which case, when, why, and the state before and after. Entries are
 * only ever appended.
 *
 * @param subject   the verdict id (or notice id) the entry is about
 * @param what      e.g. {@code REVIEW_CONFIRM}, {@code NOTICE_RECEIVED}, {@code APPEAL_REVERSE}
 * @param statement the statement of reasons given with the decision, when one was
 */
public record AuditEntry(String subject, Instant at, String actor, List<String> actorGroups, String what,
                         String why, State before, State after, StatementOfReasons statement) {

    public AuditEntry {
        actorGroups = actorGroups == null ? List.of() : List.copyOf(actorGroups);
    }

    /** The parts of a verdict a decision changes. */
    public record State(Action action, PlacementState placement, ReviewStatus review) { }
}
