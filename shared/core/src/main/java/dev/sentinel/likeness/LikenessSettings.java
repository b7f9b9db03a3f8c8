package dev.sentinel.likeness;

import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Likeness protection as the template configures it. Off (null from {@link #fromEnvironment}) unless
 * {@code LIKENESS_COLLECTION} names the Rekognition face collection, or {@code LIKENESS_CHECKED_BY_SCAN_FUNCTION} is
 * {@code true}: a function that judges uploads but may not search the collection (on-demand checks) then leaves
 * sexual images with faces to the scan function ({@link #searchedElsewhere}).
 *
 * @param collectionId     {@code LIKENESS_COLLECTION}: the face collection of registered people; null where it is
 *                         searched elsewhere
 * @param table            {@code LIKENESS_TABLE}: registrations and enrolment counters (the likeness function
 *                         only; null for the scan function, which records matches in the cases table)
 * @param matchThreshold   {@code LIKENESS_MATCH_THRESHOLD}: the least similarity (percent, 90 to 100) that counts as
 *                         the registered person; high on purpose, a false match quarantines someone else's image
 * @param maxFacesSearched {@code LIKENESS_MAX_FACES}: faces of one image searched at most; an image with more is
 *                         held for a person rather than published partly checked
 * @param alertsTopic      {@code LIKENESS_ALERTS_TOPIC}: the SNS topic a match is announced on (scan function) and
 *                         each registration's contact is subscribed to (likeness function)
 * @param term             {@code LIKENESS_REGISTRATION_TERM}: how long a registration lasts unless renewed
 * @param enrolmentsPerDay {@code LIKENESS_ENROLMENTS_PER_DAY}: enrolments one caller may make per UTC day
 */
public record LikenessSettings(String collectionId, String table, double matchThreshold, int maxFacesSearched,
                               String alertsTopic, Period term, int enrolmentsPerDay) {

    public static final double DEFAULT_MATCH_THRESHOLD = 98;
    public static final int DEFAULT_MAX_FACES = 10;
    public static final Period DEFAULT_TERM = Period.ofYears(1);
    public static final int DEFAULT_ENROLMENTS_PER_DAY = 10;

    /** Settings with the defaults, for the given collection, table and topic. */
    public static LikenessSettings of(String collectionId, String table, String alertsTopic) {
        return new LikenessSettings(collectionId, table, DEFAULT_MATCH_THRESHOLD, DEFAULT_MAX_FACES, alertsTopic,
                DEFAULT_TERM, DEFAULT_ENROLMENTS_PER_DAY);
    }

    /** Settings of a function that finds faces but leaves the search to the scan function. */
    public static LikenessSettings searchedByTheScanFunction() {
        return new LikenessSettings(null, null, DEFAULT_MATCH_THRESHOLD, DEFAULT_MAX_FACES, null, DEFAULT_TERM,
                DEFAULT_ENROLMENTS_PER_DAY);
    }

    /** Whether this function leaves the search of the collection to the scan function. */
    public boolean searchedElsewhere() {
        return collectionId == null;
    }

    /** @return null when neither {@code LIKENESS_COLLECTION} nor the deferral is set: likeness protection is off */
    public static LikenessSettings fromEnvironment(Map<String, String> env) {
        String collection = env.get("LIKENESS_COLLECTION");
        if (collection == null || collection.isBlank()) {
            return Boolean.parseBoolean(env.getOrDefault("LIKENESS_CHECKED_BY_SCAN_FUNCTION", "false").trim())
                    ? searchedByTheScanFunction() : null;
        }
        List<String> problems = new ArrayList<>();
        String table = env.get("LIKENESS_TABLE");
        double threshold = number(env, "LIKENESS_MATCH_THRESHOLD", DEFAULT_MATCH_THRESHOLD, problems);
        if (threshold < 90 || threshold > 100) {
            problems.add("LIKENESS_MATCH_THRESHOLD must be from 90 to 100, was " + threshold);
        }
        int maxFaces = (int) number(env, "LIKENESS_MAX_FACES", DEFAULT_MAX_FACES, problems);
        if (maxFaces < 1 || maxFaces > 100) {
            problems.add("LIKENESS_MAX_FACES must be from 1 to 100, was " + maxFaces);
        }
        int perDay = (int) number(env, "LIKENESS_ENROLMENTS_PER_DAY", DEFAULT_ENROLMENTS_PER_DAY, problems);
        if (perDay < 1) {
            problems.add("LIKENESS_ENROLMENTS_PER_DAY must be at least 1, was " + perDay);
        }
        Period term = DEFAULT_TERM;
        String configured = env.get("LIKENESS_REGISTRATION_TERM");
        if (configured != null && !configured.isBlank()) {
            try {
                term = Period.parse(configured.trim());
                if (term.isNegative() || term.isZero() || term.toTotalMonths() > 36) {
                    problems.add("LIKENESS_REGISTRATION_TERM must be positive and at most P3Y, was " + configured);
                }
            } catch (DateTimeParseException e) {
                problems.add("LIKENESS_REGISTRATION_TERM must be an ISO-8601 period like P1Y, was " + configured);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("likeness configuration is invalid: " + String.join("; ", problems));
        }
        String topic = env.get("LIKENESS_ALERTS_TOPIC");
        return new LikenessSettings(collection.trim(), table == null || table.isBlank() ? null : table.trim(),
                threshold, maxFaces,
                topic == null || topic.isBlank() ? null : topic.trim(), term, perDay);
    }

    private static double number(Map<String, String> env, String name, double fallback, List<String> problems) {
        String raw = env.get(name);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            problems.add(name + " must be a number, was '" + raw + "'");
            return fallback;
        }
    }
}
