package dev.sentinel.report;

import dev.sentinel.store.Notice;
import dev.sentinel.store.NoticeCategory;
import dev.sentinel.verdict.HumanDecision;
import dev.sentinel.verdict.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Counts the notices section of a report. A notice is actioned once a person has settled the verdict it names at
 * or after the notice arrived; a decision taken before the notice answered something else.
 */
final class NoticeTally {

    private final Instant generatedAt;
    private final Map<NoticeCategory, Counts> byType = new EnumMap<>(NoticeCategory.class);
    private final MedianHours overall = new MedianHours();
    private long received;

    NoticeTally(Instant generatedAt) {
        this.generatedAt = generatedAt;
        for (NoticeCategory category : NoticeCategory.values()) {
            byType.put(category, new Counts());
        }
    }

    /** @param named the verdict the notice names; null when it named none or it cannot be found */
    void add(Notice notice, Verdict named) {
        received++;
        Counts counts = byType.get(notice.category());
        counts.received++;
        Optional<Instant> actionedAt = firstActionAfter(notice.receivedAt(), named);
        if (actionedAt.isPresent()) {
            counts.actioned++;
            Duration toAction = Duration.between(notice.receivedAt(), actionedAt.get());
            counts.hours.add(toAction);
            overall.add(toAction);
            if (notice.deadline() == null || !actionedAt.get().isAfter(notice.deadline())) {
                counts.withinDeadline++;
            } else {
                counts.missedDeadline++;
            }
        } else {
            counts.open++;
            if (notice.deadline() != null && generatedAt.isAfter(notice.deadline())) {
                counts.missedDeadline++;
            }
        }
    }

    private static Optional<Instant> firstActionAfter(Instant receivedAt, Verdict named) {
        if (named == null) {
            return Optional.empty();
        }
        return named.decisions().stream()
                .filter(PersonsDecisions::settles)
                .map(HumanDecision::at)
                .filter(at -> !at.isBefore(receivedAt))
                .min(Comparator.naturalOrder());
    }

    TransparencyReport.Notices result() {
        Map<NoticeCategory, TransparencyReport.NoticeType> types = new EnumMap<>(NoticeCategory.class);
        byType.forEach((category, c) -> types.put(category, new TransparencyReport.NoticeType(c.received,
                c.actioned, c.open, c.hours.median(), c.withinDeadline, c.missedDeadline)));
        return new TransparencyReport.Notices(received, types, overall.median());
    }

    private static final class Counts {
        private final MedianHours hours = new MedianHours();
        private long received;
        private long actioned;
        private long open;
        private long withinDeadline;
        private long missedDeadline;
    }
}
