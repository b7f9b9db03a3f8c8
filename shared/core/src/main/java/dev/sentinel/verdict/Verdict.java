package dev.sentinel.verdict;

import dev.sentinel.engine.ModerationLabel;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The decision on one version of one uploaded object, with everything needed to prove later what was decided and
 * why: the exact content (SHA-256), the labels the engine saw, the policy and model versions, the statement of
 * reasons, and where the object lives now.
 *
 * @param revision       increases with every stored change, so concurrent writers cannot overwrite each other unseen
 * @param requestedBy    who asked for an on-demand check (the caller's subject); null for uploads
 * @param reviewDeadline when a person must have decided, set by a takedown notice; null when no deadline applies
 * @param noticeIds      takedown notices about this object
 * @param decisions      what people decided about it, oldest first (reviews and appeals); the automated decision is
 *                       {@code action} with its {@code reasons}
 * @param contentHashes  SHA-256, MD5 and PDQ of the content, for hash lists and duplicate detection; null for
 *                       verdicts made before hashing existed
 * @param safety         face ages and provenance, gathered for images with sexual or nudity labels; null otherwise
 */
public record Verdict(String verdictId, ObjectIdentity object, Action action, List<ModerationLabel> labels,
                      List<Reason> reasons, String policyVersion, String engine, String modelVersion,
                      Instant decidedAt, Placement placement, ReviewStatus review, long revision,
                      String requestedBy, Instant reviewDeadline, List<String> noticeIds,
                      List<HumanDecision> decisions, ContentHashes contentHashes, SafetyFindings safety) {

    public Verdict {
        Objects.requireNonNull(verdictId, "verdictId");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(action, "action");
        labels = List.copyOf(labels);
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(review, "review");
        noticeIds = noticeIds == null ? List.of() : List.copyOf(noticeIds);
        decisions = decisions == null ? List.of() : List.copyOf(decisions);
    }

    /** An automated verdict, before any person or notice has touched it. */
    public Verdict(String verdictId, ObjectIdentity object, Action action, List<ModerationLabel> labels,
                   List<Reason> reasons, String policyVersion, String engine, String modelVersion, Instant decidedAt,
                   Placement placement, ReviewStatus review, long revision) {
        this(verdictId, object, action, labels, reasons, policyVersion, engine, modelVersion, decidedAt, placement,
                review, revision, null, null, List.of(), List.of(), null, null);
    }

    public Verdict withPlacement(Placement next) {
        return new Verdict(verdictId, object, action, labels, reasons, policyVersion, engine, modelVersion, decidedAt,
                next, review, revision + 1, requestedBy, reviewDeadline, noticeIds, decisions, contentHashes, safety);
    }

    public Verdict withSafety(SafetyFindings findings, Instant deadline) {
        return new Verdict(verdictId, object, action, labels, reasons, policyVersion, engine, modelVersion, decidedAt,
                placement, review, revision, requestedBy, deadline, noticeIds, decisions, contentHashes, findings);
    }

    public Verdict withContentHashes(ContentHashes hashes) {
        return new Verdict(verdictId, object, action, labels, reasons, policyVersion, engine, modelVersion, decidedAt,
                placement, review, revision, requestedBy, reviewDeadline, noticeIds, decisions, hashes, safety);
    }

    public Verdict withRequestedBy(String subject) {
        return new Verdict(verdictId, object, action, labels, reasons, policyVersion, engine, modelVersion, decidedAt,
                placement, review, revision, subject, reviewDeadline, noticeIds, decisions, contentHashes, safety);
    }

    /** The next revision after a person's or a notice's change to placement, review status and deadline. */
    public Verdict withCase(Placement nextPlacement, ReviewStatus nextReview, Instant deadline, List<String> notices,
                            List<HumanDecision> humanDecisions) {
        return new Verdict(verdictId, object, action, labels, reasons, policyVersion, engine, modelVersion, decidedAt,
                nextPlacement, nextReview, revision + 1, requestedBy, deadline, notices, humanDecisions, contentHashes, safety);
    }

    /**
     * The next revision after a rescan decided again: new automated decision, labels and versions, a placement to
     * carry out and the review it needs. Who asked, notices and what people decided stay.
     */
    public Verdict redecided(Action nextAction, List<ModerationLabel> nextLabels, List<Reason> nextReasons,
                             String nextPolicyVersion, String nextEngine, String nextModelVersion, Instant at,
                             Placement nextPlacement, ReviewStatus nextReview, ContentHashes hashes) {
        return new Verdict(verdictId, object, nextAction, nextLabels, nextReasons, nextPolicyVersion, nextEngine,
                nextModelVersion, at, nextPlacement, nextReview, revision + 1, requestedBy, reviewDeadline, noticeIds,
                decisions, hashes == null ? contentHashes : hashes, safety);
    }

    /** Whether the object is kept from the public: by the automated decision or by a person's. */
    public boolean restricted() {
        return placement.state() != PlacementState.PUBLISHED;
    }

    /**
     * The verdict id of one object version: the same S3 event delivered twice yields the same id, which is what
     * lets the store refuse a second verdict. Without a version id (unversioned bucket) the ETag stands in.
     */
    public static String idFor(String bucket, String key, String versionOrETag) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bucket.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(String.valueOf(versionOrETag).getBytes(StandardCharsets.UTF_8));
            return "vd-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
