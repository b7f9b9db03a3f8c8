package dev.sentinel.safety;

import dev.sentinel.config.ConfigurationException;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
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

    /** {@code MINOR_AGE_BELOW}, {@code CHILD_SAFETY_RETENTION} (ISO period, ≥ P1Y), {@code CHILD_SAFETY_OUTSIDE_REVIEW}. */
    public static SafetySettings fromEnvironment(Map<String, String> env) {
        int age = 18;
        Period retention = MIN_RETENTION;
        try {
            age = Integer.parseInt(env.getOrDefault("MINOR_AGE_BELOW", "18").trim());
            retention = Period.parse(env.getOrDefault("CHILD_SAFETY_RETENTION", "P1Y").trim());
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new ConfigurationException("MINOR_AGE_BELOW must be a whole number and CHILD_SAFETY_RETENTION an "
                    + "ISO-8601 period such as P1Y");
        }
        if (age < 18 || age > 25) {
            throw new ConfigurationException("MINOR_AGE_BELOW must be from 18 to 25, was " + age);
        }
        if (retention.toTotalMonths() < 12) {
            throw new ConfigurationException("CHILD_SAFETY_RETENTION must be at least P1Y, was " + retention);
        }
        return new SafetySettings(age, retention,
                Boolean.parseBoolean(env.getOrDefault("CHILD_SAFETY_OUTSIDE_REVIEW", "false").trim()));
    }
}
