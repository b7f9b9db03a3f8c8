package dev.sentinel.scan;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.EngineException;
import dev.sentinel.hash.BankEntry;
import dev.sentinel.safety.ChildSafetyReport;
import dev.sentinel.safety.SafetyFindings;
import dev.sentinel.safety.SafetySignals;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.engine.ModerationResult;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.objects.ExpectedContent;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.ConcurrentUpdateException;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.ObjectIdentity;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scans one uploaded object: read it, let the engine look, apply the policy, record the verdict, then carry it out
 * (publish, hold, or quarantine). The verdict is written before the object is touched and every later step is
 * recorded, so a replayed or retried event finishes the same verdict instead of making a second one.
 *
 * <p>Fail closed: whatever cannot be decided (unreadable, unsupported, refused by the engine) is held for a
 * person; whatever fails for now (engine or storage unavailable) throws {@link ScanFailedException} and leaves the
 * object as it was, unapproved, for the retry.
 */
public final class ScanService {

    /** The tag that makes an object readable through the uploads bucket's policy. */
    public static final String VISIBILITY_TAG = "moderation";
    public static final String APPROVED = "approved";
    public static final String HELD = "held";
    private static final int MAX_CONCURRENT_RETRIES = 5;
    /** Longer than a scan can take (the function times out at 60 s), short enough for a quick takeover. */
    /** Suspected synthetic intimate imagery is due for a person as fast as an intimate-imagery notice. */
    private static final java.time.Duration PRIORITY_REVIEW = java.time.Duration.ofHours(2);
    /** The engine recorded on a verdict the pipeline held without asking any engine. */
    static final String NOT_JUDGED = "none";
    /** The engine recorded on a verdict that reuses the decision of earlier identical bytes. */
    static final String REUSED = "reused";

    private final ObjectStore objects;
    private final VerdictStore verdicts;
    private final ModerationEngine engine;
    private final Policy policy;
    private final Quarantine quarantine;
    private final ScanSettings settings;
    private final HashMatching matching;
    private final ScanExtensions extensions;
    private final ImageDecoder decoder = new ImageDecoder();
    private final Clock clock;
    private final StructuredLog log;
    private final ScanMetrics metrics;

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

    /**
     * @param extensions hash matching, child-safety signals and reports, each optional
     * @param metrics    where decisions, holds, reuse and engine calls are counted; flushed by the caller (see
     *                   {@link ScanBatch})
     */
    public ScanService(ObjectStore objects, VerdictStore verdicts, ModerationEngine engine, Policy policy,
                       Quarantine quarantine, ScanSettings settings, Clock clock, StructuredLog log,
                       ScanExtensions extensions, Metrics metrics) {
        this.metrics = new ScanMetrics(metrics);
        this.extensions = extensions;
        this.matching = extensions.matching();
        this.objects = objects;
        this.verdicts = verdicts;
        this.engine = new MeteredEngine(engine, this.metrics);
        this.policy = policy;
        this.quarantine = quarantine;
        this.settings = settings;
        this.clock = clock;
        this.log = log;
    }

    public Policy policy() {
        return policy;
    }

    public ScanSettings settings() {
        return settings;
    }

    /**
     * The local steps of a scan on a generated image (decode, exact and perceptual hashes, policy) and a read of
     * a verdict and an object that do not exist, so a SnapStart snapshot holds those paths warm. Writes nothing
     * and calls no engine.
     */
    public void prime() {
        byte[] jpeg = primingImage();
        hashesOf(jpeg, ContentHashes.sha256(jpeg));
        decoder.readSize(jpeg);
        policy.evaluate(List.of());
        String absent = "sentinel-priming/" + java.util.UUID.randomUUID();
        verdicts.find(absent);
        objects.head(new ObjectRef(settings.quarantineBucket(), absent));
    }

