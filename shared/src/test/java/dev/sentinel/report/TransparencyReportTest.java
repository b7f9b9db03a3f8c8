package dev.sentinel.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.store.Appeal;
import dev.sentinel.store.Notice;
import dev.sentinel.store.NoticeCategory;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.json.Json;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.policy.Taxonomy;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.HumanDecision;
import dev.sentinel.verdict.ObjectIdentity;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Transparency reports built from real verdicts, notices and appeals in DynamoDB Local (fresh tables per test),
 * with records on both sides of the period's bounds; plus the category of a verdict, the CSV and period parsing.
 */
class TransparencyReportTest {

    private static final Instant FROM = Instant.parse("2025-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2025-04-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2025-04-02T00:00:00Z");
    private static final Instant FEBRUARY = Instant.parse("2025-02-01T00:00:00Z");

    private final TestAws aws = TestAws.get();
    private DynamoVerdictStore verdicts;
    private DynamoCaseStore cases;
    private TransparencyReports reports;

    @BeforeEach
    void freshTables() {
        String verdictTable = aws.newVerdictTable();
        String casesTable = "cases-" + verdictTable;
        CaseTable.createIfMissing(aws.clients().dynamo(), casesTable);
        verdicts = new DynamoVerdictStore(aws.clients().dynamo(), verdictTable);
        cases = new DynamoCaseStore(aws.clients().dynamo(), casesTable);
        reports = new TransparencyReports(verdicts, cases, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    // ---- moderation decisions ----

    @Test
    void countsDecisionsMadeInThePeriodByCategoryActionAndWhoDecided() {
        verdict("explicit", Action.QUARANTINE, at("03-05T10:00"),
                List.of(label("Exposed Female Nipple", "Explicit Nudity", 3, 97)),
                List.of(rule(Action.QUARANTINE, "Exposed Female Nipple", 97, "Explicit")),
                review("CONFIRM", at("03-05T11:00")));
        verdict("swimwear", Action.REVIEW, at("03-06T00:00"), List.of(),
                List.of(rule(Action.REVIEW, "Female Swimwear Or Underwear", 88, "Swimwear or Underwear")),
                review("RELEASE", at("03-07T00:00")));
        // The more severe reason decides, though the other one is more confident.
        verdict("gore-and-smoke", Action.QUARANTINE, at("03-08T00:00"), List.of(),
                List.of(rule(Action.REVIEW, "Smoking", 99.9, "Drugs & Tobacco"),
                        rule(Action.QUARANTINE, "Blood & Gore", 81, "Violence")));
        verdict("clean", Action.ALLOW, at("03-09T00:00"), List.of(),
                List.of(Reason.of(ReasonCode.NOTHING_DETECTED, Action.ALLOW, "nothing")));
        verdict("known", Action.QUARANTINE, at("03-10T00:00"), List.of(), List.of(knownContent()));
        verdict("engine-down", Action.REVIEW, at("03-11T00:00"), List.of(),
                List.of(Reason.of(ReasonCode.ENGINE_UNAVAILABLE, Action.REVIEW, "engine down")));
        // Only the first half of a two-person release: a person looked, but no outcome yet.
        verdict("child", Action.CHILD_SAFETY, at("03-12T00:00"), List.of(),
                List.of(new Reason(ReasonCode.CHILD_SAFETY_SIGNAL, "signal", Action.CHILD_SAFETY, true,
                                "Explicit Nudity", 90.0, null, null, null),
                        rule(Action.QUARANTINE, "Explicit Nudity", 90, "Explicit")),
                review("RELEASE_REQUESTED", at("03-12T01:00")));
        verdict("first-instant", Action.ALLOW, FROM, List.of(), List.of());
        // A policy change says why it was decided again, not what it shows: the label reason decides.
        verdict("pills", Action.REVIEW, at("03-13T00:00"), List.of(),
                List.of(Reason.of(ReasonCode.POLICY_CHANGED, Action.REVIEW, "policy changed"),
                        rule(Action.REVIEW, "Pills", 70, "Drugs & Tobacco")));
        // Decided by an appeal only: neither left to automation alone nor reviewed.
        verdict("appealed-only", Action.QUARANTINE, at("03-14T00:00"), List.of(),
                List.of(rule(Action.QUARANTINE, "Middle Finger", 91, "Rude Gestures")),
                appealDecision("UPHOLD", at("03-15T00:00")));

        // Decided before the period, reviewed in it: the review is an outcome of the period, the verdict is not.
        verdict("february", Action.QUARANTINE, Instant.parse("2025-02-20T00:00:00Z"), List.of(),
                List.of(rule(Action.QUARANTINE, "Weapons", 95, "Violence")), review("CONFIRM", at("03-02T00:00")));
        verdict("february-reviewed-then", Action.REVIEW, Instant.parse("2025-02-10T00:00:00Z"), List.of(),
                List.of(rule(Action.REVIEW, "Weapons", 60, "Violence")),
                review("RELEASE", Instant.parse("2025-02-11T00:00:00Z")));
        // The period's end belongs to the next period.
        verdict("at-the-end", Action.QUARANTINE, TO, List.of(),
                List.of(rule(Action.QUARANTINE, "Gambling", 99, "Gambling")), review("CONFIRM", TO.plusSeconds(3600)));
        // A claim shares the verdicts table; it is not a verdict.
        assertTrue(verdicts.claim("vd-claimed", Duration.ofMinutes(5), "worker-1"));

        TransparencyReport.ModerationDecisions decisions = reports.build(FROM, TO).moderationDecisions();

        assertEquals(10, decisions.total());
        assertEquals(Map.of(Action.ALLOW, 2L, Action.REVIEW, 3L, Action.QUARANTINE, 4L, Action.CHILD_SAFETY, 1L),
                decisions.byAction());
        assertEquals(Map.of(
                ContentCategory.SEXUAL_CONTENT, Map.of(Action.REVIEW, 1L, Action.QUARANTINE, 1L),
                ContentCategory.VIOLENCE, Map.of(Action.QUARANTINE, 1L),
                ContentCategory.REGULATED_GOODS, Map.of(Action.REVIEW, 1L),
                ContentCategory.HATE_OR_ABUSE, Map.of(Action.QUARANTINE, 1L),
                ContentCategory.CHILD_SAFETY, Map.of(Action.CHILD_SAFETY, 1L),
                ContentCategory.KNOWN_CONTENT, Map.of(Action.QUARANTINE, 1L),
                ContentCategory.HELD_UNDECIDED, Map.of(Action.REVIEW, 1L),
                ContentCategory.NONE, Map.of(Action.ALLOW, 2L)), decisions.byCategory());
        assertEquals(6, decisions.automated());
        assertEquals(3, decisions.humanReviewed());
        assertEquals(Map.of("CONFIRM", 2L, "RELEASE", 1L), decisions.humanOutcomes());
        assertEquals(List.of(ContentCategory.SEXUAL_CONTENT, ContentCategory.VIOLENCE,
                        ContentCategory.REGULATED_GOODS, ContentCategory.HATE_OR_ABUSE, ContentCategory.CHILD_SAFETY,
                        ContentCategory.KNOWN_CONTENT, ContentCategory.HELD_UNDECIDED, ContentCategory.NONE),
                List.copyOf(decisions.byCategory().keySet()), "categories in declared order");
    }

    // ---- notices ----

    @Test
    void noticesAreActionedByThePersonsFirstDecisionAfterReceiptAndJudgedAgainstTheirDeadlines() {
        // Two intimate-imagery notices, actioned after 1 h (in time) and 3 h (2 h deadline missed).
        String a = verdict("a", Action.QUARANTINE, FEBRUARY, List.of(), List.of(), review("CONFIRM", at("03-10T01:00")));
        notice("n1", NoticeCategory.INTIMATE_IMAGERY, a, at("03-10T00:00"), at("03-10T02:00"));
        String b = verdict("b", Action.QUARANTINE, FEBRUARY, List.of(), List.of(), review("CONFIRM", at("03-11T03:00")));
        notice("n2", NoticeCategory.INTIMATE_IMAGERY, b, at("03-11T00:00"), at("03-11T02:00"));
        // Reviewed before the notice arrived: that decision did not answer it. Open, and past its deadline now.
        String c = verdict("c", Action.QUARANTINE, FEBRUARY, List.of(), List.of(), review("CONFIRM", at("03-19T00:00")));
        notice("n3", NoticeCategory.ILLEGAL_CONTENT, c, at("03-20T00:00"), at("03-22T00:00"));
        // Not scanned when it arrived (no verdict), deadline still ahead at generation: open, not missed.
        notice("n4", NoticeCategory.OTHER, null, at("03-31T23:00"), Instant.parse("2025-04-02T23:00:00Z"));
        // A child-safety release needs two reviewers: the second one's decision actions the notice, exactly at
        // the deadline, which is in time.
        String d = verdict("d", Action.CHILD_SAFETY, FEBRUARY, List.of(), List.of(),
                review("RELEASE_REQUESTED", at("03-15T00:30")), review("RELEASE", at("03-15T01:30")));
        notice("n6", NoticeCategory.CHILD_SAFETY, d, at("03-15T00:00"), at("03-15T01:30"));
        // A verdict under appeal is settled by the appeal's decision.
        String e = verdict("e", Action.QUARANTINE, FEBRUARY, List.of(), List.of(),
                appealDecision("UPHOLD", at("03-25T05:00")));
        notice("n7", NoticeCategory.ILLEGAL_CONTENT, e, at("03-25T00:00"), at("03-27T00:00"));
        // Received at the first instant, actioned after 4 h against a 3 h deadline.
        String f = verdict("f", Action.QUARANTINE, FEBRUARY, List.of(), List.of(), review("CONFIRM", at("03-01T04:00")));
        notice("n9", NoticeCategory.GOVERNMENT_ORDER, f, FROM, at("03-01T03:00"));
        // Outside the period.
        notice("n5", NoticeCategory.GOVERNMENT_ORDER, a, Instant.parse("2025-02-25T00:00:00Z"),
                Instant.parse("2025-02-25T03:00:00Z"));
        notice("n8", NoticeCategory.GOVERNMENT_ORDER, b, TO, TO.plusSeconds(3 * 3600));

        TransparencyReport report = reports.build(FROM, TO);
        TransparencyReport.Notices notices = report.notices();

        assertEquals(7, notices.received());
        assertEquals(new TransparencyReport.NoticeType(2, 2, 0, 2.0, 1, 1),
                notices.byType().get(NoticeCategory.INTIMATE_IMAGERY));
        assertEquals(new TransparencyReport.NoticeType(2, 1, 1, 5.0, 1, 1),
                notices.byType().get(NoticeCategory.ILLEGAL_CONTENT));
        assertEquals(new TransparencyReport.NoticeType(1, 0, 1, null, 0, 0),
                notices.byType().get(NoticeCategory.OTHER));
        assertEquals(new TransparencyReport.NoticeType(1, 1, 0, 1.5, 1, 0),
                notices.byType().get(NoticeCategory.CHILD_SAFETY));
        assertEquals(new TransparencyReport.NoticeType(1, 1, 0, 4.0, 0, 1),
                notices.byType().get(NoticeCategory.GOVERNMENT_ORDER));
        // Median of 1, 1.5, 3, 4 and 5 hours.
        assertEquals(3.0, notices.medianHoursToAction());
        // The named verdicts were decided in February: none is a decision of this period.
        assertEquals(0, report.moderationDecisions().total());

        List<String> rows = csvRows(report);
        assertTrue(rows.contains("notices,received,,7"), rows::toString);
        assertTrue(rows.contains("notices,median_hours_to_action,,3.0"), rows::toString);
        assertTrue(rows.contains("notices,median_hours_to_action,type=INTIMATE_IMAGERY,2.0"), rows::toString);
        assertTrue(rows.contains("notices,median_hours_to_action,type=CHILD_SAFETY,1.5"), rows::toString);
        assertTrue(rows.contains("notices,median_hours_to_action,type=OTHER,"), rows::toString);
        assertTrue(rows.contains("notices,missed_deadline,type=ILLEGAL_CONTENT,1"), rows::toString);
        assertTrue(rows.contains("notices,within_deadline,type=GOVERNMENT_ORDER,0"), rows::toString);
        assertTrue(rows.contains("notices,open,type=OTHER,1"), rows::toString);
    }

    @Test
    void aNoticeTurnsMissedOnlyOnceItsDeadlineHasPassedAtGeneration() {
        notice("due-later", NoticeCategory.OTHER, null, at("03-31T00:00"), NOW.plusSeconds(1));
        notice("due-now", NoticeCategory.OTHER, null, at("03-30T00:00"), NOW);
        notice("overdue", NoticeCategory.OTHER, null, at("03-29T00:00"), NOW.minusSeconds(1));

        TransparencyReport.NoticeType other = reports.build(FROM, TO).notices().byType().get(NoticeCategory.OTHER);

        assertEquals(new TransparencyReport.NoticeType(3, 0, 3, null, 0, 1), other);
    }

    // ---- appeals ----

    @Test
    void appealsLodgedInThePeriodAreCountedAsTheyStandNow() {
        appeal("a1", at("03-03T00:00"), Appeal.UPHELD, at("03-03T04:00"));
        appeal("a2", at("03-04T00:00"), Appeal.REVERSED, at("03-05T00:00"));
        appeal("a3", at("03-30T00:00"), null, null);
        appeal("a6", FROM, Appeal.REVERSED, at("03-01T10:00"));
        appeal("a4", Instant.parse("2025-02-27T00:00:00Z"), Appeal.UPHELD, at("03-02T00:00"));
        appeal("a5", TO, null, null);

        TransparencyReport report = reports.build(FROM, TO);

        // Median of 4, 24 and 10 hours.
        assertEquals(new TransparencyReport.Appeals(4, 3, 1, 2, 1, 10.0), report.appeals());
        List<String> rows = csvRows(report);
        assertTrue(rows.contains("appeals,lodged,,4"), rows::toString);
        assertTrue(rows.contains("appeals,reversed,,2"), rows::toString);
        assertTrue(rows.contains("appeals,pending,,1"), rows::toString);
        assertTrue(rows.contains("appeals,median_hours_to_decision,,10.0"), rows::toString);
    }

    // ---- an empty period, JSON and CSV ----

    @Test
    void anEmptyPeriodHasZerosEverywhereAndNoMedians() {
        TransparencyReport report = reports.build(FROM, TO);

        assertEquals(new TransparencyReports.Period(FROM, TO), report.period());
        assertEquals(NOW, report.generatedAt());
        assertEquals(0, report.moderationDecisions().total());
        assertTrue(report.moderationDecisions().byCategory().isEmpty());
        assertEquals(Map.of(Action.ALLOW, 0L, Action.REVIEW, 0L, Action.QUARANTINE, 0L, Action.CHILD_SAFETY, 0L),
                report.moderationDecisions().byAction());
        assertEquals(Map.of("CONFIRM", 0L, "RELEASE", 0L), report.moderationDecisions().humanOutcomes());
        assertEquals(0, report.notices().received());
        assertNull(report.notices().medianHoursToAction());
        assertEquals(List.of(NoticeCategory.values()), List.copyOf(report.notices().byType().keySet()));
        report.notices().byType().values().forEach(type ->
                assertEquals(new TransparencyReport.NoticeType(0, 0, 0, null, 0, 0), type));
        assertEquals(new TransparencyReport.Appeals(0, 0, 0, 0, 0, null), report.appeals());
    }

    @Test
    void theJsonWritesMissingMediansAsNullAndReadsBackToTheSameReport() throws Exception {
        String a = verdict("a", Action.QUARANTINE, at("03-02T00:00"),
                List.of(), List.of(rule(Action.QUARANTINE, "Explicit Sexual Activity", 99, "Explicit")),
                review("CONFIRM", at("03-02T01:30")));
        notice("n1", NoticeCategory.INTIMATE_IMAGERY, a, at("03-02T00:00"), at("03-02T02:00"));
        TransparencyReport report = reports.build(FROM, TO);

        String json = Json.mapper().writeValueAsString(report);
        JsonNode tree = Json.mapper().readTree(json);

        assertEquals("2025-03-01T00:00:00Z", tree.at("/period/from").asText());
        assertEquals("2025-04-01T00:00:00Z", tree.at("/period/to").asText());
        assertEquals("2025-04-02T00:00:00Z", tree.at("/generatedAt").asText());
        assertEquals(1, tree.at("/moderationDecisions/byCategory/SEXUAL_CONTENT/QUARANTINE").asLong());
        assertEquals(1.5, tree.at("/notices/byType/INTIMATE_IMAGERY/medianHoursToAction").asDouble());
        assertTrue(tree.at("/notices/byType/OTHER").has("medianHoursToAction"));
        assertTrue(tree.at("/notices/byType/OTHER/medianHoursToAction").isNull());
        assertTrue(tree.at("/appeals/medianHoursToDecision").isNull());
        assertEquals(report, Json.mapper().readValue(json, TransparencyReport.class));
    }

    @Test
    void theCsvHasOneRowPerNumberInAFixedOrderWithCrLfLineEnds() {
        TransparencyReport report = sampleReport();

        String csv = TransparencyReportCsv.toCsv(report);
        List<String> rows = csvRows(report);

        assertTrue(csv.endsWith("\r\n"));
        assertEquals(csv.split("\r\n", -1).length - 1, csv.split("\n", -1).length - 1, "every line ends in CRLF");
        assertEquals(List.of(
                TransparencyReportCsv.HEADER,
                "report,period_from,,2025-03-01T00:00:00Z",
                "report,period_to,,2025-04-01T00:00:00Z",
                "report,generated_at,,2025-04-02T00:00:00Z",
                "moderation_decisions,total,,15",
                "moderation_decisions,count,category=SEXUAL_CONTENT;action=REVIEW,2",
                "moderation_decisions,count,category=SEXUAL_CONTENT;action=QUARANTINE,12",
                "moderation_decisions,count,category=NONE;action=ALLOW,1",
                "moderation_decisions,count,action=ALLOW,1",
                "moderation_decisions,count,action=REVIEW,2",
                "moderation_decisions,count,action=QUARANTINE,12",
                "moderation_decisions,count,action=CHILD_SAFETY,0",
                "moderation_decisions,automated,,10",
                "moderation_decisions,human_reviewed,,5",
                "moderation_decisions,human_outcome,outcome=CONFIRM,4",
                "moderation_decisions,human_outcome,outcome=RELEASE,1",
                "notices,received,,1",
                "notices,median_hours_to_action,,1.5"), rows.subList(0, 18));
        assertEquals(18 + 6 * NoticeCategory.values().length + 6, rows.size());
        assertEquals(List.of(
                "notices,received,type=INTIMATE_IMAGERY,1",
                "notices,actioned,type=INTIMATE_IMAGERY,1",
                "notices,open,type=INTIMATE_IMAGERY,0",
                "notices,median_hours_to_action,type=INTIMATE_IMAGERY,1.5",
                "notices,within_deadline,type=INTIMATE_IMAGERY,1",
                "notices,missed_deadline,type=INTIMATE_IMAGERY,0"), rows.subList(24, 30));
        assertEquals(List.of(
                "appeals,lodged,,3",
                "appeals,decided,,2",
                "appeals,upheld,,1",
                "appeals,reversed,,1",
                "appeals,pending,,1",
                "appeals,median_hours_to_decision,,0.333"), rows.subList(rows.size() - 6, rows.size()));
        rows.forEach(row -> assertEquals(4, row.split(",", -1).length, row));
    }

    @Test
    void csvNumbersUseAPointWhateverTheDefaultLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            assertTrue(csvRows(sampleReport()).contains("notices,median_hours_to_action,,1.5"));
            assertEquals("1234.5", TransparencyReportCsv.decimal(1234.5));
            assertEquals("2.0", TransparencyReportCsv.decimal(2));
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void csvFieldsAreQuotedAsRfc4180Says() {
        assertEquals("category=NONE;action=ALLOW", TransparencyReportCsv.field("category=NONE;action=ALLOW"));
        assertEquals("\"a,b\"", TransparencyReportCsv.field("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", TransparencyReportCsv.field("say \"hi\""));
        assertEquals("\"two\r\nlines\"", TransparencyReportCsv.field("two\r\nlines"));
        assertEquals("\"line\nbreak\"", TransparencyReportCsv.field("line\nbreak"));
        assertEquals("", TransparencyReportCsv.field(""));
    }

    // ---- the category of a verdict ----

    @Nested
    class CategoryOfAVerdict {

        @Test
        void everyTopLevelRekognitionLabelHasItsCategory() {
            Map<String, ContentCategory> expected = new LinkedHashMap<>();
            expected.put("Explicit", ContentCategory.SEXUAL_CONTENT);
            expected.put("Non-Explicit Nudity of Intimate parts and Kissing", ContentCategory.SEXUAL_CONTENT);
            expected.put("Swimwear or Underwear", ContentCategory.SEXUAL_CONTENT);
            expected.put("Violence", ContentCategory.VIOLENCE);
            expected.put("Visually Disturbing", ContentCategory.VIOLENCE);
            expected.put("Drugs & Tobacco", ContentCategory.REGULATED_GOODS);
            expected.put("Alcohol", ContentCategory.REGULATED_GOODS);
            expected.put("Rude Gestures", ContentCategory.HATE_OR_ABUSE);
            expected.put("Hate Symbols", ContentCategory.HATE_OR_ABUSE);
            expected.put("Gambling", ContentCategory.GAMBLING);
            expected.forEach((name, category) -> {
                assertEquals(1, Taxonomy.v7().level(name), name + " is a top-level label");
                assertEquals(category, categoryOf(Action.QUARANTINE, List.of(),
                        rule(Action.QUARANTINE, name, 90, name)), name);
            });
        }

        @Test
        void aLabelBelowTheTopIsCountedUnderItsTopLevelAndV6NamesAreMapped() {
            assertEquals(ContentCategory.VIOLENCE, categoryOf(Action.QUARANTINE, List.of(),
                    rule(Action.QUARANTINE, "Air Crash", 90, "Visually Disturbing")));
            assertEquals(ContentCategory.REGULATED_GOODS, categoryOf(Action.REVIEW, List.of(),
                    rule(Action.REVIEW, "Drug Paraphernalia", 90, null)));
            assertEquals(ContentCategory.SEXUAL_CONTENT, categoryOf(Action.REVIEW, List.of(),
                    rule(Action.REVIEW, "Suggestive", 90, null)));
        }

        @Test
        void aLabelNewToTheTaxonomyIsPlacedByTheParentTheEngineGaveIt() {
            ModerationLabel brandNew = label("Exposed Elbow Violence", "Graphic Violence", 3, 92);
            assertEquals(ContentCategory.VIOLENCE, categoryOf(Action.QUARANTINE, List.of(brandNew),
                    rule(Action.QUARANTINE, "Exposed Elbow Violence", 92, null)));
        }

        @Test
        void anUnknownLabelWithNoKnownParentIsOther() {
            assertEquals(ContentCategory.OTHER, categoryOf(Action.REVIEW, List.of(label("Zorbing", "", 1, 80)),
                    new Reason(ReasonCode.UNRECOGNIZED_LABEL, "unknown", Action.REVIEW, true, "Zorbing", 80.0,
                            50.0, null, null)));
        }

        @Test
        void facesNotCheckedCountsUnderTheSexualLabelThatCalledForTheCheck() {
            assertEquals(ContentCategory.SEXUAL_CONTENT, categoryOf(Action.REVIEW, List.of(),
                    new Reason(ReasonCode.FACES_NOT_CHECKED, "faces", Action.REVIEW, true, "Implied Nudity", 80.0,
                            null, null, null)));
        }

        @Test
        void onEqualSeverityTheMoreConfidentReasonDecides() {
            assertEquals(ContentCategory.GAMBLING, categoryOf(Action.QUARANTINE, List.of(),
                    rule(Action.QUARANTINE, "Alcoholic Beverages", 70, "Alcohol"),
                    rule(Action.QUARANTINE, "Gambling", 95, "Gambling")));
        }

        @Test
        void holdsWithoutAnyLabelAreHeldUndecidedAndCleanAllowsAreNone() {
            for (ReasonCode code : List.of(ReasonCode.IMAGE_REJECTED, ReasonCode.ENGINE_UNAVAILABLE,
                    ReasonCode.EMPTY_OBJECT, ReasonCode.TOO_LARGE, ReasonCode.UNSUPPORTED_FORMAT)) {
                assertEquals(ContentCategory.HELD_UNDECIDED,
                        categoryOf(Action.REVIEW, List.of(), Reason.of(code, Action.REVIEW, "held")), code.name());
            }
            assertEquals(ContentCategory.NONE, categoryOf(Action.ALLOW, List.of()));
            assertEquals(ContentCategory.NONE, categoryOf(Action.ALLOW, List.of(),
                    Reason.of(ReasonCode.NOTHING_DETECTED, Action.ALLOW, "nothing")));
        }

        @Test
        void childSafetyAndHashMatchesGoByTheirOwnCategory() {
            assertEquals(ContentCategory.CHILD_SAFETY, categoryOf(Action.CHILD_SAFETY, List.of(),
                    rule(Action.QUARANTINE, "Explicit Nudity", 99, "Explicit")));
            assertEquals(ContentCategory.KNOWN_CONTENT, categoryOf(Action.QUARANTINE, List.of(), knownContent()));
        }

        private ContentCategory categoryOf(Action action, List<ModerationLabel> labels, Reason... reasons) {
            return ContentCategory.of(new Verdict("vd-x", identity("x", FROM), action, labels, Arrays.asList(reasons),
                    "p1", "rekognition", "7.0", FROM, new Placement(PlacementState.QUARANTINED,
                    new ObjectRef("uploads", "x.jpg"), FROM), ReviewStatus.PENDING, 0));
        }
    }

    // ---- the period ----

    @Nested
    class PeriodParsing {

        @Test
        void datesCoverWholeDaysInUtc() {
            assertEquals(new TransparencyReports.Period(FROM, TO),
                    TransparencyReports.parse("2025-03-01", "2025-03-31", NOW));
            assertEquals(new TransparencyReports.Period(FROM, Instant.parse("2025-03-02T00:00:00Z")),
                    TransparencyReports.parse("2025-03-01", "2025-03-01", NOW));
        }

        @Test
        void instantsAreTakenAsTheyAreWithOffsetsApplied() {
            assertEquals(new TransparencyReports.Period(Instant.parse("2025-03-01T10:00:00Z"),
                            Instant.parse("2025-03-02T00:00:00.500Z")),
                    TransparencyReports.parse("2025-03-01T12:00:00+02:00", " 2025-03-02T00:00:00.500Z ", NOW));
            assertEquals(new TransparencyReports.Period(FROM, Instant.parse("2025-03-01T00:00:01Z")),
                    TransparencyReports.parse("2025-03-01", "2025-03-01T00:00:01Z", NOW));
        }

        @Test
        void missingBoundsDefaultToThirtyDays() {
            TransparencyReports.Period last30 = new TransparencyReports.Period(NOW.minus(Duration.ofDays(30)), NOW);
            assertEquals(last30, TransparencyReports.parse(null, null, NOW));
            assertEquals(last30, TransparencyReports.parse("", "  ", NOW));
            assertEquals(new TransparencyReports.Period(FROM, NOW), TransparencyReports.parse("2025-03-01", null, NOW));
            assertEquals(new TransparencyReports.Period(TO.minus(Duration.ofDays(30)), TO),
                    TransparencyReports.parse(null, "2025-03-31", NOW));
        }

        @Test
        void aPeriodMustEndAfterItStarts() {
            IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                    () -> TransparencyReports.parse("2025-03-01T00:00:00Z", "2025-03-01T00:00:00Z", NOW));
            assertTrue(same.getMessage().contains("not after"), same.getMessage());
            IllegalArgumentException backwards = assertThrows(IllegalArgumentException.class,
                    () -> TransparencyReports.parse("2025-03-10", "2025-03-01T00:00:00Z", NOW));
            assertTrue(backwards.getMessage().contains("2025-03-10T00:00:00Z"), backwards.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TransparencyReports.parse("2025-05-01", null, NOW),
                    "from after now with to defaulting to now");
            assertThrows(IllegalArgumentException.class, () -> reports.build(TO, FROM));
        }

        @Test
        void aPeriodIsAtMost366Days() {
            TransparencyReports.Period leapYear = TransparencyReports.parse("2024-01-01", "2024-12-31", NOW);
            assertEquals(Duration.ofDays(366), Duration.between(leapYear.from(), leapYear.to()));
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> TransparencyReports.parse("2024-01-01", "2025-01-01", NOW));
            assertTrue(tooLong.getMessage().contains("at most 366 days"), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> TransparencyReports.parse(
                    "2024-01-01T00:00:00Z", "2025-01-01T00:00:00.001Z", NOW));
        }

        @Test
        void unreadableBoundsSayWhichAndWhatIsExpected() {
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> TransparencyReports.parse("yesterday", null, NOW));
            assertTrue(bad.getMessage().startsWith("from must be an ISO-8601 instant"), bad.getMessage());
            assertTrue(bad.getMessage().contains("'yesterday'"), bad.getMessage());
            IllegalArgumentException badTo = assertThrows(IllegalArgumentException.class,
                    () -> TransparencyReports.parse(null, "2025-02-30", NOW));
            assertTrue(badTo.getMessage().startsWith("to must be"), badTo.getMessage());
        }
    }

