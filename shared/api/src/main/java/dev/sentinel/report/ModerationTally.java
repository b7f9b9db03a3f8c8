package dev.sentinel.report;

import dev.sentinel.cases.ReviewService;
import dev.sentinel.policy.Action;
import dev.sentinel.verdict.HumanDecision;
import dev.sentinel.verdict.Verdict;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Counts the moderation-decisions section of a report, one verdict at a time, so verdicts can be streamed. */
final class ModerationTally {

    private final TransparencyReports.Period period;
    private final Map<ContentCategory, Map<Action, Long>> byCategory = new EnumMap<>(ContentCategory.class);
    private final Map<Action, Long> byAction = new EnumMap<>(Action.class);
    private final Map<String, Long> humanOutcomes = new LinkedHashMap<>();
    private long total;
    private long automated;
    private long humanReviewed;

    ModerationTally(TransparencyReports.Period period) {
        this.period = period;
        for (Action action : Action.values()) {
            byAction.put(action, 0L);
        }
        humanOutcomes.put(ReviewService.CONFIRM, 0L);
        humanOutcomes.put(ReviewService.RELEASE, 0L);
    }

    void add(Verdict verdict) {
        if (verdict.decidedAt() != null && period.contains(verdict.decidedAt())) {
            total++;
            byAction.merge(verdict.action(), 1L, Long::sum);
            byCategory.computeIfAbsent(ContentCategory.of(verdict), c -> new EnumMap<>(Action.class))
                    .merge(verdict.action(), 1L, Long::sum);
            if (verdict.decisions().isEmpty()) {
                automated++;
            }
            if (verdict.decisions().stream().anyMatch(PersonsDecisions::isReview)) {
                humanReviewed++;
            }
        }
        for (HumanDecision decision : verdict.decisions()) {
            if (PersonsDecisions.isSettledReview(decision) && decision.at() != null
                    && period.contains(decision.at())) {
                humanOutcomes.merge(decision.outcome(), 1L, Long::sum);
            }
        }
    }

    TransparencyReport.ModerationDecisions result() {
        return new TransparencyReport.ModerationDecisions(total, byCategory, byAction, automated, humanReviewed,
                humanOutcomes);
    }
}
