package dev.sentinel.report;

import dev.sentinel.cases.AppealService;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.verdict.HumanDecision;
import java.util.Set;

/**
 * Which of the decisions people record on a verdict count for a report. The first reviewer's request to release a
 * child-safety case is recorded as a REVIEW decision too, but nothing moves until a second reviewer agrees, so it
 * neither settles a notice nor counts as an outcome.
 */
final class PersonsDecisions {

    static final String REVIEW = "REVIEW";
    static final String APPEAL = "APPEAL";
    private static final Set<String> SETTLING = Set.of(ReviewService.CONFIRM, ReviewService.RELEASE,
            AppealService.UPHOLD, AppealService.REVERSE);

    private PersonsDecisions() {
    }

    static boolean isReview(HumanDecision decision) {
        return REVIEW.equals(decision.kind());
    }

    /** A reviewer's CONFIRM or RELEASE. */
    static boolean isSettledReview(HumanDecision decision) {
        return isReview(decision) && (ReviewService.CONFIRM.equals(decision.outcome())
                || ReviewService.RELEASE.equals(decision.outcome()));
    }

    /**
     * A decision that settles what happens to the content: a review's CONFIRM or RELEASE, or an appeal's UPHOLD or
     * REVERSE (a notice about a verdict under appeal is settled by the appeal's decision).
     */
    static boolean settles(HumanDecision decision) {
        return decision.at() != null && (isReview(decision) || APPEAL.equals(decision.kind()))
                && SETTLING.contains(decision.outcome());
    }
}