    // ---- fixtures ----

    /** A verdict stored as the pipeline would, then, if people decided, updated with their decisions. */
    private String verdict(String name, Action action, Instant decidedAt, List<ModerationLabel> labels,
                           List<Reason> reasons, HumanDecision... decisions) {
        Verdict automated = new Verdict("vd-" + name, identity(name, decidedAt), action, labels, reasons, "p1",
                "rekognition", "7.0", decidedAt, new Placement(action == Action.ALLOW ? PlacementState.PUBLISHED
                : PlacementState.QUARANTINED, new ObjectRef("uploads", name + ".jpg", "v1"), decidedAt),
                action == Action.ALLOW ? ReviewStatus.NOT_NEEDED : ReviewStatus.PENDING, 0);
        assertTrue(verdicts.create(automated));
        if (decisions.length > 0) {
            HumanDecision last = decisions[decisions.length - 1];
            verdicts.update(automated, automated.withCase(automated.placement(),
                    last.actionAfter() == Action.ALLOW ? ReviewStatus.RELEASED : ReviewStatus.CONFIRMED, null,
                    List.of(), List.of(decisions)));
        }
        return automated.verdictId();
    }

    private static ObjectIdentity identity(String name, Instant uploadedAt) {
        return new ObjectIdentity("uploads", name + ".jpg", "v1", "etag-" + name, 1024, "sha-" + name,
                "image/jpeg", ImageFormat.JPEG, uploadedAt);
    }

