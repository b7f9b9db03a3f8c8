package dev.sentinel.report;

import dev.sentinel.store.Appeal;
import java.time.Duration;

/** Counts the appeals section of a report: the appeals lodged in the period, as they stand now. */
final class AppealTally {

    private final MedianHours hoursToDecision = new MedianHours();
    private long lodged;
    private long upheld;
    private long reversed;
    private long pending;

    void add(Appeal appeal) {
        lodged++;
        switch (String.valueOf(appeal.status())) {
            case Appeal.UPHELD -> upheld++;
            case Appeal.REVERSED -> reversed++;
            default -> pending++; // PENDING, or a status this report does not know: not decided
        }
        if (!Appeal.PENDING.equals(appeal.status()) && appeal.decidedAt() != null) {
            hoursToDecision.add(Duration.between(appeal.lodgedAt(), appeal.decidedAt()));
        }
    }

    TransparencyReport.Appeals result() {
        return new TransparencyReport.Appeals(lodged, upheld + reversed, upheld, reversed, pending,
                hoursToDecision.median());
    }
}
