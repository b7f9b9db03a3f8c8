package dev.sentinel.scan;

import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ExpectedContent;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.policy.Action;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.ConcurrentUpdateException;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.verdict.VisibilityTag;
import java.time.Clock;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The place stage: carries a stored verdict to a settled placement, one recorded step at a time. Publish and hold
 * tag the upload; quarantine copies it, verifies the copy, locks child-safety evidence, then deletes the original.
 * Every step is written to the verdict before the next, so a retry resumes where a dead attempt stopped.
 */
public final class Placer {

    private static final int MAX_CONCURRENT_RETRIES = 5;

    private final ObjectStore objects;
    private final VerdictStore verdicts;
    private final Quarantine quarantine;
    private final VerdictClaims claims;
    private final Period evidenceRetention;
    private final Clock clock;
    private final StructuredLog log;

    /** @param evidenceRetention how long quarantined child-safety objects are locked */
    Placer(ObjectStore objects, VerdictStore verdicts, Quarantine quarantine, VerdictClaims claims,
           Period evidenceRetention, Clock clock, StructuredLog log) {
        this.objects = objects;
        this.verdicts = verdicts;
        this.quarantine = quarantine;
        this.claims = claims;
        this.evidenceRetention = evidenceRetention;
        this.clock = clock;
        this.log = log;
    }

    /**
     * A verdict found on redelivery: settled, it is the answer; unsettled (its delivery died or is still moving the
     * object), it is carried on under the claim, so two deliveries never copy or delete the same object at once.
     */
    Verdict finish(Verdict found) {
        if (found.placement().state().settled()) {
            return found;
        }
        return claims.under(found.verdictId(), found.object().ref(), () -> carryOut(verdicts.find(found.verdictId())
                .orElseThrow(() -> new IllegalStateException("verdict " + found.verdictId() + " vanished"))));
    }

    /** Carries a stored verdict forward to a settled placement; the caller holds its claim. */
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

    /**
     * An upload must not arrive already carrying the approval tag: whoever set it did not earn it. The bucket policy
     * refuses such uploads; this removes the tag should one get through anyway. Only the claim holder, before any
     * verdict exists, calls this.
     */
    void revokeUnearnedApproval(ObjectRef ref, String verdictId) {
        Map<String, String> tags = objects.tags(ref);
        if (tags.containsKey(VisibilityTag.KEY)) {
            Map<String, String> kept = new LinkedHashMap<>(tags);
            kept.remove(VisibilityTag.KEY);
            objects.putTags(ref, kept);
            log.warn("unearned-visibility-tag-removed", Map.of("verdictId", verdictId, "bucket", ref.bucket(),
                    "keyFingerprint", StructuredLog.fingerprint(ref.key())));
        }
    }

    private Verdict step(Verdict verdict) {
        ObjectRef original = verdict.object().ref();
        ExpectedContent content = verdict.object().content();
        PlacementState state = verdict.placement().state();
        Placement next;
        if (state == PlacementState.PENDING) {
            next = switch (verdict.action()) {
                case ALLOW -> tagOriginal(original, VisibilityTag.APPROVED, PlacementState.PUBLISHED);
                case REVIEW -> tagOriginal(original, VisibilityTag.HELD, PlacementState.HELD);
                case QUARANTINE, CHILD_SAFETY -> copyToQuarantine(original, content, verdict.verdictId());
            };
        } else if (state == PlacementState.QUARANTINE_COPIED) {
            if (verdict.action() == Action.CHILD_SAFETY) {
                // Evidence must survive: locked before the only other copy goes.
                objects.lock(verdict.placement().location(), clock.instant().atZone(ZoneOffset.UTC)
                        .plus(evidenceRetention).toInstant());
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
        tags.put(VisibilityTag.KEY, value);
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
}