    private void notice(String id, NoticeCategory category, String verdictId, Instant receivedAt, Instant deadline) {
        cases.create(new Notice(id, category, new ObjectRef("uploads", id + ".jpg", "v1"), verdictId,
                new Notice.Notifier("Notifier", "notifier@example.org", null), "explanation", true, receivedAt,
                deadline, "intake"));
    }

    /** An appeal lodged, then, unless {@code status} is null, decided through a revision-checked update. */
    private void appeal(String id, Instant lodgedAt, String status, Instant decidedAt) {
        Appeal lodged = new Appeal(id, "vd-" + id, "please look again", "uploader", lodgedAt, Appeal.PENDING,
                null, null, null, 0);
        cases.create(lodged);
        if (status != null) {
            cases.update(lodged, lodged.decided(status, "reviewer-2", decidedAt, "decided"));
        }
    }

    private static HumanDecision review(String outcome, Instant at) {
        return new HumanDecision("REVIEW", outcome, "reviewer-" + at.getEpochSecond(), List.of("reviewers"), at,
                "reviewed", outcome.equals("RELEASE") ? Action.ALLOW : Action.QUARANTINE, null);
    }

    private static HumanDecision appealDecision(String outcome, Instant at) {
        return new HumanDecision("APPEAL", outcome, "reviewer-9", List.of("reviewers"), at, "appeal decided",
                Action.QUARANTINE, "ap-1");
    }

