package dev.sentinel.cases;

import dev.sentinel.hash.BankEntry;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.store.ConcurrentUpdateException;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.HumanDecision;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.StatementOfReasons;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.verdict.VisibilityTag;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A person's decision on a held or quarantined image: CONFIRM keeps it from the public (a held image is moved to
 * quarantine), RELEASE publishes it (a quarantined image is copied back byte-identical, verified, tagged approved,
 * and only then removed from quarantine). Every decision is recorded on the verdict and appended to the audit
 * trail with the state before and after and the statement of reasons.
 */
public final class ReviewService {

    public static final String CONFIRM = "CONFIRM";
    public static final String RELEASE = "RELEASE";
    /** The first reviewer's half of a two-person child-safety release. */
    public static final String RELEASE_REQUESTED = "RELEASE_REQUESTED";
    public static final String CONFIRMED_CATEGORY = "confirmed-by-review";
    public static final String REVIEW_SOURCE = "sentinel-reviews";
    /** Longer than an API function may run (29 s): a release that died holding it stops blocking after this. */
    private static final Duration RESTORE_CLAIM = Duration.ofMinutes(1);

    private final VerdictStore verdicts;
    private final ObjectStore objects;
    private final Quarantine quarantine;
    private final AuditTrail audit;
    private final Clock clock;
    private final Period appealWindow;
    private final HashMatching bank;

    public ReviewService(VerdictStore verdicts, ObjectStore objects, Quarantine quarantine, AuditTrail audit,
                         Clock clock, Period appealWindow) {
        this(verdicts, objects, quarantine, audit, clock, appealWindow, HashMatching.none());
    }

    /** @param bank receives the hashes of every restriction a person confirms, so re-uploads are stopped */
    public ReviewService(VerdictStore verdicts, ObjectStore objects, Quarantine quarantine, AuditTrail audit,
                         Clock clock, Period appealWindow, HashMatching bank) {
        this.bank = bank;
        this.verdicts = verdicts;
        this.objects = objects;
        this.quarantine = quarantine;
        this.audit = audit;
        this.clock = clock;
        this.appealWindow = appealWindow;
    }

    public Period appealWindow() {
        return appealWindow;
    }

    public Verdict verdict(String verdictId) {
        return find(verdictId).orElseThrow(() -> new CaseNotFoundException("no verdict " + verdictId));
    }

    public Optional<Verdict> find(String verdictId) {
        return verdicts.find(verdictId);
    }

    void update(Verdict current, Verdict next) {
        verdicts.update(current, next);
    }

    public Verdict decide(String verdictId, String outcome, String reason, Actor reviewer) {
        Verdict verdict = verdict(verdictId);
        if (verdict.review() != ReviewStatus.PENDING) {
            throw new CaseConflictException("verdict " + verdictId + " is not waiting for review (it is "
                    + verdict.review() + ")" + (verdict.review() == ReviewStatus.APPEALED
                    ? "; decide the appeal instead" : ""));
        }
        boolean restrict = switch (outcome) {
            case CONFIRM -> true;
            case RELEASE -> false;
            default -> throw new IllegalArgumentException("outcome must be CONFIRM or RELEASE");
        };
        if (!restrict && verdict.action() == Action.CHILD_SAFETY) {
            Optional<HumanDecision> requested = verdict.decisions().stream()
                    .filter(d -> RELEASE_REQUESTED.equals(d.outcome())).reduce((first, second) -> second);
            if (requested.isEmpty()) {
                return recordReleaseRequest(verdict, reason, reviewer);
            }
            if (requested.get().actor().equals(reviewer.subject())) {
                throw new CaseConflictException("a child-safety release needs a second, different reviewer; "
                        + reviewer.subject() + " already asked for it");
            }
        }
        return record(verdict, "REVIEW", outcome, restrict, reason, reviewer, null);
    }

    /** The first of the two reviewers a child-safety release needs: recorded, nothing moves, still pending. */
    private Verdict recordReleaseRequest(Verdict verdict, String reason, Actor reviewer) {
        Instant now = clock.instant();
        List<HumanDecision> decisions = new ArrayList<>(verdict.decisions());
        decisions.add(new HumanDecision("REVIEW", RELEASE_REQUESTED, reviewer.subject(), reviewer.groups(), now,
                reason, Action.CHILD_SAFETY, null));
        Verdict next = verdict.withCase(verdict.placement(), ReviewStatus.PENDING, verdict.reviewDeadline(),
                verdict.noticeIds(), decisions);
        try {
            verdicts.update(verdict, next);
        } catch (ConcurrentUpdateException e) {
            throw new CaseConflictException("verdict " + verdict.verdictId() + " changed while deciding; reload it");
        }
        audit.append(new AuditEntry(verdict.verdictId(), now, reviewer.subject(), reviewer.groups(),
                "REVIEW_" + RELEASE_REQUESTED, reason, state(verdict), state(next), null));
        return next;
    }

