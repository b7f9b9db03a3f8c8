package dev.sentinel.api;

import dev.sentinel.cases.NoticeDeadlines;
import dev.sentinel.config.ConfigurationException;
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
     * @param engineCallTimeout {@code CHECK_ENGINE_SECONDS}: the most one engine call (Rekognition's moderation
     *                          labels, or its face ages) may take, all retries included; a check makes at most two
     * @param inlineMaxBytes    {@code CHECK_INLINE_MAX_BYTES}: stored objects larger than this are queued at once,
     *                          unread (reading, decoding, copying and verifying them would not fit)
     */
    public record Checks(Duration engineCallTimeout, long inlineMaxBytes) {

        /**
         * Two engine calls of 6 s, plus decoding (time-boxed at 10 s) and the reads and writes around them, end
         * inside 29 s; Rekognition usually answers in well under a second.
         */
        public static final Checks DEFAULT = new Checks(Duration.ofSeconds(6), 15L * 1024 * 1024);
        /** Two calls of this long and a decode at its time box leave no room for the rest in 29 s. */
        public static final int MAX_ENGINE_SECONDS = 8;

        static Checks fromEnvironment(Map<String, String> env, List<String> problems) {
            long seconds = number(env, "CHECK_ENGINE_SECONDS", DEFAULT.engineCallTimeout().toSeconds(), 1,
                    MAX_ENGINE_SECONDS, problems);
            long bytes = number(env, "CHECK_INLINE_MAX_BYTES", DEFAULT.inlineMaxBytes(), 1, Long.MAX_VALUE, problems);
            return new Checks(Duration.ofSeconds(seconds), bytes);
        }

        private static long number(Map<String, String> env, String name, long fallback, long min, long max,
                                   List<String> problems) {
            String raw = env.get(name);
            if (raw == null || raw.isBlank()) {
                return fallback;
            }
            try {
                long value = Long.parseLong(raw.trim());
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.add(name + " must be a whole number from " + min + (max == Long.MAX_VALUE ? " up"
                    : " to " + max) + ", was '" + raw + "'");
            return fallback;
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
