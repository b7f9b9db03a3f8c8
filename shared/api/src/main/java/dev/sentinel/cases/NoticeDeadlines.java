package dev.sentinel.cases;

import dev.sentinel.store.NoticeCategory;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** How long a person has to decide a notice of each category. */
public record NoticeDeadlines(Map<NoticeCategory, Duration> byCategory) {

    public NoticeDeadlines {
        byCategory = Map.copyOf(byCategory);
    }

    public Duration of(NoticeCategory category) {
        return byCategory.get(category);
    }

    /** Defaults: government order 3 h, intimate imagery and child safety 2 h, everything else 48 h. */
    public static NoticeDeadlines defaults() {
        Map<NoticeCategory, Duration> map = new EnumMap<>(NoticeCategory.class);
        map.put(NoticeCategory.GOVERNMENT_ORDER, Duration.ofHours(3));
        map.put(NoticeCategory.INTIMATE_IMAGERY, Duration.ofHours(2));
        map.put(NoticeCategory.CHILD_SAFETY, Duration.ofHours(2));
        map.put(NoticeCategory.ILLEGAL_CONTENT, Duration.ofHours(48));
        map.put(NoticeCategory.OTHER, Duration.ofHours(48));
        return new NoticeDeadlines(map);
    }

    /** Overrides from {@code NOTICE_DEADLINE_<CATEGORY>} (ISO-8601 durations such as {@code PT3H}). */
    public static NoticeDeadlines fromEnvironment(Map<String, String> env) {
        Map<NoticeCategory, Duration> map = new EnumMap<>(defaults().byCategory());
        List<String> problems = new ArrayList<>();
        for (NoticeCategory category : NoticeCategory.values()) {
            String value = env.get("NOTICE_DEADLINE_" + category.name());
            if (value == null || value.isBlank()) {
                continue;
            }
            try {
                Duration d = Duration.parse(value.trim());
                if (d.isNegative() || d.isZero()) {
                    problems.add("NOTICE_DEADLINE_" + category + " must be positive");
                } else {
                    map.put(category, d);
                }
            } catch (DateTimeParseException e) {
                problems.add("NOTICE_DEADLINE_" + category + " must be an ISO-8601 duration like PT3H, was " + value);
            }
        }
        if (!problems.isEmpty()) {
            throw new dev.sentinel.config.ConfigurationException("notice configuration is invalid: "
                    + String.join("; ", problems));
        }
        return new NoticeDeadlines(map);
    }
}
