package dev.sentinel.scan;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The intake stage: from an event to the object version it announced, and whether that version still needs a
 * verdict. It changes nothing (at most it waits on a release's claim to tell a restored version from an upload);
 * the caller decides a new version under the verdict's claim.
 */
public final class Intake {

    /** What an upload event comes to before anything is judged. */
    public sealed interface Admission {
        /** Nothing to scan: gone, overwritten since, or written by the pipeline itself. */
        record Skipped(String reason) implements Admission { }

        /** The version already has a verdict (a replayed event); it may still need placing. */
        record Decided(Verdict verdict) implements Admission { }

        /** A version with no verdict yet: to be judged, recorded and placed under the claim on {@code verdictId}. */
        record NewVersion(ObjectEvent event, StoredObject stored, String verdictId) implements Admission { }
    }

    private final ObjectStore objects;
    private final VerdictStore verdicts;
    private final ScanSettings settings;
    private final String quarantineBucket;
    private final VerdictClaims claims;
    private final StructuredLog log;

    Intake(ObjectStore objects, VerdictStore verdicts, ScanSettings settings, String quarantineBucket,
           VerdictClaims claims, StructuredLog log) {
        this.objects = objects;
        this.verdicts = verdicts;
        this.settings = settings;
        this.quarantineBucket = quarantineBucket;
        this.claims = claims;
        this.log = log;
    }

    /** Why a rescan request is refused without a look (the bucket is not this pipeline's); empty when it is not. */
    Optional<String> refusedRescan(ObjectRef requested) {
        if (!requested.bucket().equals(quarantineBucket) && !settings.scans(requested.bucket())) {
            return Optional.of("rescan of bucket " + requested.bucket() + ", which is neither an uploads bucket nor "
                    + "the quarantine bucket");
        }
        return Optional.empty();
    }

    /** Why an event is not an upload to scan, read from the event alone; empty when it is one. */
    Optional<String> notAnUpload(ObjectEvent event) {
        ObjectRef announced = event.object();
        if (announced.bucket().equals(quarantineBucket)) {
            return Optional.of("object is in the quarantine bucket");
        }
        if (!settings.scans(announced.bucket())) {
            return Optional.of("bucket " + announced.bucket() + " is not an uploads bucket");
        }
        if (!event.isUpload()) {
            return Optional.of("event " + event.eventName() + " is not an upload");
        }
        return Optional.empty();
    }

    /** The version an upload event announced, and whether it has a verdict already. */
    Admission admit(ObjectEvent event) {
        ObjectRef announced = event.object();
        String announcedId = verdictIdOf(announced, event.eTag());
        if (announcedId != null) {
            Optional<Verdict> existing = verdicts.find(announcedId);
            if (existing.isPresent()) {
                return new Admission.Decided(existing.get());
            }
        }
        Optional<StoredObject> head = objects.head(announced);
        if (head.isEmpty()) {
            return new Admission.Skipped("object no longer exists (deleted before it was scanned)");
        }
        StoredObject stored = head.get();
        if (event.eTag() != null && stored.eTag() != null && announced.versionId() == null
                && !event.eTag().equals(ETag.unquoted(stored.eTag()))) {
            return new Admission.Skipped("object was overwritten since this event; the newer upload has its own");
        }
        ObjectRef ref = stored.ref();
        String verdictId = verdictIdOf(ref, ETag.unquoted(stored.eTag()));
        if (!verdictId.equals(announcedId)) {
            Optional<Verdict> existing = verdicts.find(verdictId);
            if (existing.isPresent()) {
                return new Admission.Decided(existing.get());
            }
        }
        Optional<Verdict> placedBy = placedByPipeline(stored);
        if (placedBy.isPresent()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("verdictId", placedBy.get().verdictId());
            fields.put("bucket", ref.bucket());
            fields.put("keyFingerprint", StructuredLog.fingerprint(ref.key()));
            fields.put("eventName", event.eventName());
            log.info("pipeline-write-left-alone", fields);
            return new Admission.Skipped("this version was written by the pipeline itself for verdict "
                    + placedBy.get().verdictId() + " (a person released it), not uploaded");
        }
        return new Admission.NewVersion(event, stored, verdictId);
    }

    /**
     * The verdict whose carrying out wrote this very version (a release restores a quarantined image as a new
     * version of its key), if one did. The restored copy names its verdict in its metadata, which an uploader can
     * set as well, so that name is only where to look: the version is the pipeline's own only when the verdict's
     * placement records exactly this version id. A release holds the verdict's claim from its copy until that record
     * is written; a notification arriving in between finds the claim held and its delivery is retried, rather than
     * scanned as an upload (which would revoke the reviewer's approval as unearned).
     */
    private Optional<Verdict> placedByPipeline(StoredObject stored) {
        ObjectRef ref = stored.ref();
        String verdictId = stored.metadata().get(Quarantine.VERDICT_ID_METADATA);
        if (verdictId == null || verdictId.isBlank() || ref.versionId() == null) {
            return Optional.empty();
        }
        Optional<Verdict> named = verdicts.find(verdictId);
        if (named.isEmpty() || placedAt(named.get(), ref)) {
            return named;
        }
        return claims.under(verdictId, () -> verdicts.find(verdictId).filter(verdict -> placedAt(verdict, ref)),
                () -> new ScanFailedException("verdict " + verdictId + ", which " + ObjectDescription.of(ref)
                        + " names, is being carried out now (a release may be recording this version); the delivery "
                        + "will be retried", null));
    }

    private static boolean placedAt(Verdict verdict, ObjectRef version) {
        return version.equals(verdict.placement().location());
    }

    /** The id of the verdict on this object version (or, unversioned, these bytes); null when neither is known. */
    public static String verdictIdOf(ObjectRef ref, String eTag) {
        if (ref.versionId() != null) {
            return Verdict.idFor(ref.bucket(), ref.key(), "version:" + ref.versionId());
        }
        if (eTag != null && !eTag.isBlank()) {
            return Verdict.idFor(ref.bucket(), ref.key(), "etag:" + ETag.unquoted(eTag));
        }
        return null;
    }

    /** A read of a verdict and an object that do not exist, so a SnapStart snapshot holds those paths warm. */
    void prime() {
        String absent = "sentinel-priming/" + java.util.UUID.randomUUID();
        verdicts.find(absent);
        objects.head(new ObjectRef(quarantineBucket, absent));
    }
}