    private static byte[] primingImage() {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(96, 64,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (x * 2) << 16 | (y * 3) << 8 | (x + y));
            }
        }
        return dev.sentinel.image.JpegCopies.encode(image, 0.75f);
    }

    public ScanOutcome scan(ObjectEvent event) {
        return scan(event, 1);
    }

    /**
     * Scans one upload on the given delivery attempt (1 for the first). On the last attempt the queue allows, an
     * engine that still cannot answer holds the upload for review instead of failing the delivery once more.
     */
    public ScanOutcome scan(ObjectEvent event, int attempt) {
        ObjectRef announced = event.object();
        if (RescanRequests.isRescan(event)) {
            if (!announced.bucket().equals(quarantine.bucket()) && !settings.scans(announced.bucket())) {
                return new ScanOutcome.Skipped("rescan of bucket " + announced.bucket() + ", which is neither an "
                        + "uploads bucket nor the quarantine bucket");
            }
            return rescanner().rescan(announced);
        }
        if (announced.bucket().equals(quarantine.bucket())) {
            return new ScanOutcome.Skipped("object is in the quarantine bucket");
        }
        if (!settings.scans(announced.bucket())) {
            return new ScanOutcome.Skipped("bucket " + announced.bucket() + " is not an uploads bucket");
        }
        if (!event.isUpload()) {
            return new ScanOutcome.Skipped("event " + event.eventName() + " is not an upload");
        }
        long started = System.nanoTime();
        try {
            return scanUpload(event, started, attempt >= settings.retry().holdAfterAttempts());
        } catch (EngineException e) {
            throw new ScanFailedException("engine unavailable for " + describe(announced) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e instanceof ScanFailedException) {
                throw e;
            }
            throw new ScanFailedException("scan of " + describe(announced) + " failed: " + e, e);
        }
    }

    private ScanOutcome scanUpload(ObjectEvent event, long started, boolean holdIfEngineDown) {
        ObjectRef announced = event.object();
        String announcedId = idOf(announced, event.eTag());
        if (announcedId != null) {
            Optional<Verdict> existing = verdicts.find(announcedId);
            if (existing.isPresent()) {
                return new ScanOutcome.AlreadyDecided(finish(existing.get()));
            }
        }
        Optional<StoredObject> head = objects.head(announced);
        if (head.isEmpty()) {
            return new ScanOutcome.Skipped("object no longer exists (deleted before it was scanned)");
        }
        StoredObject stored = head.get();
        if (event.eTag() != null && stored.eTag() != null && announced.versionId() == null
                && !event.eTag().equals(stripQuotes(stored.eTag()))) {
            return new ScanOutcome.Skipped("object was overwritten since this event; the newer upload has its own");
        }
        ObjectRef ref = stored.ref();
        String verdictId = idOf(ref, stripQuotes(stored.eTag()));
        if (!verdictId.equals(announcedId)) {
            Optional<Verdict> existing = verdicts.find(verdictId);
            if (existing.isPresent()) {
                return new ScanOutcome.AlreadyDecided(finish(existing.get()));
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
            return new ScanOutcome.Skipped("this version was written by the pipeline itself for verdict "
                    + placedBy.get().verdictId() + " (a person released it), not uploaded");
        }
        // One delivery decides; a concurrent duplicate backs off and, on its retry, finds the verdict.
        return underClaim(verdictId, ref, () -> decideClaimed(event, started, ref, stored, verdictId,
                holdIfEngineDown));
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
        return verdicts.underClaim(verdictId, settings.retry().claimTtl(),
                () -> verdicts.find(verdictId).filter(verdict -> placedAt(verdict, ref)),
                () -> new ScanFailedException("verdict " + verdictId + ", which " + describe(ref) + " names, is being "
                        + "carried out now (a release may be recording this version); the delivery will be retried",
                        null));
    }

    private static boolean placedAt(Verdict verdict, ObjectRef version) {
        return version.equals(verdict.placement().location());
    }

    /**
     * Runs {@code work} while holding the claim on {@code verdictId}, so no other delivery decides or moves the
     * same object meanwhile.
     *
     * @throws ScanFailedException when another delivery holds the claim; the queue retries this one later
     */
    <T> T underClaim(String verdictId, ObjectRef ref, java.util.function.Supplier<T> work) {
        return verdicts.underClaim(verdictId, settings.retry().claimTtl(), work, () -> new ScanFailedException(
                "another delivery of " + describe(ref) + " is being scanned now; this one will be retried and find "
                        + "its verdict", null));
    }

    /**
     * A verdict found on redelivery: settled, it is the answer; unsettled (its delivery died or is still moving the
     * object), it is carried on under the claim, so two deliveries never copy or delete the same object at once.
     */
    Verdict finish(Verdict found) {
        if (found.placement().state().settled()) {
            return found;
        }
        return underClaim(found.verdictId(), found.object().ref(), () -> carryOut(verdicts.find(found.verdictId())
                .orElseThrow(() -> new IllegalStateException("verdict " + found.verdictId() + " vanished"))));
    }

    private ScanOutcome decideClaimed(ObjectEvent event, long started, ObjectRef ref, StoredObject stored,
                                      String verdictId, boolean holdIfEngineDown) {
        Optional<Verdict> decidedMeanwhile = verdicts.find(verdictId);
        if (decidedMeanwhile.isPresent()) {
            return new ScanOutcome.AlreadyDecided(carryOut(decidedMeanwhile.get()));
        }
        // Only the claim holder, before any verdict exists: an approval tag now was not earned from this pipeline.
        revokeUnearnedApproval(ref, verdictId);
        Judgement judgement = judge(ref, stored, holdIfEngineDown);
        Instant now = clock.instant();
        ObjectIdentity identity = new ObjectIdentity(ref.bucket(), ref.key(), ref.versionId(),
                stripQuotes(stored.eTag()), stored.size(), judgement.sha256(), stored.contentType(),
                judgement.format(), stored.lastModified(), stored.checksum());
        PolicyDecision decision = judgement.decision();
        Verdict verdict = new Verdict(verdictId, identity, decision.action(), judgement.labels(), decision.reasons(),
                decision.policyVersion(), judgement.engine(), judgement.modelVersion(), now,
                new Placement(PlacementState.PENDING, ref, now),
                decision.action() == Action.ALLOW ? ReviewStatus.NOT_NEEDED : ReviewStatus.PENDING, 0)
                .withContentHashes(judgement.hashes())
                .withSafety(judgement.safety(), judgement.priorityReview()
                        ? now.plus(PRIORITY_REVIEW) : null);

        if (!verdicts.create(verdict)) {
            // Another delivery of the same event won the race: finish its verdict, do not make a second.
            Verdict winner = verdicts.find(verdictId).orElseThrow(() ->
                    new IllegalStateException("verdict " + verdictId + " vanished after a conflicting create"));
            return new ScanOutcome.AlreadyDecided(carryOut(winner));
        }
        countNewVerdict(judgement);
        afterDecision(verdict, stored);
        Verdict done = carryOut(verdict);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("verdictId", done.verdictId());
        fields.put("bucket", ref.bucket());
        fields.put("keyFingerprint", StructuredLog.fingerprint(ref.key()));
        fields.put("action", done.action());
        fields.put("placement", done.placement().state());
        fields.put("engine", done.engine());
        fields.put("policyVersion", done.policyVersion());
        fields.put("labels", done.labels().size());
        fields.put("bytes", identity.size());
        fields.put("engineMs", judgement.engineMillis());
        fields.put("totalMs", (System.nanoTime() - started) / 1_000_000);
        log.info("decision", fields);
        return new ScanOutcome.Decided(done);
    }

    /** Counted once per verdict, when it is stored: a retry that carries the verdict on does not count it again. */
    private void countNewVerdict(Judgement judgement) {
        metrics.decided(judgement.decision().action());
        judgement.failClosedHold().ifPresent(metrics::held);
        if (judgement.reusesEarlierVerdict()) {
            metrics.reused();
        }
    }

    /** What the pipeline concluded about the bytes, before anything is stored. */
    public record Judgement(PolicyDecision decision, List<ModerationLabel> labels, String sha256, ImageFormat format,
                            String engine, String modelVersion, long engineMillis, ContentHashes hashes,
                            SafetyFindings safety, boolean priorityReview) {

        Judgement(PolicyDecision decision, List<ModerationLabel> labels, String sha256, ImageFormat format,
                  String engine, String modelVersion, long engineMillis, ContentHashes hashes) {
            this(decision, labels, sha256, format, engine, modelVersion, engineMillis, hashes, null, false);
        }

        Judgement withHashes(ContentHashes contentHashes) {
            return new Judgement(decision, labels, sha256, format, engine, modelVersion, engineMillis, contentHashes,
                    safety, priorityReview);
        }

        /**
         * Why the image was held for a person without engine and policy judging it (empty, unsupported, too large,
         * undecodable, refused by or never answered by the engine); empty when it was judged.
         */
        public Optional<ReasonCode> failClosedHold() {
            return engine.equals(NOT_JUDGED) ? Optional.of(decision.reasons().get(0).code()) : Optional.empty();
        }

        /** Whether the decision is that of an earlier verdict on the same bytes, taken without an engine call. */
        public boolean reusesEarlierVerdict() {
            return engine.equals(REUSED);
        }
    }

    /** Judges a stored object without recording or moving anything (an on-demand dry run). */
    public Judgement judgeStored(StoredObject stored) {
        return judge(stored.ref(), stored, false);
    }

    /**
     * Judges image bytes: format checks, the engine, the policy. Unreadable, empty or unsupported bytes are held
     * for review, as uploads are.
     *
     * @throws EngineException of kind UNAVAILABLE when the engine cannot answer now
     */
    public Judgement judgeBytes(byte[] bytes, Optional<ObjectRef> storedAt) {
        return judgeBytes(bytes, storedAt, false);
    }

    private Judgement judgeBytes(byte[] bytes, Optional<ObjectRef> storedAt, boolean holdIfEngineDown) {
        String sha = sha256(bytes);
        ImageFormat format = ImageFormat.sniff(bytes);
        if (bytes.length == 0) {
            return held(ReasonCode.EMPTY_OBJECT, "The object is empty (zero bytes); there is no image to check.",
                    sha, format);
        }
        if (format == ImageFormat.UNKNOWN || format == ImageFormat.HEIC) {
            return held(ReasonCode.UNSUPPORTED_FORMAT, "The object is not an image in a supported format (JPEG, "
                    + "PNG, GIF, WebP, BMP, TIFF); its content was identified as " + format.mediaType() + ".",
                    sha, format);
        }
        Hashed hashed = hashesOf(bytes, sha);
        ContentHashes hashes = hashed.hashes();
        Optional<Judgement> reused = reuse(hashes, format);
        if (reused.isPresent()) {
            return reused.get();
        }
        Optional<HashMatching.Match> known = matching.knownContent(hashes);
        if (known.isPresent()) {
            BankEntry entry = known.get().entry();
            Reason reason = new Reason(ReasonCode.KNOWN_CONTENT, String.format(java.util.Locale.ROOT,
                    "The image matches known content to block: %s hash on the list '%s' (category %s), %d bits "
                            + "apart. No engine was asked.", entry.kind().toUpperCase(java.util.Locale.ROOT),
                    entry.source(), entry.category(), known.get().distance()),
                    Action.QUARANTINE, true, null, null, null, null,
                    "Terms of service and law: content already identified as violating is not published again.");
            return new Judgement(new PolicyDecision(Action.QUARANTINE, List.of(reason), policy.version()), List.of(),
                    sha, format, "hash-match", null, 0, hashes);
        }
        if (hashed.decodeError() != null) {
            // Fail closed: what this pipeline cannot decode is not handed to an engine to approve.
            return held(ReasonCode.IMAGE_REJECTED, "The image cannot be decoded (" + hashed.decodeError()
                    + "); a person must look.", sha, format).withHashes(hashes);
        }
        AnimationScenes.Scenes scenes;
        try {
            scenes = AnimationScenes.of(decoder, bytes, format);
        } catch (UnreadableImageException e) {
            return held(ReasonCode.IMAGE_REJECTED, "The animation cannot be read frame by frame (" + e.getMessage()
                    + "); a person must look.", sha, format).withHashes(hashes);
        }
        if (scenes.overCap()) {
            return held(ReasonCode.ANIMATION_OVER_CAP, scenes.overCapReason(), sha, format).withHashes(hashes);
        }
        // Every scene of an animation is judged; a still image once, by reference where the engine can read it.
        List<ImageInput> inputs = scenes.animated()
                ? scenes.scenes().stream().map(AnimationScenes.Scene::input).toList()
                : List.of(new ImageInput(bytes, format, storedAt));
        long engineStart = System.nanoTime();
        ModerationResult result;
        ImageInput strongest;
        try {
            List<ModerationResult> seen = new java.util.ArrayList<>();
            for (ImageInput input : inputs) {
                seen.add(engine.detect(input));
            }
            result = seen.size() == 1 ? seen.get(0) : AnimationScenes.strongest(seen);
            strongest = inputs.get(strongestOf(seen));
        } catch (EngineException e) {
            if (e.kind() == EngineException.Kind.IMAGE_REJECTED) {
                return held(ReasonCode.IMAGE_REJECTED, "The image could not be checked: " + e.getMessage(),
                        sha, format).withHashes(hashes);
            }
            if (holdIfEngineDown) {
                // Fail closed on the last attempt: unpublished and in front of a person, not only in a dead letter.
                return held(ReasonCode.ENGINE_UNAVAILABLE, "The moderation engine could not answer on any of "
                        + settings.retry().holdAfterAttempts() + " attempts (" + e.getMessage() + "); the image "
                        + "stays unpublished until a rescan or a person decides.", sha, format).withHashes(hashes);
            }
            throw e;
        }
        long engineMillis = (System.nanoTime() - engineStart) / 1_000_000;
        PolicyDecision decision = policy.evaluate(result.labels());
        if (scenes.animated()) {
            List<Reason> reasons = new java.util.ArrayList<>(decision.reasons());
            reasons.add(Reason.of(ReasonCode.ANIMATION_SCENES, decision.action(), scenes.judged()));
            decision = new PolicyDecision(decision.action(), reasons, decision.policyVersion());
        }
        // Faces are looked for in the scene that carried the strongest label: that is the one a person would see.
        SafetySignals.Outcome safety = extensions.safety() == null ? SafetySignals.Outcome.NOTHING
                : extensions.safety().assess(result.labels(), strongest);
        if (!safety.reasons().isEmpty()) {
            List<Reason> reasons = new java.util.ArrayList<>(safety.reasons());
            reasons.addAll(decision.reasons());
            decision = new PolicyDecision(Action.mostSevere(decision.action(), safety.atLeast()), reasons,
                    decision.policyVersion());
        }
        return new Judgement(decision, result.labels(), sha, format, result.engine(), result.modelVersion(),
                engineMillis, hashes, safety.findings(), safety.priorityReview());
    }

    /** Which of the results saw the strongest label (the first when none saw any). */
    private static int strongestOf(List<ModerationResult> results) {
        int best = 0;
        double confidence = -1;
        for (int i = 0; i < results.size(); i++) {
            for (ModerationLabel label : results.get(i).labels()) {
                if (label.confidence() > confidence) {
                    confidence = label.confidence();
                    best = i;
                }
            }
        }
        return best;
    }

    /** The content's hashes, and why it could not be decoded (null when it could). */
    private record Hashed(ContentHashes hashes, String decodeError) { }

    private Hashed hashesOf(byte[] bytes, String sha) {
        String pdq = null;
        Integer quality = null;
        String error = null;
        try {
            PdqHash hash = new PdqHasher().hash(decoder.decode(bytes, 2048));
            pdq = hash.hex();
            quality = hash.quality();
        } catch (UnreadableImageException e) {
            // Exact hashes still identify it; the caller holds it rather than let an engine guess.
            error = e.getMessage();
        }
        return new Hashed(new ContentHashes(sha, ContentHashes.md5(bytes), pdq, quality), error);
    }

    /** The decision of an earlier verdict on the same bytes, including what a person decided about it. */
    private Optional<Judgement> reuse(ContentHashes hashes, ImageFormat format) {
        Optional<Verdict> earlier = matching.verdictWithContent(hashes.sha256()).flatMap(verdicts::find);
        if (earlier.isEmpty()) {
            return Optional.empty();
        }
        Verdict before = earlier.get();
        Action action = before.decisions().isEmpty() ? before.action()
                : before.decisions().get(before.decisions().size() - 1).actionAfter();
        List<Reason> reasons = new java.util.ArrayList<>();
        reasons.add(new Reason(ReasonCode.CONTENT_REUSED, "The same bytes (SHA-256 " + hashes.sha256().substring(0, 16)
                + "…) were decided before in verdict " + before.verdictId() + " (" + action + "); that decision is "
                + "reused.", action, before.decisions().isEmpty(), null, null, null, null, null));
        reasons.addAll(before.reasons());
        return Optional.of(new Judgement(new PolicyDecision(action, reasons, before.policyVersion()), before.labels(),
                hashes.sha256(), format, REUSED, before.modelVersion(), 0, hashes));
    }

    private Judgement judge(ObjectRef ref, StoredObject stored, boolean holdIfEngineDown) {
        if (stored.size() > settings.maxObjectBytes()) {
            return tooLarge(stored.size());
        }
        byte[] bytes;
        try {
            bytes = objects.read(ref, settings.maxObjectBytes())
                    .orElseThrow(() -> vanished(ref));
        } catch (ObjectTooLargeException e) {
            return tooLarge(e.size());
        }
        return judgeBytes(bytes, Optional.of(ref), holdIfEngineDown);
    }

    /**
     * Held untouched: reading gigabytes to hash them would outlast every attempt. The verdict names the bytes by
     * version, size and the checksum S3 keeps for them, and records that they were not hashed (no SHA-256).
     */
    private Judgement tooLarge(long size) {
        return held(ReasonCode.TOO_LARGE, "The object is " + size + " bytes, over the " + settings.maxObjectBytes()
                + "-byte limit the scanner reads; it was not read. A person must look.", null, ImageFormat.UNKNOWN);
    }

    private Judgement held(ReasonCode code, String text, String sha, ImageFormat format) {
        Reason reason = Reason.of(code, Action.REVIEW, text);
        return new Judgement(new PolicyDecision(Action.REVIEW, List.of(reason), policy.version()), List.of(), sha,
                format, NOT_JUDGED, null, 0, null);
    }

    /**
     * An upload must not arrive already carrying the approval tag: whoever set it did not earn it. The bucket policy
     * refuses such uploads; this removes the tag should one get through anyway.
     */
    private void revokeUnearnedApproval(ObjectRef ref, String verdictId) {
        Map<String, String> tags = objects.tags(ref);
        if (tags.containsKey(VISIBILITY_TAG)) {
            Map<String, String> kept = new LinkedHashMap<>(tags);
            kept.remove(VISIBILITY_TAG);
            objects.putTags(ref, kept);
            log.warn("unearned-visibility-tag-removed", Map.of("verdictId", verdictId, "bucket", ref.bucket(),
                    "keyFingerprint", StructuredLog.fingerprint(ref.key())));
        }
    }

    /** Records what follows a new automated decision: the content index, a child-safety report. */
    void afterDecision(Verdict verdict, StoredObject stored) {
        if (verdict.contentHashes() != null) {
            matching.recordContent(verdict.contentHashes().sha256(), verdict.verdictId());
        }
        if (verdict.action() == Action.CHILD_SAFETY) {
            extensions.reports().create(ChildSafetyReport.of(verdict, stored.metadata(), verdict.decidedAt()));
        }
    }

    /** Rescans stored objects with this pipeline's stores, engine and (current) policy. */
    public Rescanner rescanner() {
        return new Rescanner(this, objects, verdicts, policy, quarantine.bucket(), clock, log);
    }

    /** Carries a stored verdict forward to a settled placement, one recorded step at a time. */
    Verdict carryOut(Verdict verdict) {
        Verdict current = verdict;
        for (int attempt = 0; attempt < MAX_CONCURRENT_RETRIES; attempt++) {
            try {
                while (!current.placement().state().settled()) {
                    current = step(current);
                }
                return current;
            } catch (ConcurrentUpdateException raced) {
                String id = current.verdictId();
                current = verdicts.find(id).orElseThrow(() -> new IllegalStateException("verdict " + id + " vanished"));
            }
        }
        throw new ConcurrentUpdateException("verdict " + current.verdictId() + " kept changing under this scan");
    }

    private Verdict step(Verdict verdict) {
        ObjectRef original = verdict.object().ref();
        ExpectedContent content = verdict.object().content();
        PlacementState state = verdict.placement().state();
        Placement next;
        if (state == PlacementState.PENDING) {
            next = switch (verdict.action()) {
                case ALLOW -> tagOriginal(original, APPROVED, PlacementState.PUBLISHED);
                case REVIEW -> tagOriginal(original, HELD, PlacementState.HELD);
                case QUARANTINE, CHILD_SAFETY -> copyToQuarantine(original, content, verdict.verdictId());
            };
        } else if (state == PlacementState.QUARANTINE_COPIED) {
            if (verdict.action() == Action.CHILD_SAFETY) {
                // Evidence must survive: locked before the only other copy goes.
                objects.lock(verdict.placement().location(), clock.instant().atZone(java.time.ZoneOffset.UTC)
                        .plus(extensions.retention()).toInstant());
            }
            next = finishQuarantine(original, verdict.placement().location(), content, verdict.verdictId());
        } else {
            return verdict;
        }
        Verdict updated = verdict.withPlacement(next);
        verdicts.update(verdict, updated);
        return updated;
    }

    private Placement tagOriginal(ObjectRef original, String value, PlacementState target) {
        Optional<StoredObject> head = objects.head(original);
        if (head.isEmpty()) {
            return new Placement(PlacementState.GONE, original, clock.instant());
        }
        Map<String, String> tags = new LinkedHashMap<>(objects.tags(original));
        tags.put(VISIBILITY_TAG, value);
        objects.putTags(original, tags);
        return new Placement(target, original, clock.instant());
    }

    private Placement copyToQuarantine(ObjectRef original, ExpectedContent content, String verdictId) {
        // A verified copy may already be there: an attempt that copied and died before recording it.
        Optional<ObjectRef> earlier = quarantine.findVerifiedCopy(original, content, verdictId);
        if (objects.head(original).isEmpty()) {
            // Either an earlier attempt copied and deleted it but died before recording, or its owner deleted it.
            return earlier.map(copy -> new Placement(PlacementState.QUARANTINED, copy, clock.instant()))
                    .orElseGet(() -> new Placement(PlacementState.GONE, original, clock.instant()));
        }
        ObjectRef copy = earlier.orElseGet(() -> quarantine.copyAndVerify(original, content, verdictId));
        return new Placement(PlacementState.QUARANTINE_COPIED, copy, clock.instant());
    }

    private Placement finishQuarantine(ObjectRef original, ObjectRef copy, ExpectedContent content,
                                       String verdictId) {
        if (!quarantine.isVerifiedCopy(copy, content)) {
            if (objects.head(original).isEmpty()) {
                throw new IllegalStateException("verdict " + verdictId + ": neither a verified quarantine copy nor "
                        + "the original exists; refusing to continue");
            }
            copy = quarantine.copyAndVerify(original, content, verdictId);
        }
        quarantine.removeOriginal(original);
        return new Placement(PlacementState.QUARANTINED, copy, clock.instant());
    }

    /** The id of the verdict on this object version (or, unversioned, these bytes); null when neither is known. */
    static String idOf(ObjectRef ref, String eTag) {
        if (ref.versionId() != null) {
            return Verdict.idFor(ref.bucket(), ref.key(), "version:" + ref.versionId());
        }
        if (eTag != null && !eTag.isBlank()) {
            return Verdict.idFor(ref.bucket(), ref.key(), "etag:" + stripQuotes(eTag));
        }
        return null;
    }

    private static String stripQuotes(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "");
    }

    private static IllegalStateException vanished(ObjectRef ref) {
        return new IllegalStateException(describe(ref) + " vanished mid-scan");
    }

    private static String describe(ObjectRef ref) {
        return "object in " + ref.bucket() + " (key fingerprint " + StructuredLog.fingerprint(ref.key()) + ")";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
