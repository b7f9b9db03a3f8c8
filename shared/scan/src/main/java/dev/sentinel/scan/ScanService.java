package dev.sentinel.scan;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.policy.Policy;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.queue.RescanRequests;
import dev.sentinel.store.VerdictStore;
import java.time.Clock;
import java.util.Optional;

/**
 * What the scan function does with each event of its queue: an upload is scanned ({@link UploadScan}: intake,
 * judge, record, place), a rescan request is rescanned ({@link Rescanner}). It only routes; the stages do the work.
 */
public final class ScanService {

    private final ScanStages stages;
    private final UploadScan uploads;
    private final Rescanner rescanner;

    public ScanService(ObjectStore objects, VerdictStore verdicts, ModerationEngine engine, Policy policy,
                       Quarantine quarantine, ScanSettings settings, Clock clock, StructuredLog log) {
        this(objects, verdicts, engine, policy, quarantine, settings, clock, log, ScanExtensions.none());
    }

    /** @param extensions hash matching, child-safety signals and reports, each optional */
    public ScanService(ObjectStore objects, VerdictStore verdicts, ModerationEngine engine, Policy policy,
                       Quarantine quarantine, ScanSettings settings, Clock clock, StructuredLog log,
                       ScanExtensions extensions) {
        this(objects, verdicts, engine, policy, quarantine, settings, clock, log, extensions, Metrics.none());
    }

    /** See {@link ScanStages#of} for the parameters. */
    public ScanService(ObjectStore objects, VerdictStore verdicts, ModerationEngine engine, Policy policy,
                       Quarantine quarantine, ScanSettings settings, Clock clock, StructuredLog log,
                       ScanExtensions extensions, Metrics metrics) {
        this(ScanStages.of(objects, verdicts, engine, policy, quarantine, settings, clock, log, extensions, metrics));
    }

    public ScanService(ScanStages stages) {
        this.stages = stages;
        this.uploads = new UploadScan(stages);
        this.rescanner = new Rescanner(stages, uploads);
    }

    /** The stages this service composes, for the other paths that compose them (on-demand checks). */
    public ScanStages stages() {
        return stages;
    }

    public Policy policy() {
        return stages.policy();
    }

    public ScanSettings settings() {
        return stages.settings();
    }

    /**
     * The local steps of a scan on a generated image (decode, exact and perceptual hashes, policy) and a read of
     * a verdict and an object that do not exist, so a SnapStart snapshot holds those paths warm. Writes nothing
     * and calls no engine.
     */
    public void prime() {
        stages.judge().prime();
        stages.intake().prime();
    }

    public ScanOutcome scan(ObjectEvent event) {
        return scan(event, 1);
    }

    /**
     * Scans one event on the given delivery attempt (1 for the first); see {@link UploadScan#scan} and
     * {@link Rescanner#rescan}.
     */
    public ScanOutcome scan(ObjectEvent event, int attempt) {
        if (RescanRequests.EVENT_NAME.equals(event.eventName())) {
            Optional<String> refused = stages.intake().refusedRescan(event.object());
            return refused.<ScanOutcome>map(ScanOutcome.Skipped::new)
                    .orElseGet(() -> rescanner.rescan(event.object()));
        }
        return uploads.scan(event, attempt);
    }

    /** Rescans stored objects with this pipeline's stores, engine and (current) policy. */
    public Rescanner rescanner() {
        return rescanner;
    }
}
