package dev.sentinel.cases;

import dev.sentinel.store.Appeal;
import dev.sentinel.store.AppealStore;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.store.ConcurrentUpdateException;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Appeals against decisions (EU DSA art. 20): lodged within the window after the decision, one open at a time per
 * verdict, and decided only by a person: UPHOLD leaves the decision as it is, REVERSE turns it around (a
 * restricted image is published, a published one restricted). The outcome is recorded on the verdict.
 */
public final class AppealService {

    public static final String UPHOLD = "UPHOLD";
    public static final String REVERSE = "REVERSE";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ReviewService reviews;
    private final AppealStore appeals;
    private final AuditTrail audit;
    private final Clock clock;

    public AppealService(ReviewService reviews, AppealStore appeals, AuditTrail audit, Clock clock) {
        this.reviews = reviews;
        this.appeals = appeals;
        this.audit = audit;
        this.clock = clock;
    }

    public Appeal lodge(String verdictId, String statement, Actor uploader) {
        Verdict verdict = reviews.verdict(verdictId);
        if (verdict.review() == ReviewStatus.APPEALED) {
            throw new CaseConflictException("verdict " + verdictId + " already has an appeal waiting for a decision");
        }
        if (verdict.review() == ReviewStatus.PENDING) {
            throw new CaseConflictException("verdict " + verdictId + " is still waiting for a person's review; "
                    + "appeal once it is decided");
        }
        // An appeal is redress against a restriction: a published image has none to reverse, and reversing its
        // release is a takedown, which is a notice's work (the appeal function moves nothing into quarantine).
        if (!verdict.restricted()) {
            throw new CaseConflictException("verdict " + verdictId + " restricts nothing (the image is published); "
                    + "only a restriction can be appealed");
        }
        Instant decidedAt = verdict.decisions().isEmpty() ? verdict.decidedAt()
                : verdict.decisions().get(verdict.decisions().size() - 1).at();
        Instant now = clock.instant();
        Instant closes = decidedAt.atZone(ZoneOffset.UTC).plus(reviews.appealWindow()).toInstant();
        if (now.isAfter(closes)) {
            throw new CaseConflictException("the appeal window for verdict " + verdictId + " closed at " + closes);
        }
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        Appeal appeal = new Appeal("ap-" + HexFormat.of().formatHex(random), verdictId, statement,
                uploader.subject(), now, Appeal.PENDING, null, null, null, 0);
        Verdict next = verdict.withCase(verdict.placement(), ReviewStatus.APPEALED, verdict.reviewDeadline(),
                verdict.noticeIds(), verdict.decisions());
        try {
            reviews.update(verdict, next);
        } catch (ConcurrentUpdateException e) {
            throw new CaseConflictException("verdict " + verdictId + " changed while appealing; try again");
        }
        appeals.create(appeal);
        audit.append(new AuditEntry(verdictId, now, uploader.subject(), uploader.groups(), "APPEAL_LODGED",
                statement, ReviewService.state(verdict), ReviewService.state(next), null));
        return appeal;
    }

    /** The verdict an appeal of {@code verdictId} would contest, if there is one, for who may appeal to be checked. */
    public Optional<Verdict> contested(String verdictId) {
        return reviews.find(verdictId);
    }

    public Appeal find(String appealId) {
        return appeals.findAppeal(appealId).orElseThrow(() -> new CaseNotFoundException("no appeal " + appealId));
    }

    /** @return the appeal as decided and the verdict with the outcome recorded */
    public Decided decide(String appealId, String outcome, String reason, Actor reviewer) {
        Appeal appeal = find(appealId);
        if (!Appeal.PENDING.equals(appeal.status())) {
            throw new CaseConflictException("appeal " + appealId + " was already decided (" + appeal.status() + ")");
        }
        Verdict verdict = reviews.verdict(appeal.verdictId());
        boolean restrictedNow = verdict.restricted();
        boolean restrict = switch (outcome) {
            case UPHOLD -> restrictedNow;
            case REVERSE -> !restrictedNow;
            default -> throw new IllegalArgumentException("outcome must be UPHOLD or REVERSE");
        };
        Verdict recorded = reviews.record(verdict, "APPEAL", outcome, restrict, reason, reviewer, appealId);
        Appeal decided = appeal.decided(outcome.equals(UPHOLD) ? Appeal.UPHELD : Appeal.REVERSED,
                reviewer.subject(), clock.instant(), reason);
        appeals.update(appeal, decided);
        return new Decided(decided, recorded);
    }

    public record Decided(Appeal appeal, Verdict verdict) { }
}
