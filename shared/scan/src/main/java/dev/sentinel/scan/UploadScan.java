package dev.sentinel.scan;

import dev.sentinel.engine.EngineException;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.verdict.Verdict;
import java.util.Optional;

/**
 * Scans one upload event through the stages, in order: {@link Intake} (which version, does it need a verdict),
 * then under the verdict's claim {@link Judge} (a {@link Judgement}), {@link VerdictRecorder} (the stored verdict)
 * and {@link Placer} (publish, hold or quarantine). The verdict is written before the object is touched and every
 * later step is recorded, so a replayed or retried event finishes the same verdict instead of making a second one.
 *
 * <p>Fail closed: whatever cannot be decided (unreadable, unsupported, refused by the engine) is held for a
 * person; whatever fails for now (engine or storage unavailable) throws {@link ScanFailedException} and leaves the
 * object as it was, unapproved, for the retry.
 */
public final class UploadScan {

    private final ScanStages stages;
    private final int holdAfterAttempts;

    public UploadScan(ScanStages stages) {
        this.stages = stages;
        this.holdAfterAttempts = stages.settings().retry().holdAfterAttempts();
    }

    /**
     * Scans one upload on the given delivery attempt (1 for the first). On the last attempt the queue allows, an
     * engine that still cannot answer holds the upload for review instead of failing the delivery once more.
     */
    public ScanOutcome scan(ObjectEvent event, int attempt) {
        Optional<String> notAnUpload = stages.intake().notAnUpload(event);
        if (notAnUpload.isPresent()) {
            return new ScanOutcome.Skipped(notAnUpload.get());
        }
        long started = System.nanoTime();
        ObjectRef announced = event.object();
        try {
            return scanUpload(event, started, attempt >= holdAfterAttempts);
        } catch (EngineException e) {
            throw new ScanFailedException("engine unavailable for " + ObjectDescription.of(announced) + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof ScanFailedException) {
                throw e;
            }
            throw new ScanFailedException("scan of " + ObjectDescription.of(announced) + " failed: " + e, e);
        }
    }

    private ScanOutcome scanUpload(ObjectEvent event, long started, boolean holdIfEngineDown) {
        Intake.Admission admission = stages.intake().admit(event);
        if (admission instanceof Intake.Admission.Skipped skipped) {
            return new ScanOutcome.Skipped(skipped.reason());
        }
        if (admission instanceof Intake.Admission.Decided decided) {
            return new ScanOutcome.AlreadyDecided(stages.placer().finish(decided.verdict()));
        }
        Intake.Admission.NewVersion upload = (Intake.Admission.NewVersion) admission;
        // One delivery decides; a concurrent duplicate backs off and, on its retry, finds the verdict.
        return stages.claims().under(upload.verdictId(), upload.stored().ref(),
                () -> decideClaimed(upload, started, holdIfEngineDown));
    }

    private ScanOutcome decideClaimed(Intake.Admission.NewVersion upload, long started, boolean holdIfEngineDown) {
        Optional<Verdict> decidedMeanwhile = stages.verdicts().find(upload.verdictId());
        if (decidedMeanwhile.isPresent()) {
            return new ScanOutcome.AlreadyDecided(stages.placer().carryOut(decidedMeanwhile.get()));
        }
        // Only the claim holder, before any verdict exists: an approval tag now was not earned from this pipeline.
        stages.placer().revokeUnearnedApproval(upload.stored().ref(), upload.verdictId());
        Judgement judgement = stages.judge().judgeStored(upload.stored(), holdIfEngineDown);
        Verdict verdict = stages.recorder().verdictOf(upload.verdictId(), upload.stored(), judgement);
        if (!stages.recorder().create(verdict, judgement, upload.stored())) {
            // Another delivery of the same event won the race: finish its verdict, do not make a second.
            Verdict winner = stages.verdicts().find(upload.verdictId()).orElseThrow(() -> new IllegalStateException(
                    "verdict " + upload.verdictId() + " vanished after a conflicting create"));
            return new ScanOutcome.AlreadyDecided(stages.placer().carryOut(winner));
        }
        Verdict done = stages.placer().carryOut(verdict);
        stages.recorder().decided(done, judgement, started);
        return new ScanOutcome.Decided(done);
    }
}
