package dev.sentinel.config;

import dev.sentinel.safety.SafetySettings;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The child-safety settings of {@link ScanSettings}, read and checked here: the safety package sits below config and
 * reads no environment.
 */
final class SafetyEnvironment {

    private SafetyEnvironment() {
    }

    /**
     * {@code MINOR_AGE_BELOW}, {@code CHILD_SAFETY_RETENTION} (ISO period, ≥ P1Y),
     * {@code CHILD_SAFETY_OUTSIDE_REVIEW}.
     */
    static SafetySettings read(Map<String, String> env) {
        int age = 18;
        Period retention = SafetySettings.MIN_RETENTION;
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
