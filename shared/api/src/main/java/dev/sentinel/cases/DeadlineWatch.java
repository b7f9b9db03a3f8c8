package dev.sentinel.cases;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Run every few minutes on a schedule: counts what waits for a person and how close takedown deadlines are, and
 * reports it as metrics, so an alarm fires while a 2- or 3-hour notice can still be met rather than after. Nothing
 * else would notice: a deadline passes without any request arriving.
 */
public final class DeadlineWatch {

    public static final String QUEUE_DEPTH = "ReviewQueueDepth";
    public static final String AT_RISK = "NoticeDeadlinesAtRisk";
    public static final String OVERDUE = "NoticeDeadlinesMissed";
    public static final String OLDEST_WAITING = "OldestReviewWaitMinutes";

    /** What one check found. */
    public record Summary(int waiting, int atRisk, int overdue, long oldestWaitingMinutes) { }

    /** Two of the strictest deadlines are 2 and 3 hours, so one hour before is when a person must start. */
    public static final Duration DEFAULT_AT_RISK_WITHIN = Duration.ofHours(1);

    private static final int PAGE = 100;

    private final VerdictStore verdicts;
    private final Metrics metrics;
    private final Clock clock;
    private final Duration atRiskWithin;
    private final StructuredLog log;

    /** @param atRiskWithin a deadline this close (and not yet passed) counts as at risk */
    public DeadlineWatch(VerdictStore verdicts, Metrics metrics, Clock clock, Duration atRiskWithin,
                         StructuredLog log) {
        this.verdicts = verdicts;
        this.metrics = metrics;
        this.clock = clock;
        this.atRiskWithin = atRiskWithin;
        this.log = log;
    }

    public Summary check() {
        Instant now = clock.instant();
        int waiting = 0;
        int atRisk = 0;
        int overdue = 0;
        Instant oldest = now;
        for (ReviewStatus status : new ReviewStatus[] {ReviewStatus.PENDING, ReviewStatus.APPEALED}) {
            String cursor = null;
            do {
                VerdictStore.Page<Verdict> page = verdicts.listByReview(status, PAGE, cursor);
                for (Verdict verdict : page.items()) {
                    waiting++;
                    if (verdict.decidedAt().isBefore(oldest)) {
                        oldest = verdict.decidedAt();
                    }
                    Instant deadline = verdict.reviewDeadline();
                    if (deadline == null) {
                        continue;
                    }
                    if (!deadline.isAfter(now)) {
                        overdue++;
                    } else if (Duration.between(now, deadline).compareTo(atRiskWithin) <= 0) {
                        atRisk++;
                    }
                }
                cursor = page.nextCursor();
            } while (cursor != null);
        }
        Summary summary = new Summary(waiting, atRisk, overdue, Duration.between(oldest, now).toMinutes());
        metrics.count(QUEUE_DEPTH, summary.waiting(), Map.of());
        metrics.count(AT_RISK, summary.atRisk(), Map.of());
        metrics.count(OVERDUE, summary.overdue(), Map.of());
        metrics.count(OLDEST_WAITING, summary.oldestWaitingMinutes(), Map.of());
        metrics.flush();
        log.info("deadline-watch", Map.of("waiting", waiting, "atRisk", atRisk, "overdue", overdue,
                "oldestWaitingMinutes", summary.oldestWaitingMinutes()));
        return summary;
    }
}
