package dev.sentinel.scan;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.policy.Policy;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.VerdictStore;
import java.time.Clock;

/**
 * The stages of a scan, built once over the pipeline's stores, engine and policy, for the paths that compose them:
 * {@link UploadScan}, {@link Rescanner} and the API's on-demand checks.
 *
 * @param quarantineBucket where quarantined objects go (never scanned as uploads)
 */
public record ScanStages(ScanSettings settings, Policy policy, ObjectStore objects, VerdictStore verdicts,
                         String quarantineBucket, Clock clock, VerdictClaims claims, Intake intake, Judge judge,
                         Placer placer, VerdictRecorder recorder) {

    /**
     * @param extensions hash matching, child-safety signals and reports, each optional
     * @param metrics    where decisions, holds, reuse and engine calls are counted; flushed by the caller (see
     *                   {@link ScanBatch})
     */
    public static ScanStages of(ObjectStore objects, VerdictStore verdicts, ModerationEngine engine, Policy policy,
                                Quarantine quarantine, ScanSettings settings, Clock clock, StructuredLog log,
                                ScanExtensions extensions, Metrics metrics) {
        ScanMetrics counted = new ScanMetrics(metrics);
        ImageDecoder decoder = new ImageDecoder();
        VerdictClaims claims = new VerdictClaims(verdicts, settings.retry().claimTtl());
        EngineJudge looks = new EngineJudge(new MeteredEngine(engine, counted), policy, extensions.safety(), decoder,
                settings.retry().holdAfterAttempts());
        return new ScanStages(settings, policy, objects, verdicts, quarantine.bucket(), clock, claims,
                new Intake(objects, verdicts, settings, quarantine.bucket(), claims, log),
                new Judge(objects, verdicts, extensions.matching(), policy, settings, decoder, looks),
                new Placer(objects, verdicts, quarantine, claims, extensions.retention(), clock, log),
                new VerdictRecorder(verdicts, extensions.matching(), extensions.reports(), counted, clock, log));
    }
}
