package dev.sentinel.api;

import dev.sentinel.cases.NoticeDeadlines;
import dev.sentinel.config.ConfigurationException;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * What the API functions read from their environment: {@code CASES_TABLE} (notices, appeals, audit trail),
 * {@code APPEAL_WINDOW} (ISO-8601 period, default {@code P6M}), {@code NOTICE_DEADLINE_<CATEGORY>}; the scan
 * settings (buckets, verdicts table, engine) come from {@link dev.sentinel.config.ScanSettings}.
 */
public record ApiSettings(String casesTable, Period appealWindow, NoticeDeadlines deadlines) {

    public static final Period DEFAULT_APPEAL_WINDOW = Period.ofMonths(6);

    public static ApiSettings fromEnvironment(Map<String, String> env) {
        String table = env.get("CASES_TABLE");
        if (table == null || table.isBlank()) {
            throw new ConfigurationException("API configuration is invalid: CASES_TABLE is not set");
        }
        Period window = DEFAULT_APPEAL_WINDOW;
        String configured = env.get("APPEAL_WINDOW");
        if (configured != null && !configured.isBlank()) {
            try {
                window = Period.parse(configured.trim());
            } catch (DateTimeParseException e) {
                throw new ConfigurationException("APPEAL_WINDOW must be an ISO-8601 period like P6M, was "
                        + configured);
            }
            if (window.isNegative() || window.isZero()) {
                throw new ConfigurationException("APPEAL_WINDOW must be positive, was " + configured);
            }
        }
        return new ApiSettings(table.trim(), window, NoticeDeadlines.fromEnvironment(env));
    }
}