    private static Reason rule(Action action, String label, double confidence, String ruleLabel) {
        return new Reason(ReasonCode.POLICY_RULE, label + " detected", action, true, label, confidence, 50.0,
                ruleLabel, "terms of service");
    }

    private static Reason knownContent() {
        return new Reason(ReasonCode.KNOWN_CONTENT, "matches known content", Action.QUARANTINE, true, null, null,
                null, null, "terms of service");
    }

    private static ModerationLabel label(String name, String parent, int level, double confidence) {
        return new ModerationLabel(name, parent, level, confidence);
    }

    /** 2025-{@code monthDayTime} UTC, e.g. {@code 03-05T10:00}. */
    private static Instant at(String monthDayTime) {
        return Instant.parse("2025-" + monthDayTime + ":00Z");
    }

    private static List<String> csvRows(TransparencyReport report) {
        return List.of(TransparencyReportCsv.toCsv(report).split("\r\n"));
    }

    private static TransparencyReport sampleReport() {
        Map<NoticeCategory, TransparencyReport.NoticeType> types = new LinkedHashMap<>();
        for (NoticeCategory category : NoticeCategory.values()) {
            types.put(category, new TransparencyReport.NoticeType(0, 0, 0, null, 0, 0));
        }
        types.put(NoticeCategory.INTIMATE_IMAGERY, new TransparencyReport.NoticeType(1, 1, 0, 1.5, 1, 0));
        return new TransparencyReport(new TransparencyReports.Period(FROM, TO), NOW,
                new TransparencyReport.ModerationDecisions(15,
                        Map.of(ContentCategory.NONE, Map.of(Action.ALLOW, 1L),
                                ContentCategory.SEXUAL_CONTENT, Map.of(Action.QUARANTINE, 12L, Action.REVIEW, 2L)),
                        Map.of(Action.ALLOW, 1L, Action.REVIEW, 2L, Action.QUARANTINE, 12L, Action.CHILD_SAFETY, 0L),
                        10, 5, Map.of("CONFIRM", 4L, "RELEASE", 1L)),
                new TransparencyReport.Notices(1, types, 1.5),
                new TransparencyReport.Appeals(3, 2, 1, 1, 1, 0.333));
    }
}
