package dev.sentinel.report;

import dev.sentinel.store.Appeal;
import dev.sentinel.store.Notice;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes transparency reports from the verdicts and cases tables.
 *
 * <p>A report is an occasional job (monthly, or when a regulator asks), so it reads the tables with Scans: one of
 * the verdicts table, streamed so memory stays small, and one each for notices and appeals in the cases table.
 * Nothing on a request path should do this.
 */
public final class TransparencyReports {

    /** The longest period one report covers: a calendar year, leap years included. */
    public static final Duration MAX_PERIOD = Duration.ofDays(366);
    /** The period when none is given. */
    public static final Duration DEFAULT_PERIOD = Duration.ofDays(30);

    /** A half-open period {@code [from, to)}: {@code to} itself belongs to the next period. */
    public record Period(Instant from, Instant to) {

        public Period {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (!to.isAfter(from)) {
                throw new IllegalArgumentException("the period must end after it starts: to (" + to
                        + ") is not after from (" + from + ")");
            }
            if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
                throw new IllegalArgumentException("a report covers at most " + MAX_PERIOD.toDays() + " days; "
                        + from + " to " + to + " is longer");
            }
        }

        public boolean contains(Instant instant) {
            return !instant.isBefore(from) && instant.isBefore(to);
        }
    }

    private final DynamoVerdictStore verdicts;
    private final DynamoCaseStore cases;
    private final Clock clock;
    private final dev.sentinel.likeness.LikenessMatches likeness;

    /** @param clock gives the report's {@code generatedAt}, against which open notices' deadlines are judged */
    public TransparencyReports(DynamoVerdictStore verdicts, DynamoCaseStore cases, Clock clock) {
        this(verdicts, cases, clock, null);
    }

    /** @param likeness counts likeness matches; null leaves that section out */
    public TransparencyReports(DynamoVerdictStore verdicts, DynamoCaseStore cases, Clock clock,
                               dev.sentinel.likeness.LikenessMatches likeness) {
        this.verdicts = verdicts;
        this.cases = cases;
        this.clock = clock;
        this.likeness = likeness;
    }

    /** The report for {@code [from, to)}; see {@link Period} for what is refused. */
    public TransparencyReport build(Instant from, Instant to) {
        return build(new Period(from, to));
    }

    public TransparencyReport build(Period period) {
        Instant generatedAt = clock.instant();
        List<Notice> notices = cases.noticesReceivedBetween(period.from(), period.to());
        List<Appeal> appeals = cases.appealsLodgedBetween(period.from(), period.to());

        // One pass over the verdicts: count them, and keep only those the period's notices name.
        Set<String> named = notices.stream().map(Notice::verdictId).filter(Objects::nonNull)
                .collect(Collectors.toSet());
        Map<String, Verdict> namedVerdicts = new HashMap<>();
        ModerationTally moderation = new ModerationTally(period);
        try (Stream<Verdict> all = verdicts.scanAll()) {
            all.forEach(verdict -> {
                moderation.add(verdict);
                if (named.contains(verdict.verdictId())) {
                    namedVerdicts.put(verdict.verdictId(), verdict);
                }
            });
        }

        NoticeTally noticeTally = new NoticeTally(generatedAt);
        for (Notice notice : notices) {
            noticeTally.add(notice, notice.verdictId() == null ? null : namedVerdicts.get(notice.verdictId()));
        }
        AppealTally appealTally = new AppealTally();
        appeals.forEach(appealTally::add);

        return new TransparencyReport(period, generatedAt, moderation.result(), noticeTally.result(),
                appealTally.result(), likeness == null ? null : likenessMatches(period));
    }

    /** Likeness matches recorded in the period, and what reviewers found about them. */
    private TransparencyReport.LikenessMatches likenessMatches(Period period) {
        List<dev.sentinel.likeness.LikenessMatch> found = likeness.matchedBetween(period.from(), period.to());
        long same = found.stream().filter(m -> dev.sentinel.likeness.LikenessMatch.SAME_PERSON.equals(m.finding()))
                .count();
        long not = found.stream().filter(m -> dev.sentinel.likeness.LikenessMatch.NOT_THE_PERSON
                .equals(m.finding())).count();
        return new TransparencyReport.LikenessMatches(found.size(), same, not, found.size() - same - not);
    }

    /**
     * The period a caller asked for. Each bound is an ISO-8601 instant ({@code 2025-03-01T00:00:00Z}, an offset
     * such as {@code +02:00} allowed) or a date ({@code 2025-03-01}, taken in UTC): a date as {@code from} is the
     * start of that day, a date as {@code to} the end of it (the start of the next day), so {@code 2025-03-01} to
     * {@code 2025-03-31} is the whole of March. Without either bound the period is the last 30 days up to
     * {@code now}; without {@code from} it is the 30 days before {@code to}; without {@code to} it ends at
     * {@code now}.
     *
     * @throws IllegalArgumentException when a bound cannot be read, {@code to} is not after {@code from}, or the
     *                                  period is longer than 366 days
     */
    public static Period parse(String from, String to, Instant now) {
        Instant end = isAbsent(to) ? now : bound("to", to, true);
        Instant start = isAbsent(from) ? end.minus(DEFAULT_PERIOD) : bound("from", from, false);
        return new Period(start, end);
    }

    private static boolean isAbsent(String value) {
        return value == null || value.isBlank();
    }

    private static Instant bound(String name, String value, boolean endOfDay) {
        String text = value.trim();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notAnInstant) {
            try {
                LocalDate day = LocalDate.parse(text);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notADate) {
                throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2025-03-01T00:00:00Z"
                        + " or a date such as 2025-03-01, was '" + value + "'");
            }
        }
    }
}
