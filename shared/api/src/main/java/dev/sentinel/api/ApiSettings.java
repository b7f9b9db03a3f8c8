package dev.sentinel.api;

import dev.sentinel.cases.NoticeDeadlines;
import dev.sentinel.config.ConfigurationException;
import dev.sentinel.config.RekognitionBounds;
import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the API functions read from their environment: {@code CASES_TABLE} (notices, appeals, audit trail),
 * {@code APPEAL_WINDOW} (ISO-8601 period, default {@code P6M}), {@code NOTICE_DEADLINE_<CATEGORY>}, and the bounds
 * of on-demand checks ({@link Checks}); the scan settings (buckets, verdicts table, engine) come from
 * {@link dev.sentinel.config.ScanSettings}.
 */
public record ApiSettings(String casesTable, Period appealWindow, NoticeDeadlines deadlines, Checks checks) {

    public static final Period DEFAULT_APPEAL_WINDOW = Period.ofMonths(6);

    /**
     * How an on-demand check ({@code POST /moderations}) stays inside API Gateway's 29 seconds, the moderation
     * function's timeout. What cannot fit goes to the scan queue and is answered 202 with the verdict to poll.
     *
     * @param rekognition    {@code CHECK_REKOGNITION_MAX_ATTEMPTS}, {@code _ATTEMPT_TIMEOUT_MS} and
     *                       {@code _CALL_TIMEOUT_MS}: the bounds of one Rekognition call (moderation labels, or face
     *                       ages), retries included; a check makes at most two. The scan function keeps its own
     *                       ({@code REKOGNITION_*}).
     * @param inlineMaxBytes {@code CHECK_INLINE_MAX_BYTES}: stored objects larger than this are queued at once,
     *                       unread (reading, decoding, copying and verifying them would not fit)
     */
    public record Checks(RekognitionBounds rekognition, long inlineMaxBytes) {

        public static final String REKOGNITION_PREFIX = "CHECK_REKOGNITION_";
        /**
         * Three tries of 3 s within 6 s a call: two calls, a decode at its time box and the reads and writes around
         * them end inside 29 s; Rekognition usually answers in well under a second.
         */
        public static final Checks DEFAULT = new Checks(new RekognitionBounds(3, Duration.ofSeconds(3),
                Duration.ofSeconds(6)), 15L * 1024 * 1024);
        /** Two calls of this long and a decode at its time box leave no room for the rest in 29 s. */
        public static final Duration MAX_CALL_TIMEOUT = Duration.ofSeconds(8);

        static Checks fromEnvironment(Map<String, String> env, List<String> problems) {
            RekognitionBounds bounds = RekognitionBounds.fromEnvironment(env, REKOGNITION_PREFIX,
                    DEFAULT.rekognition(), problems);
            if (bounds.callTimeout().compareTo(MAX_CALL_TIMEOUT) > 0) {
                problems.add(REKOGNITION_PREFIX + "CALL_TIMEOUT_MS must be at most " + MAX_CALL_TIMEOUT.toMillis()
                        + " (two calls and a decode within 29 s), was " + bounds.callTimeout().toMillis());
            }
            long bytes = DEFAULT.inlineMaxBytes();
            String raw = env.get("CHECK_INLINE_MAX_BYTES");
            if (raw != null && !raw.isBlank()) {
                try {
                    bytes = Long.parseLong(raw.trim());
                } catch (NumberFormatException e) {
                    bytes = 0;
                }
                if (bytes < 1) {
                    problems.add("CHECK_INLINE_MAX_BYTES must be a whole number of bytes above 0, was '" + raw + "'");
                }
            }
            return new Checks(bounds, bytes);
        }
    }

    /** Settings with on-demand checks bounded by their defaults. */
    public ApiSettings(String casesTable, Period appealWindow, NoticeDeadlines deadlines) {
        this(casesTable, appealWindow, deadlines, Checks.DEFAULT);
    }

    public static ApiSettings fromEnvironment(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String table = env.get("CASES_TABLE");
        if (table == null || table.isBlank()) {
            problems.add("CASES_TABLE is not set");
        }
        Period window = DEFAULT_APPEAL_WINDOW;
        String configured = env.get("APPEAL_WINDOW");
        if (configured != null && !configured.isBlank()) {
            try {
                window = Period.parse(configured.trim());
                if (window.isNegative() || window.isZero()) {
                    problems.add("APPEAL_WINDOW must be positive, was " + configured);
                }
            } catch (DateTimeParseException e) {
                problems.add("APPEAL_WINDOW must be an ISO-8601 period like P6M, was " + configured);
            }
        }
        Checks checks = Checks.fromEnvironment(env, problems);
        if (!problems.isEmpty()) {
            throw new ConfigurationException("API configuration is invalid: " + String.join("; ", problems));
        }
        return new ApiSettings(table.trim(), window, NoticeDeadlines.fromEnvironment(env), checks);
    }
}
