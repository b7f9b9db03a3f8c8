package dev.sentinel.scan;

import dev.sentinel.cases.Actor;
import dev.sentinel.cases.CaseNotFoundException;
import dev.sentinel.cases.CheckUnavailableException;
import dev.sentinel.cases.InvalidCaseRequestException;
import dev.sentinel.cases.OnDemandModeration;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.EngineException;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.ObjectIdentity;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * On-demand checks on the scan function's own stages: a stored object is scanned as its upload was, inline bytes are
 * judged by the same engine and policy (see {@link OnDemandModeration} for what a check answers). Whatever cannot
 * answer now comes out as {@link CheckUnavailableException}, which the API answers with 503.
 */
public final class OnDemandScans implements OnDemandModeration {

    private final Judge judge;
    private final UploadScan uploads;
    private final ObjectStore objects;
    private final VerdictStore verdicts;
    private final ScanSettings settings;
    private final Clock clock;
    private final AuditTrail audit;
    private final long inlineMaxBytes;
    private final CheckQueue queue;

    /**
     * @param stages         the stages of the scan function's path: a stored object is scanned as its upload was
     * @param inlineMaxBytes stored objects larger than this are queued unread
     * @param queue          where checks go that cannot finish in the API's time
     */
    public OnDemandScans(ScanStages stages, AuditTrail audit, long inlineMaxBytes, CheckQueue queue) {
        this.judge = stages.judge();
        this.uploads = new UploadScan(stages);
        this.objects = stages.objects();
        this.verdicts = stages.verdicts();
        this.settings = stages.settings();
        this.clock = stages.clock();
        this.audit = audit;
        this.inlineMaxBytes = inlineMaxBytes;
        this.queue = queue;
    }

    @Override
    public StoredCheck checkStored(ObjectRef ref, boolean dryRun, Actor caller) {
        try {
            return scanStored(ref, dryRun, caller);
        } catch (ScanFailedException e) {
            throw new CheckUnavailableException(e.getMessage(), e);
        }
    }

    @Override
    public Verdict checkInline(byte[] bytes, boolean dryRun, String requestedBy) {
        try {
            return judgeInline(bytes, dryRun, requestedBy);
        } catch (ScanFailedException e) {
            throw new CheckUnavailableException(e.getMessage(), e);
        }
    }

    private StoredCheck scanStored(ObjectRef ref, boolean dryRun, Actor caller) {
        if (!settings.scans(ref.bucket())) {
            throw new InvalidCaseRequestException("bucket " + ref.bucket() + " is not an uploads bucket of this "
                    + "deployment");
        }
        StoredObject stored = objects.head(ref).orElseThrow(() -> new CaseNotFoundException(
                "no object " + ref.key() + " in bucket " + ref.bucket()
                        + (ref.versionId() == null ? "" : " with version " + ref.versionId())));
        if (dryRun) {
            if (stored.size() > inlineMaxBytes) {
                throw new ObjectTooLargeException(stored.ref(), stored.size(), inlineMaxBytes);
            }
            Judgement judgement = unavailableAsFailure(() -> judge.judgeStored(stored));
            return new StoredCheck.Decided(verdictOf(Verdict.idFor(ref.bucket(), ref.key(), "version:"
                    + stored.ref().versionId()), identity(stored, judgement), judgement,
                    new Placement(PlacementState.PENDING, stored.ref(), clock.instant()), caller.subject()), false);
        }
        String verdictId = Intake.verdictIdOf(stored.ref(), stored.eTag());
        if (stored.size() > inlineMaxBytes) {
            Optional<Verdict> decided = verdicts.find(verdictId);
            if (decided.isPresent() && decided.get().placement().state().settled()) {
                return new StoredCheck.Decided(decided.get(), true);
            }
            return queued(stored.ref(), verdictId, Deferral.LARGE_OBJECT, caller);
        }
        ScanOutcome outcome;
        try {
            outcome = uploads.scan(new ObjectEvent(stored.ref(), stored.eTag(), stored.size(), "ObjectCreated:Put",
                    clock.instant()), 1);
        } catch (ScanFailedException e) {
            // Nothing was published; the scan function finishes it with its own time, retries and final hold.
            return queued(stored.ref(), verdictId, Deferral.NOT_WITHIN_TIME, caller);
        }
        if (outcome instanceof ScanOutcome.Decided decided) {
            return new StoredCheck.Decided(decided.verdict(), false);
        }
        if (outcome instanceof ScanOutcome.AlreadyDecided decided) {
            return new StoredCheck.Decided(decided.verdict(), true);
        }
        throw new CaseNotFoundException("the object could not be checked: "
                + ((ScanOutcome.Skipped) outcome).reason());
    }

