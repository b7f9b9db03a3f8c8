package dev.sentinel.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sentinel.policy.Action;
import dev.sentinel.store.NoticeCategory;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A transparency report for one period, shaped after the EU DSA transparency-report templates (Commission
 * Implementing Regulation (EU) 2024/2835): moderation decisions taken on the provider's own initiative, notices
 * (art. 16) and complaints (art. 20). Written as JSON with the project's mapper, or as CSV by
 * {@link TransparencyReportCsv}. Medians are in hours and null when there is nothing to take a median of; they are
 * written as null rather than left out, so a reader sees the metric exists.
 *
 * @param period      the half-open period {@code [from, to)} counted
 * @param generatedAt when the report was made: open notices are judged against their deadlines at this instant
 * @param likenessMatches likeness matches in the period; absent where likeness protection is not counted
 */
public record TransparencyReport(TransparencyReports.Period period, Instant generatedAt,
                                 ModerationDecisions moderationDecisions, Notices notices, Appeals appeals,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) LikenessMatches likenessMatches) {

    /** A report without the likeness section. */
    public TransparencyReport(TransparencyReports.Period period, Instant generatedAt,
                              ModerationDecisions moderationDecisions, Notices notices, Appeals appeals) {
        this(period, generatedAt, moderationDecisions, notices, appeals, null);
    }

    /**
     * Registered likenesses found in sexual images in the period (one per image and registration), and what
     * reviewers found about them: the same person, not the person, or not decided yet.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LikenessMatches(long matches, long samePerson, long notThePerson, long undecided) { }

    public TransparencyReport {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(generatedAt, "generatedAt");
        Objects.requireNonNull(moderationDecisions, "moderationDecisions");
        Objects.requireNonNull(notices, "notices");
        Objects.requireNonNull(appeals, "appeals");
    }

    /**
     * Automated decisions (verdicts) made in the period, by their {@code decidedAt}.
     *
     * @param byCategory    category, then the automated action, then how many; categories with none are left out
     * @param byAction      every action, with how many verdicts took it
     * @param automated     verdicts no person has decided anything about
     * @param humanReviewed verdicts a reviewer has looked at (at least one decision of kind REVIEW)
     * @param humanOutcomes CONFIRM and RELEASE review decisions taken in the period, on any verdict: a person may
     *                      decide in this period about a verdict made in an earlier one (sorted by outcome)
     */
    public record ModerationDecisions(long total, Map<ContentCategory, Map<Action, Long>> byCategory,
                                      Map<Action, Long> byAction, long automated, long humanReviewed,
                                      Map<String, Long> humanOutcomes) {

        public ModerationDecisions {
            EnumMap<ContentCategory, Map<Action, Long>> categories = new EnumMap<>(ContentCategory.class);
            byCategory.forEach((category, actions) -> categories.put(category, ordered(Action.class, actions)));
            byCategory = Collections.unmodifiableMap(categories);
            byAction = ordered(Action.class, byAction);
            humanOutcomes = Collections.unmodifiableMap(new TreeMap<>(humanOutcomes));
        }
    }

    /**
     * Notices received in the period, with what has become of them by {@code generatedAt}.
     *
     * @param byType every notice category, including those with no notices
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Notices(long received, Map<NoticeCategory, NoticeType> byType, Double medianHoursToAction) {

        public Notices {
            byType = ordered(NoticeCategory.class, byType);
        }
    }

    /**
     * The notices of one category.
     *
     * @param actioned            a person decided about the named verdict after the notice arrived
     * @param open                not actioned yet
     * @param medianHoursToAction from receipt to the first such decision, over the actioned notices
     * @param withinDeadline      actioned by the notice's deadline
     * @param missedDeadline      actioned after the deadline, or still open with the deadline passed
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record NoticeType(long received, long actioned, long open, Double medianHoursToAction,
                             long withinDeadline, long missedDeadline) { }

    /**
     * Appeals (DSA art. 20 complaints) lodged in the period, in the state they are in at {@code generatedAt}.
     *
     * @param medianHoursToDecision from lodging to decision, over the decided appeals
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Appeals(long lodged, long decided, long upheld, long reversed, long pending,
                          Double medianHoursToDecision) { }

    /** An unmodifiable copy in the enum's declared order, so JSON and CSV always list things the same way. */
    private static <K extends Enum<K>, V> Map<K, V> ordered(Class<K> type, Map<K, V> values) {
        EnumMap<K, V> copy = new EnumMap<>(type);
        copy.putAll(values);
        return Collections.unmodifiableMap(copy);
    }
}