    /**
     * Carries out a person's decision and records it.
     *
     * @param restrict true to keep the object from the public, false to publish it
     */
    Verdict record(Verdict verdict, String kind, String outcome, boolean restrict, String reason, Actor actor,
                   String appealId) {
        PlacementState state = verdict.placement().state();
        if (restrict || (state != PlacementState.QUARANTINED && state != PlacementState.QUARANTINE_COPIED)) {
            return carryOutAndRecord(verdict, kind, outcome, restrict, reason, actor, appealId);
        }
        // A restore writes a new version of the upload, whose notification reaches the scan. Under the verdict's
        // claim until the version is recorded, so the scan waits for the record instead of judging it as an upload.
        return verdicts.underClaim(verdict.verdictId(), RESTORE_CLAIM,
                () -> carryOutAndRecord(verdict, kind, outcome, restrict, reason, actor, appealId),
                () -> new CaseConflictException("verdict " + verdict.verdictId() + " is being scanned or moved right "
                        + "now; try again in a moment"));
    }

    private Verdict carryOutAndRecord(Verdict verdict, String kind, String outcome, boolean restrict, String reason,
                                      Actor actor, String appealId) {
        Instant now = clock.instant();
        Placement placement = restrict ? restrict(verdict, now) : release(verdict, now);
        List<HumanDecision> decisions = new ArrayList<>(verdict.decisions());
        decisions.add(new HumanDecision(kind, outcome, actor.subject(), actor.groups(), now, reason,
                restrict ? Action.QUARANTINE : Action.ALLOW, appealId));
        Verdict next = verdict.withCase(placement, restrict ? ReviewStatus.CONFIRMED : ReviewStatus.RELEASED, null,
                verdict.noticeIds(), decisions);
        try {
            verdicts.update(verdict, next);
        } catch (ConcurrentUpdateException e) {
            throw new CaseConflictException("verdict " + verdict.verdictId() + " changed while deciding; reload it");
        }
        StatementOfReasons statement = StatementOfReasons.of(next, appealWindow);
        audit.append(new AuditEntry(verdict.verdictId(), now, actor.subject(), actor.groups(), kind + "_" + outcome,
                reason, state(verdict), state(next), statement));
        ContentHashes hashes = verdict.contentHashes();
        if (restrict && hashes != null) {
            bank.addToBank(new BankEntry(hashes.sha256(), BankEntry.SHA256, CONFIRMED_CATEGORY, REVIEW_SOURCE,
                    actor.subject(), now, verdict.verdictId()));
            if (hashes.pdq() != null) {
                bank.addToBank(new BankEntry(hashes.pdq(), BankEntry.PDQ, CONFIRMED_CATEGORY, REVIEW_SOURCE,
                        actor.subject(), now, verdict.verdictId()));
            }
        }
        // Child-safety evidence stays under its legal hold even when the image is released.
        if (!restrict && verdict.placement().state() == PlacementState.QUARANTINED
                && verdict.action() != Action.CHILD_SAFETY) {
            // Only now that the restored object is recorded does the quarantine copy go.
            quarantine.removeOriginal(verdict.placement().location());
        }
        return next;
    }

    private Placement restrict(Verdict verdict, Instant now) {
        Placement current = verdict.placement();
        ObjectRef where = current.location();
        return switch (current.state()) {
            case HELD, PUBLISHED, PENDING -> {
                if (objects.head(where).isEmpty()) {
                    yield quarantine.findVerifiedCopy(where, verdict.object().content(), verdict.verdictId())
                            .map(copy -> new Placement(PlacementState.QUARANTINED, copy, now))
                            .orElse(new Placement(PlacementState.GONE, where, now));
                }
                ObjectRef copy = quarantine.copyAndVerify(where, verdict.object().content(), verdict.verdictId());
                quarantine.removeOriginal(where);
                yield new Placement(PlacementState.QUARANTINED, copy, now);
            }
            case QUARANTINE_COPIED -> {
                quarantine.removeOriginal(verdict.object().ref());
                yield new Placement(PlacementState.QUARANTINED, where, now);
            }
            case QUARANTINED, GONE, NOT_STORED -> current;
        };
    }

    private Placement release(Verdict verdict, Instant now) {
        Placement current = verdict.placement();
        return switch (current.state()) {
            case QUARANTINED, QUARANTINE_COPIED -> {
                ObjectRef restored = quarantine.restore(current.location(), verdict.object().ref(),
                        verdict.object().content(), verdict.verdictId(),
                        Map.of(VisibilityTag.KEY, VisibilityTag.APPROVED));
                yield new Placement(PlacementState.PUBLISHED, restored, now);
            }
            case HELD, PENDING, PUBLISHED -> {
                ObjectRef where = current.location();
                if (objects.head(where).isEmpty()) {
                    yield new Placement(PlacementState.GONE, where, now);
                }
                Map<String, String> tags = new LinkedHashMap<>(objects.tags(where));
                tags.put(VisibilityTag.KEY, VisibilityTag.APPROVED);
                objects.putTags(where, tags);
                yield new Placement(PlacementState.PUBLISHED, where, now);
            }
            case GONE, NOT_STORED -> current;
        };
    }

    static AuditEntry.State state(Verdict verdict) {
        return new AuditEntry.State(verdict.action(), verdict.placement().state(), verdict.review());
    }
}
