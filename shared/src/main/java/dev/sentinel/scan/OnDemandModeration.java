package dev.sentinel.scan;

import dev.sentinel.cases.CaseNotFoundException;
import dev.sentinel.cases.InvalidCaseRequestException;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.EngineException;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
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
 * Checks asked for through the API rather than by an upload: an object already in an uploads bucket (scanned exactly
 * as its upload would be, so it gets the same verdict and placement), or image bytes sent inline (an image
 * generator checking its output before publishing it). A dry run judges without storing or moving anything.
 */
public final class OnDemandModeration {

    /** Bucket name recorded for images that were sent inline and never stored. */
    public static final String INLINE = "inline";

    private final ScanService scans;
    private final ObjectStore objects;
    private final VerdictStore verdicts;
    private final ScanSettings settings;
    private final Clock clock;

    public OnDemandModeration(ScanService scans, ObjectStore objects, VerdictStore verdicts, ScanSettings settings,
                              Clock clock) {
        this.scans = scans;
        this.objects = objects;
        this.verdicts = verdicts;
        this.settings = settings;
        this.clock = clock;
    }

    public Verdict checkStored(ObjectRef ref, boolean dryRun, String requestedBy) {
        if (!settings.scans(ref.bucket())) {
            throw new InvalidCaseRequestException("bucket " + ref.bucket() + " is not an uploads bucket of this "
                    + "deployment");
        }
        StoredObject stored = objects.head(ref).orElseThrow(() -> new CaseNotFoundException(
                "no object " + ref.key() + " in bucket " + ref.bucket()
                        + (ref.versionId() == null ? "" : " with version " + ref.versionId())));
        if (dryRun) {
            ScanService.Judgement judgement = unavailableAsFailure(() -> scans.judgeStored(stored));
            return verdictOf(Verdict.idFor(ref.bucket(), ref.key(), "version:" + stored.ref().versionId()),
                    identity(stored, judgement), judgement, new Placement(PlacementState.PENDING, stored.ref(),
                    clock.instant()), requestedBy);
        }
        ScanOutcome outcome = scans.scan(new ObjectEvent(stored.ref(), stored.eTag(), stored.size(),
                "ObjectCreated:Put", clock.instant()));
        if (outcome instanceof ScanOutcome.Decided decided) {
            return decided.verdict();
        }
        if (outcome instanceof ScanOutcome.AlreadyDecided decided) {
            return decided.verdict();
        }
        throw new CaseNotFoundException("the object could not be checked: "
                + ((ScanOutcome.Skipped) outcome).reason());
    }

    public Verdict checkInline(byte[] bytes, boolean dryRun, String requestedBy) {
        ScanService.Judgement judgement = unavailableAsFailure(() -> scans.judgeBytes(bytes, Optional.empty()));
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

    private Verdict verdictOf(String verdictId, ObjectIdentity identity, ScanService.Judgement judgement,
                              Placement placement, String requestedBy) {
        Action action = judgement.decision().action();
        ReviewStatus review = placement.state() == PlacementState.NOT_STORED || action == Action.ALLOW
                ? ReviewStatus.NOT_NEEDED : ReviewStatus.PENDING;
        return new Verdict(verdictId, identity, action, judgement.labels(), judgement.decision().reasons(),
                judgement.decision().policyVersion(), judgement.engine(), judgement.modelVersion(), clock.instant(),
                placement, review, 0).withRequestedBy(requestedBy);
    }

    private static ObjectIdentity identity(StoredObject stored, ScanService.Judgement judgement) {
        ObjectRef ref = stored.ref();
        return new ObjectIdentity(ref.bucket(), ref.key(), ref.versionId(),
                stored.eTag() == null ? null : stored.eTag().replace("\"", ""), stored.size(), judgement.sha256(),
                stored.contentType(), judgement.format(), stored.lastModified());
    }

    private static ScanService.Judgement unavailableAsFailure(java.util.function.Supplier<ScanService.Judgement> judge) {
        try {
            return judge.get();
        } catch (EngineException e) {
            throw new ScanFailedException("the moderation engine is unavailable: " + e.getMessage(), e);
        }
    }
}
