package dev.sentinel.scan;

import dev.sentinel.hash.HashMatching;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.safety.ChildSafetyReport;
import dev.sentinel.safety.ChildSafetyReports;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.ObjectIdentity;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The record stage: turns a {@link Judgement} into a stored verdict, and records what follows a decision (the
 * content index, a child-safety report, the counts) and the decision log lines.
 */
public final class VerdictRecorder {

    /** Suspected synthetic intimate imagery is due for a person as fast as an intimate-imagery notice. */
    private static final Duration PRIORITY_REVIEW = Duration.ofHours(2);

    private final VerdictStore verdicts;
    private final HashMatching matching;
    private final ChildSafetyReports reports;
    private final ScanMetrics metrics;
    private final Clock clock;
    private final StructuredLog log;

    VerdictRecorder(VerdictStore verdicts, HashMatching matching, ChildSafetyReports reports, ScanMetrics metrics,
                    Clock clock, StructuredLog log) {
        this.verdicts = verdicts;
        this.matching = matching;
        this.reports = reports;
        this.metrics = metrics;
        this.clock = clock;
        this.log = log;
    }

    /** The verdict a judgement comes to for this object version, not yet stored and not yet placed. */
    Verdict verdictOf(String verdictId, StoredObject stored, Judgement judgement) {
        ObjectRef ref = stored.ref();
        Instant now = clock.instant();
        ObjectIdentity identity = new ObjectIdentity(ref.bucket(), ref.key(), ref.versionId(),
                ETag.unquoted(stored.eTag()), stored.size(), judgement.sha256(), stored.contentType(),
                judgement.format(), stored.lastModified(), stored.checksum());
        PolicyDecision decision = judgement.decision();
        return new Verdict(verdictId, identity, decision.action(), judgement.labels(), decision.reasons(),
                decision.policyVersion(), judgement.engine(), judgement.modelVersion(), now,
                new Placement(PlacementState.PENDING, ref, now),
                decision.action() == Action.ALLOW ? ReviewStatus.NOT_NEEDED : ReviewStatus.PENDING, 0)
                .withContentHashes(judgement.hashes())
                .withSafety(judgement.safety(), judgement.priorityReview() ? now.plus(PRIORITY_REVIEW) : null);
    }

    /**
     * Stores a new verdict and what follows it; false, storing nothing, when another delivery stored one first.
     * Counted once per verdict, when it is stored: a retry that carries the verdict on does not count it again.
     */
    boolean create(Verdict verdict, Judgement judgement, StoredObject stored) {
        if (!verdicts.create(verdict)) {
            return false;
        }
        metrics.decided(judgement.decision().action());
        judgement.failClosedHold().ifPresent(metrics::held);
        if (judgement.reusesEarlierVerdict()) {
            metrics.reused();
        }
        afterDecision(verdict, stored);
        return true;
    }

    /** Records what follows a new automated decision: the content index, a child-safety report. */
    void afterDecision(Verdict verdict, StoredObject stored) {
        if (verdict.contentHashes() != null) {
            matching.recordContent(verdict.contentHashes().sha256(), verdict.verdictId());
        }
        if (verdict.action() == Action.CHILD_SAFETY) {
            reports.create(ChildSafetyReport.of(verdict, stored.metadata(), verdict.decidedAt()));
        }
    }

    /** The log line of a new verdict, once it is placed. */
    void decided(Verdict done, Judgement judgement, long startedNanos) {
        ObjectRef ref = done.object().ref();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdictId", done.verdictId());
        fields.put("bucket", ref.bucket());
        fields.put("keyFingerprint", StructuredLog.fingerprint(ref.key()));
        fields.put("action", done.action());
        fields.put("placement", done.placement().state());
        fields.put("engine", done.engine());
        fields.put("policyVersion", done.policyVersion());
        fields.put("labels", done.labels().size());
        fields.put("bytes", done.object().size());
        fields.put("engineMs", judgement.engineMillis());
        fields.put("totalMs", (System.nanoTime() - startedNanos) / 1_000_000);
        log.info("decision", fields);
    }

    /** The log line of a rescan that looked at a verdict again, and its outcome. */
    ScanOutcome.Rescanned rescanned(Verdict before, Verdict after, String change) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdictId", after.verdictId());
        fields.put("change", change);
        fields.put("actionBefore", before.action());
        fields.put("action", after.action());
        fields.put("policyBefore", before.policyVersion());
        fields.put("policyVersion", after.policyVersion());
        fields.put("placement", after.placement().state());
        fields.put("review", after.review());
        log.info("rescan", fields);
        return new ScanOutcome.Rescanned(before, after, change);
    }
}
