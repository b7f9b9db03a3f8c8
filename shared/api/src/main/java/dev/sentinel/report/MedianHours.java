package dev.sentinel.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects durations and gives their median in hours, rounded to three decimals (3.6 seconds) so the JSON and
 * the CSV of a report show the same number.
 */
final class MedianHours {

    private final List<Long> millis = new ArrayList<>();

    void add(Duration duration) {
        millis.add(duration.toMillis());
    }

    /** The median in hours; null when nothing was added. */
    Double median() {
        if (millis.isEmpty()) {
            return null;
        }
        List<Long> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        int middle = sorted.size() / 2;
        double medianMillis = sorted.size() % 2 == 1 ? sorted.get(middle)
                : (sorted.get(middle - 1) + sorted.get(middle)) / 2.0;
        return BigDecimal.valueOf(medianMillis / 3_600_000.0).setScale(3, RoundingMode.HALF_UP).doubleValue();
    }
}
