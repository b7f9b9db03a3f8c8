package dev.sentinel.safety;

import java.time.Period;

/**
 * Read from the environment, and checked, with the rest of the scan settings (the config package).
 *
 * @param minorAgeBelow        a face whose estimated age range starts below this counts as possibly a minor
 * @param retention            how long quarantined child-safety objects are locked (at least one year: the
 *                             preservation period of 18 U.S.C. 2258A as extended by the REPORT Act)
 * @param outsideReviewAllowed whether CHILD_SAFETY items may go to Amazon A2I or any reviewer outside the
 *                             platform's own trust-and-safety team; false unless an operator decides otherwise
 */
public record SafetySettings(int minorAgeBelow, Period retention, boolean outsideReviewAllowed) {

    public static final Period MIN_RETENTION = Period.ofYears(1);

    public static SafetySettings defaults() {
        return new SafetySettings(18, MIN_RETENTION, false);
    }
}
