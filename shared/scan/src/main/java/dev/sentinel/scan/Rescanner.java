package dev.sentinel.scan;

import dev.sentinel.engine.EngineException;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Looks at stored objects again after the policy changed or the engine was unavailable, without undoing what a
 * person decided and without ever loosening a decision on its own:
 * <ul>
 *   <li>an upload with no verdict (its notification was lost or dead-lettered) is scanned as on upload;</li>
 *   <li>an upload held because the engine could not answer is judged by the engine now;</li>
 *   <li>an automated decision made under another policy version is evaluated again on its recorded labels (no
 *       engine call): the same action just records the new policy; a stricter one is carried out at once (publish
 *       nothing that the current policy would restrict); a looser one is held for a person to confirm.</li>
 * </ul>
 * Verdicts a person decided, child-safety verdicts and decisions not made by policy rules (known content, reused
 * verdicts, undecodable images) are left alone.
 */
public final class Rescanner {

    private static final Set<String> RULE_ENGINES = Set.of(Judgement.NOT_JUDGED, Judgement.HASH_MATCH,
            Judgement.REUSED);

    private final ScanStages stages;
    private final UploadScan uploads;
    private final Policy policy;

    /** @param uploads how an object with no verdict is scanned: as its upload would have been */
    Rescanner(ScanStages stages, UploadScan uploads) {
        this.stages = stages;
        this.uploads = uploads;
        this.policy = stages.policy();
    }

    /**
     * Rescans one stored object: an upload (by version) or a quarantine copy.
     *
     * @throws ScanFailedException when the engine or a store cannot answer now; the rescan may be retried
     */
    public ScanOutcome rescan(ObjectRef ref) {
        try {
            return rescanObject(ref);
        } catch (EngineException e) {
            throw new ScanFailedException("engine unavailable for a rescan: " + e.getMessage(), e);
        }
    }

    private ScanOutcome rescanObject(ObjectRef ref) {
        Optional<StoredObject> head = stages.objects().head(ref);
        if (head.isEmpty()) {
            return new ScanOutcome.Skipped("object no longer exists");
        }
        StoredObject stored = head.get();
        Optional<Verdict> found = verdictOf(stored);
        if (found.isEmpty()) {
            if (ref.bucket().equals(stages.quarantineBucket())) {
                return new ScanOutcome.Skipped("quarantine copy without a verdict id");
            }
            // Never scanned: its notification was lost or dead-lettered. Scan it as its upload would have been.
            return uploads.scan(new ObjectEvent(stored.ref(), ETag.unquoted(stored.eTag()), stored.size(),
                    "ObjectCreated:Rescan", stages.clock().instant()), 1);
        }
        // Under the verdict's claim: a duplicate rescan request, or an upload's own delivery, waits its turn.
        String verdictId = found.get().verdictId();
        return stages.claims().under(verdictId, ref, () -> rescanClaimed(verdictId, stored));
    }

    private ScanOutcome rescanClaimed(String verdictId, StoredObject stored) {
        Verdict before = stages.verdicts().find(verdictId).orElseThrow(() ->
                new IllegalStateException("verdict " + verdictId + " vanished"));
        if (!before.placement().state().settled()) {
            return new ScanOutcome.AlreadyDecided(stages.placer().carryOut(before));
        }
        if (!before.decisions().isEmpty() || before.review() == ReviewStatus.CONFIRMED
                || before.review() == ReviewStatus.RELEASED || before.review() == ReviewStatus.APPEALED) {
            return new ScanOutcome.Skipped("a person decided this verdict; a rescan does not override people");
        }
        if (heldForEngine(before)) {
            return decideHeld(before, stored);
        }
        if (before.action() == Action.CHILD_SAFETY || RULE_ENGINES.contains(before.engine())) {
            return new ScanOutcome.Skipped("decided by " + (before.action() == Action.CHILD_SAFETY
                    ? "child-safety escalation" : before.engine()) + ", not by policy rules; a rescan keeps it");
        }
        if (before.review() == ReviewStatus.PENDING && !before.reasons().isEmpty()
                && before.reasons().get(0).code() == ReasonCode.POLICY_CHANGED) {
            return new ScanOutcome.Skipped("already waiting for a person after a policy change");
        }
        if (policy.version().equals(before.policyVersion())) {
            return new ScanOutcome.Skipped("already decided under policy " + policy.version());
        }
        return reevaluate(before, stored);
    }

