package dev.sentinel.verdict;

import dev.sentinel.policy.Action;
import java.time.Instant;
import java.util.List;

/**
 * A person's decision on a verdict, kept on the verdict so its outcome is visible where the verdict is read (the
 * full trail, with previous states, is in the audit trail).
 *
 * @param kind        {@code REVIEW} or {@code APPEAL}
 * @param outcome     {@code CONFIRM}/{@code RELEASE} for reviews, {@code UPHOLD}/{@code REVERSE} for appeals
 * @param actor       the reviewer's subject
 * @param actorGroups the reviewer's groups when deciding
 * @param reason      the reviewer's reason, given to the uploader in the statement of reasons
 * @param actionAfter the outcome in the policy's terms: ALLOW when published, QUARANTINE when kept from view
 * @param appealId    the appeal decided, for appeal decisions
 */
public record HumanDecision(String kind, String outcome, String actor, List<String> actorGroups, Instant at,
                            String reason, Action actionAfter, String appealId) {

    public HumanDecision {
        actorGroups = actorGroups == null ? List.of() : List.copyOf(actorGroups);
    }
}
