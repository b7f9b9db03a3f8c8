package dev.sentinel.scan;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.hash.BankEntry;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.image.JpegCopies;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Verdict;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The judge stage: image bytes to a {@link Judgement}. Format checks and hashes first; then the decision of earlier
 * identical bytes, or a hash list of known content, when either applies; otherwise the engine, the policy and the
 * safety signals ({@link EngineJudge}). Stores and moves nothing; what it cannot decide is held for a person.
 */
public final class Judge {

    private final ObjectStore objects;
    private final VerdictStore verdicts;
    private final HashMatching matching;
    private final Policy policy;
    private final ScanSettings settings;
    private final ImageDecoder decoder;
    private final EngineJudge engine;

    Judge(ObjectStore objects, VerdictStore verdicts, HashMatching matching, Policy policy, ScanSettings settings,
          ImageDecoder decoder, EngineJudge engine) {
        this.objects = objects;
        this.verdicts = verdicts;
        this.matching = matching;
        this.policy = policy;
        this.settings = settings;
        this.decoder = decoder;
        this.engine = engine;
    }

    /** Judges a stored object without recording or moving anything (an on-demand dry run). */
    public Judgement judgeStored(StoredObject stored) {
        return judgeStored(stored, false);
    }

    /** @param holdIfEngineDown hold for a person, rather than throw, when the engine cannot answer (last attempt) */
    Judgement judgeStored(StoredObject stored, boolean holdIfEngineDown) {
        if (stored.size() > settings.maxObjectBytes()) {
            return tooLarge(stored.size());
        }
        ObjectRef ref = stored.ref();
        byte[] bytes;
        try {
            bytes = objects.read(ref, settings.maxObjectBytes()).orElseThrow(() -> new IllegalStateException(
                    ObjectDescription.of(ref) + " vanished mid-scan"));
        } catch (ObjectTooLargeException e) {
            return tooLarge(e.size());
        }
        return judgeBytes(bytes, Optional.of(ref), holdIfEngineDown);
    }

    /**
     * Judges image bytes: format checks, the engine, the policy. Unreadable, empty or unsupported bytes are held
     * for review, as uploads are.
     *
     * @throws dev.sentinel.engine.EngineException of kind UNAVAILABLE when the engine cannot answer now
     */
    public Judgement judgeBytes(byte[] bytes, Optional<ObjectRef> storedAt) {
        return judgeBytes(bytes, storedAt, false);
    }

    private Judgement judgeBytes(byte[] bytes, Optional<ObjectRef> storedAt, boolean holdIfEngineDown) {
        String sha = ContentHashes.sha256(bytes);
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
            return knownContent(known.get(), sha, format, hashes);
        }
        if (hashed.decodeError() != null) {
            // Fail closed: what this pipeline cannot decode is not handed to an engine to approve.
            return held(ReasonCode.IMAGE_REJECTED, "The image cannot be decoded (" + hashed.decodeError()
                    + "); a person must look.", sha, format).withHashes(hashes);
        }
        return engine.judge(bytes, format, hashes, storedAt, holdIfEngineDown);
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
        List<Reason> reasons = new ArrayList<>();
        reasons.add(new Reason(ReasonCode.CONTENT_REUSED, "The same bytes (SHA-256 " + hashes.sha256().substring(0, 16)
                + "…) were decided before in verdict " + before.verdictId() + " (" + action + "); that decision is "
                + "reused.", action, before.decisions().isEmpty(), null, null, null, null, null));
        reasons.addAll(before.reasons());
        return Optional.of(new Judgement(new PolicyDecision(action, reasons, before.policyVersion()), before.labels(),
                hashes.sha256(), format, Judgement.REUSED, before.modelVersion(), 0, hashes));
    }

    private Judgement knownContent(HashMatching.Match known, String sha, ImageFormat format, ContentHashes hashes) {
        BankEntry entry = known.entry();
        Reason reason = new Reason(ReasonCode.KNOWN_CONTENT, String.format(Locale.ROOT,
                "The image matches known content to block: %s hash on the list '%s' (category %s), %d bits "
                        + "apart. No engine was asked.", entry.kind().toUpperCase(Locale.ROOT),
                entry.source(), entry.category(), known.distance()),
                Action.QUARANTINE, true, null, null, null, null,
                "Terms of service and law: content already identified as violating is not published again.");
        return new Judgement(new PolicyDecision(Action.QUARANTINE, List.of(reason), policy.version()), List.of(),
                sha, format, Judgement.HASH_MATCH, null, 0, hashes);
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
        return Judgement.held(code, text, sha, format, policy.version());
    }

    /**
     * The local steps of judging (decode, exact and perceptual hashes, policy) on a generated image, so a SnapStart
     * snapshot holds those paths warm. Calls no engine.
     */
    void prime() {
        byte[] jpeg = primingImage();
        hashesOf(jpeg, ContentHashes.sha256(jpeg));
        decoder.readSize(jpeg);
        policy.evaluate(List.of());
    }

    private static byte[] primingImage() {
        BufferedImage image = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                image.setRGB(x, y, (x * 2) << 16 | (y * 3) << 8 | (x + y));
            }
        }
        return JpegCopies.encode(image, 0.75f);
    }
}