    private Optional<Verdict> verdictOf(StoredObject stored) {
        String id = stored.ref().bucket().equals(stages.quarantineBucket())
                ? stored.metadata().get(Quarantine.VERDICT_ID_METADATA)
                : Intake.verdictIdOf(stored.ref(), ETag.unquoted(stored.eTag()));
        return id == null || id.isBlank() ? Optional.empty() : stages.verdicts().find(id);
    }

    private static boolean heldForEngine(Verdict verdict) {
        return verdict.action() == Action.REVIEW && !verdict.reasons().isEmpty()
                && verdict.reasons().get(0).code() == ReasonCode.ENGINE_UNAVAILABLE;
    }

    /** A held upload the engine could not judge: judge it now, and carry the new decision out. */
    private ScanOutcome decideHeld(Verdict before, StoredObject stored) {
        if (before.placement().state() != PlacementState.HELD) {
            return new ScanOutcome.Skipped("held upload is no longer in place (" + before.placement().state() + ")");
        }
        Judgement judgement = stages.judge().judgeStored(stored);
        PolicyDecision decision = judgement.decision();
        Instant now = stages.clock().instant();
        Verdict next = before.redecided(decision.action(), judgement.labels(), decision.reasons(),
                decision.policyVersion(), judgement.engine(), judgement.modelVersion(), now,
                new Placement(PlacementState.PENDING, before.placement().location(), now),
                decision.action() == Action.ALLOW ? ReviewStatus.NOT_NEEDED : ReviewStatus.PENDING,
                judgement.hashes());
        next = next.withSafety(judgement.safety(), before.reviewDeadline());
        stages.verdicts().update(before, next);
        stages.recorder().afterDecision(next, stored);
        return stages.recorder().rescanned(before, stages.placer().carryOut(next), "decided");
    }

    /** An automated decision under an older policy: the recorded labels under the current policy. */
    private ScanOutcome reevaluate(Verdict before, StoredObject stored) {
        PolicyDecision decision = policy.evaluate(before.labels());
        Instant now = stages.clock().instant();
        int order = decision.action().compareTo(before.action());
        Verdict next;
        String change;
        if (order == 0) {
            next = before.redecided(before.action(), before.labels(), decision.reasons(), decision.policyVersion(),
                    before.engine(), before.modelVersion(), before.decidedAt(), before.placement(), before.review(),
                    null);
            change = "unchanged";
        } else if (order > 0) {
            // Stricter: carried out now, from wherever the object is (a published upload is held or quarantined).
            List<Reason> reasons = new ArrayList<>();
            reasons.add(Reason.of(ReasonCode.POLICY_CHANGED, decision.action(), "Rescanned under policy "
                    + decision.policyVersion() + ": " + decision.action() + " instead of " + before.action()
                    + " under " + before.policyVersion() + "."));
            reasons.addAll(decision.reasons());
            // A quarantined object escalated to child safety is already copied: the next step locks it.
            PlacementState from = before.placement().state() == PlacementState.QUARANTINED
                    ? PlacementState.QUARANTINE_COPIED : PlacementState.PENDING;
            next = before.redecided(decision.action(), before.labels(), reasons, decision.policyVersion(),
                    before.engine(), before.modelVersion(), now, new Placement(from, before.placement().location(),
                            now), ReviewStatus.PENDING, null);
            change = "stricter";
        } else {
            // Looser: nothing is published or released without a person; the decision stands until reviewed.
            List<Reason> reasons = new ArrayList<>();
            reasons.add(Reason.of(ReasonCode.POLICY_CHANGED, before.action(), "Policy " + decision.policyVersion()
                    + " would decide " + decision.action() + " instead of " + before.action() + " (policy "
                    + before.policyVersion() + "); held for a person to confirm before anything is loosened."));
            reasons.addAll(before.reasons());
            next = before.redecided(before.action(), before.labels(), reasons, before.policyVersion(),
                    before.engine(), before.modelVersion(), before.decidedAt(), before.placement(),
                    ReviewStatus.PENDING, null);
            change = "looser";
        }
        stages.verdicts().update(before, next);
        if (order > 0) {
            stages.recorder().afterDecision(next, stored);
        }
        return stages.recorder().rescanned(before, stages.placer().carryOut(next), change);
    }
}
