package dev.sentinel.cases;

import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.StoredObject;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.store.ConcurrentUpdateException;
import dev.sentinel.store.Notice;
import dev.sentinel.store.NoticeCategory;
import dev.sentinel.store.NoticeStore;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Placement;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.verdict.VisibilityTag;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takedown notices: the named object is taken out of public view at once (its approval tag replaced by
 * {@code held}), its verdict is queued for a person with the category's deadline, and receipt is acknowledged
 * with the notice id. A notice never deletes anything: a reviewer decides, and the evidence is kept.
 */
public final class NoticeService {

    /** What became of a notice, read from its verdict. */
    public record NoticeStatus(Notice notice, String status, Verdict verdict) { }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final VerdictStore verdicts;
    private final ObjectStore objects;
    private final NoticeStore notices;
    private final AuditTrail audit;
    private final NoticeDeadlines deadlines;
    private final Clock clock;

    public NoticeService(VerdictStore verdicts, ObjectStore objects, NoticeStore notices, AuditTrail audit,
                         NoticeDeadlines deadlines, Clock clock) {
        this.verdicts = verdicts;
        this.objects = objects;
        this.notices = notices;
        this.audit = audit;
        this.deadlines = deadlines;
        this.clock = clock;
    }

    public Notice receive(NoticeCategory category, ObjectRef named, Notice.Notifier notifier, String explanation,
                          boolean goodFaith, Actor receivedBy) {
        if (!goodFaith) {
            throw new InvalidCaseRequestException("a notice needs the notifier's statement that it is made in good "
                    + "faith and is accurate (goodFaith: true)");
        }
        Instant now = clock.instant();
        Instant deadline = now.plus(deadlines.of(category));
        String noticeId = "nt-" + HexFormat.of().formatHex(random16());
        Optional<Verdict> verdict = named.versionId() != null
                ? verdicts.find(Verdict.idFor(named.bucket(), named.key(), "version:" + named.versionId()))
                : verdicts.historyOf(named.bucket(), named.key()).stream().findFirst();
        Notice notice;
        if (verdict.isPresent()) {
            Verdict held = holdForReview(verdict.get(), noticeId, deadline, now);
            notice = new Notice(noticeId, category, held.object().ref(), held.verdictId(), notifier, explanation,
                    true, now, deadline, receivedBy.subject());
            notices.create(notice);
            audit.append(new AuditEntry(held.verdictId(), now, receivedBy.subject(), receivedBy.groups(),
                    "NOTICE_RECEIVED", category + " notice " + noticeId + ": " + explanation,
                    ReviewService.state(verdict.get()), ReviewService.state(held), null));
        } else {
            // Not scanned yet: hide the object now; its scan will make the verdict, which the notice then names.
            StoredObject stored = objects.head(named).orElseThrow(() -> new CaseNotFoundException(
                    "no object " + named.key() + " in bucket " + named.bucket()));
            hide(stored.ref());
            notice = new Notice(noticeId, category, stored.ref(), null, notifier, explanation, true, now, deadline,
                    receivedBy.subject());
            notices.create(notice);
        }
        audit.append(new AuditEntry(noticeId, now, receivedBy.subject(), receivedBy.groups(), "NOTICE_RECEIVED",
                explanation, null, null, null));
        return notice;
    }

    public NoticeStatus status(String noticeId) {
        Notice notice = notices.findNotice(noticeId)
                .orElseThrow(() -> new CaseNotFoundException("no notice " + noticeId));
        Verdict verdict = notice.verdictId() == null ? null : verdicts.find(notice.verdictId()).orElse(null);
        String status = verdict == null ? "RECEIVED" : switch (verdict.review()) {
            case PENDING, NOT_NEEDED -> "RECEIVED";
            case CONFIRMED -> "ACTIONED";
            case RELEASED -> "REJECTED";
            case APPEALED -> "UNDER_APPEAL";
        };
        return new NoticeStatus(notice, status, verdict);
    }

    private Verdict holdForReview(Verdict verdict, String noticeId, Instant deadline, Instant now) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Placement placement = verdict.placement();
            if (placement.state() == PlacementState.PUBLISHED) {
                hide(placement.location());
                placement = new Placement(PlacementState.HELD, placement.location(), now);
            }
            List<String> ids = new ArrayList<>(verdict.noticeIds());
            ids.add(noticeId);
            Instant due = verdict.reviewDeadline() == null || deadline.isBefore(verdict.reviewDeadline())
                    ? deadline : verdict.reviewDeadline();
            ReviewStatus review = verdict.review() == ReviewStatus.APPEALED ? ReviewStatus.APPEALED
                    : ReviewStatus.PENDING;
            Verdict next = verdict.withCase(placement, review, due, ids, verdict.decisions());
            try {
                verdicts.update(verdict, next);
                return next;
            } catch (ConcurrentUpdateException raced) {
                verdict = verdicts.find(verdict.verdictId()).orElseThrow();
            }
        }
        throw new CaseConflictException("verdict " + verdict.verdictId() + " kept changing; send the notice again");
    }

    private void hide(ObjectRef ref) {
        Map<String, String> tags = new LinkedHashMap<>(objects.tags(ref));
        tags.put(VisibilityTag.KEY, VisibilityTag.HELD);
        objects.putTags(ref, tags);
    }

    private static byte[] random16() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
