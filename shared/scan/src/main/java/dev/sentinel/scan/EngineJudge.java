package dev.sentinel.scan;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.engine.ModerationResult;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.ImageFormat;
import dev.sentinel.image.UnreadableImageException;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyDecision;
import dev.sentinel.policy.Reason;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.safety.SafetySignals;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of judging that looks at the picture: the engine on every scene (once for a still image), the policy
 * on what it saw, then the safety signals, which may only make the decision stricter.
 */
final class EngineJudge {

    private final ModerationEngine engine;
    private final Policy policy;
    private final SafetySignals safety;
    private final ImageDecoder decoder;
    private final int holdAfterAttempts;

    /**
     * @param safety            null for none
     * @param holdAfterAttempts the attempts after which an engine that cannot answer holds the image (for the reason
     *                          recorded)
     */
    EngineJudge(ModerationEngine engine, Policy policy, SafetySignals safety, ImageDecoder decoder,
                int holdAfterAttempts) {
        this.engine = engine;
        this.policy = policy;
        this.safety = safety;
        this.decoder = decoder;
        this.holdAfterAttempts = holdAfterAttempts;
    }

    /** Judges bytes the caller has already checked and hashed. */
    Judgement judge(byte[] bytes, ImageFormat format, ContentHashes hashes, Optional<ObjectRef> storedAt,
                    boolean holdIfEngineDown) {
        String sha = hashes.sha256();
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
            List<ModerationResult> seen = new ArrayList<>();
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
                        + holdAfterAttempts + " attempts (" + e.getMessage() + "); the image "
                        + "stays unpublished until a rescan or a person decides.", sha, format).withHashes(hashes);
            }
            throw e;
        }
        long engineMillis = (System.nanoTime() - engineStart) / 1_000_000;
        PolicyDecision decision = policy.evaluate(result.labels());
        if (scenes.animated()) {
            List<Reason> reasons = new ArrayList<>(decision.reasons());
            reasons.add(Reason.of(ReasonCode.ANIMATION_SCENES, decision.action(), scenes.judged()));
            decision = new PolicyDecision(decision.action(), reasons, decision.policyVersion());
        }
        // Faces are looked for in the scene that carried the strongest label: that is the one a person would see.
        SafetySignals.Outcome signals = safety == null ? SafetySignals.Outcome.NOTHING
                : safety.assess(result.labels(), strongest);
        if (!signals.reasons().isEmpty()) {
            List<Reason> reasons = new ArrayList<>(signals.reasons());
            reasons.addAll(decision.reasons());
            decision = new PolicyDecision(Action.mostSevere(decision.action(), signals.atLeast()), reasons,
                    decision.policyVersion());
        }
        return new Judgement(decision, result.labels(), sha, format, result.engine(), result.modelVersion(),
                engineMillis, hashes, signals.findings(), signals.priorityReview());
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

    private Judgement held(ReasonCode code, String text, String sha, ImageFormat format) {
        return Judgement.held(code, text, sha, format, policy.version());
    }
}