    /**
     * Puts the check on the queue, then records who asked (so that caller may poll the verdict); queued first, so
     * the audit trail never speaks of a check nothing will make.
     */
    private StoredCheck queued(ObjectRef ref, String verdictId, Deferral why, Actor caller) {
        try {
            queue.enqueue(ref);
        } catch (RuntimeException e) {
            throw new ScanFailedException("the check could neither finish now nor be queued: " + e.getMessage(), e);
        }
        audit.append(new AuditEntry(verdictId, clock.instant(), caller.subject(), caller.groups(), CHECK_QUEUED,
                why == Deferral.LARGE_OBJECT ? "The object is over the " + inlineMaxBytes + " bytes an on-demand "
                        + "check reads; the scan function checks it." : "The check did not finish within the API's "
                        + "time; the scan function checks it.", null, null, null));
        return new StoredCheck.Queued(verdictId, why);
    }

    private Verdict judgeInline(byte[] bytes, boolean dryRun, String requestedBy) {
        Judgement judgement = unavailableAsFailure(() -> judge.judgeBytes(bytes, Optional.empty()));
        Instant now = clock.instant();
        String key = requestedBy + "/" + judgement.sha256();
        ObjectIdentity identity = new ObjectIdentity(INLINE, key, null, judgement.sha256(), bytes.length,
                judgement.sha256(), judgement.format().mediaType(), judgement.format(), now);
        Verdict verdict = verdictOf(Verdict.idFor(INLINE, key, "sha256:" + judgement.sha256()), identity, judgement,
                new Placement(PlacementState.NOT_STORED, null, now), requestedBy);
        if (dryRun || verdicts.create(verdict)) {
            return verdict;
        }
        // The same caller checked the same bytes before: that verdict stands.
        return verdicts.find(verdict.verdictId()).orElse(verdict);
    }

    private Verdict verdictOf(String verdictId, ObjectIdentity identity, Judgement judgement,
                              Placement placement, String requestedBy) {
        Action action = judgement.decision().action();
        ReviewStatus review = placement.state() == PlacementState.NOT_STORED || action == Action.ALLOW
                ? ReviewStatus.NOT_NEEDED : ReviewStatus.PENDING;
        return new Verdict(verdictId, identity, action, judgement.labels(), judgement.decision().reasons(),
                judgement.decision().policyVersion(), judgement.engine(), judgement.modelVersion(), clock.instant(),
                placement, review, 0).withRequestedBy(requestedBy);
    }

    private static ObjectIdentity identity(StoredObject stored, Judgement judgement) {
        ObjectRef ref = stored.ref();
        return new ObjectIdentity(ref.bucket(), ref.key(), ref.versionId(),
                ETag.unquoted(stored.eTag()), stored.size(), judgement.sha256(),
                stored.contentType(), judgement.format(), stored.lastModified());
    }

    private static Judgement unavailableAsFailure(java.util.function.Supplier<Judgement> judge) {
        try {
            return judge.get();
        } catch (EngineException e) {
            throw new ScanFailedException("the moderation engine is unavailable: " + e.getMessage(), e);
        }
    }
}
