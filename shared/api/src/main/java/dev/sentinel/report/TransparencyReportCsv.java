package dev.sentinel.report;

import dev.sentinel.policy.Action;
import dev.sentinel.store.NoticeCategory;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import java.util.Map;

/**
 * A transparency report as CSV (RFC 4180: CRLF line ends, fields quoted when they need it), one row per number,
 * for spreadsheets and for filling in the DSA templates: {@code section,metric,dimension,value}. The dimension is
 * empty for a total and otherwise {@code name=value} pairs joined by {@code ;}. A median with nothing to take it of
 * has an empty value. The first rows give the period and when the report was made.
 */
public final class TransparencyReportCsv {

    public static final String HEADER = "section,metric,dimension,value";
    private static final String CRLF = "\r\n";

    private TransparencyReportCsv() {
    }

    public static String toCsv(TransparencyReport report) {
        StringBuilder csv = new StringBuilder(HEADER).append(CRLF);
        row(csv, "report", "period_from", "", report.period().from().toString());
        row(csv, "report", "period_to", "", report.period().to().toString());
        row(csv, "report", "generated_at", "", report.generatedAt().toString());

        TransparencyReport.ModerationDecisions decisions = report.moderationDecisions();
        String section = "moderation_decisions";
        row(csv, section, "total", "", decisions.total());
        for (Map.Entry<ContentCategory, Map<Action, Long>> category : decisions.byCategory().entrySet()) {
            for (Map.Entry<Action, Long> action : category.getValue().entrySet()) {
                row(csv, section, "count", "category=" + category.getKey() + ";action=" + action.getKey(),
                        action.getValue());
            }
        }
        decisions.byAction().forEach((action, count) -> row(csv, section, "count", "action=" + action, count));
        row(csv, section, "automated", "", decisions.automated());
        row(csv, section, "human_reviewed", "", decisions.humanReviewed());
        decisions.humanOutcomes().forEach((outcome, count) ->
                row(csv, section, "human_outcome", "outcome=" + outcome, count));

        TransparencyReport.Notices notices = report.notices();
        row(csv, "notices", "received", "", notices.received());
        row(csv, "notices", "median_hours_to_action", "", notices.medianHoursToAction());
        for (Map.Entry<NoticeCategory, TransparencyReport.NoticeType> entry : notices.byType().entrySet()) {
            String type = "type=" + entry.getKey();
            TransparencyReport.NoticeType counts = entry.getValue();
            row(csv, "notices", "received", type, counts.received());
            row(csv, "notices", "actioned", type, counts.actioned());
            row(csv, "notices", "open", type, counts.open());
            row(csv, "notices", "median_hours_to_action", type, counts.medianHoursToAction());
            row(csv, "notices", "within_deadline", type, counts.withinDeadline());
            row(csv, "notices", "missed_deadline", type, counts.missedDeadline());
        }

        TransparencyReport.Appeals appeals = report.appeals();
        row(csv, "appeals", "lodged", "", appeals.lodged());
        row(csv, "appeals", "decided", "", appeals.decided());
        row(csv, "appeals", "upheld", "", appeals.upheld());
        row(csv, "appeals", "reversed", "", appeals.reversed());
        row(csv, "appeals", "pending", "", appeals.pending());
        row(csv, "appeals", "median_hours_to_decision", "", appeals.medianHoursToDecision());

        TransparencyReport.LikenessMatches likeness = report.likenessMatches();
        if (likeness != null) {
            row(csv, "likeness_matches", "matches", "", likeness.matches());
            row(csv, "likeness_matches", "same_person", "", likeness.samePerson());
            row(csv, "likeness_matches", "not_the_person", "", likeness.notThePerson());
            row(csv, "likeness_matches", "undecided", "", likeness.undecided());
        }
        return csv.toString();
    }

    private static void row(StringBuilder csv, String section, String metric, String dimension, long count) {
        row(csv, section, metric, dimension, Long.toString(count));
    }

    private static void row(StringBuilder csv, String section, String metric, String dimension, Double hours) {
        row(csv, section, metric, dimension, hours == null ? "" : decimal(hours));
    }

    private static void row(StringBuilder csv, String section, String metric, String dimension, String value) {
        csv.append(field(section)).append(',').append(field(metric)).append(',').append(field(dimension))
                .append(',').append(field(value)).append(CRLF);
    }

    /** At least one decimal, at most three, with a point whatever the default locale: {@code 2.0}, {@code 1.25}. */
    static String decimal(double value) {
        return new DecimalFormat("0.0##", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(value);
    }

    /** A field as RFC 4180 wants it: quoted, with quotes doubled, when it holds a comma, quote or line break. */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
