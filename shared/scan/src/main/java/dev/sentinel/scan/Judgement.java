package dev.sentinel.scan;

import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.verdict.SafetyFindings;
import java.util.List;
import java.util.Optional;

/**
 * What the {@link Judge} concluded about an image's bytes, before anything is stored: the message from judging to
 * recording and placing.
 */
public record Judgement(PolicyDecision decision, List<ModerationLabel> labels, String sha256, ImageFormat format,
                        String engine, String modelVersion, long engineMillis, ContentHashes hashes,
                        SafetyFindings safety, boolean priorityReview) {

    /** The engine recorded on a verdict the pipeline held without asking any engine. */
    static final String NOT_JUDGED = "none";
    /** The engine recorded on a verdict that reuses the decision of earlier identical bytes. */
    static final String REUSED = "reused";
    /** The engine recorded on a verdict decided by a hash list of known content. */
    static final String HASH_MATCH = "hash-match";

    Judgement(PolicyDecision decision, List<ModerationLabel> labels, String sha256, ImageFormat format,
              String engine, String modelVersion, long engineMillis, ContentHashes hashes) {
        this(decision, labels, sha256, format, engine, modelVersion, engineMillis, hashes, null, false);
    }

    /** Held for a person without any engine judging it. */
    static Judgement held(ReasonCode code, String text, String sha, ImageFormat format, String policyVersion) {
        Reason reason = Reason.of(code, Action.REVIEW, text);
        return new Judgement(new PolicyDecision(Action.REVIEW, List.of(reason), policyVersion), List.of(), sha,
                format, NOT_JUDGED, null, 0, null);
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
