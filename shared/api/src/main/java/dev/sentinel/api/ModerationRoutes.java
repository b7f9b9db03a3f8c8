package dev.sentinel.api;

import dev.sentinel.cases.Actor;
import dev.sentinel.store.AuditEntry;
import dev.sentinel.store.AuditTrail;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.objects.ObjectTooLargeException;
import dev.sentinel.cases.OnDemandModeration;
import dev.sentinel.cases.OnDemandModeration.StoredCheck;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Verdict;
import java.time.Period;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code POST /moderations}, {@code GET /moderations/{id}}, its audit trail, and an object's verdict history. */
public final class ModerationRoutes {

    /** Base64 of a 6 MB request leaves at most this many image bytes. */
    public static final int MAX_INLINE_IMAGE_BYTES = 4_500_000;
    /** Seconds a caller waits before polling a queued check again: a scan usually takes a few. */
    static final String POLL_AFTER_SECONDS = "5";

    /** Body of {@code POST /moderations}: exactly one of {@code s3} and {@code image}. */
    public record ModerationRequest(S3Reference s3, String image, Boolean dryRun) { }

    public record S3Reference(String bucket, String key, String version) { }

    private final OnDemandModeration moderation;
    private final VerdictStore verdicts;
    private final AuditTrail audit;
    private final Period appealWindow;

    public ModerationRoutes(OnDemandModeration moderation, VerdictStore verdicts, AuditTrail audit,
                            Period appealWindow) {
        this.moderation = moderation;
        this.verdicts = verdicts;
        this.audit = audit;
        this.appealWindow = appealWindow;
    }

    public Router register(Router router) {
        return router
                .add("POST /moderations", Groups.UPLOADERS, this::check)
                .add("GET /moderations/{id}", java.util.List.of(Groups.UPLOADER_APP, Groups.REVIEWER, Groups.ADMIN),
                        this::find)
                .add("GET /moderations/{id}/audit", Groups.REVIEWERS, this::auditTrail)
                .add("GET /verdicts/{bucket}/{key+}", Groups.REVIEWERS, this::history);
    }

    private ApiResponse check(ApiRequest request) {
        ModerationRequest body = Router.body(request, ModerationRequest.class);
        boolean dryRun = Boolean.TRUE.equals(body.dryRun());
        if ((body.s3() == null) == (body.image() == null)) {
            throw ApiProblem.badRequest("give exactly one of 's3' (bucket, key, optional version) and 'image' "
                    + "(base64)");
        }
        Verdict verdict;
        boolean earlier = false;
        if (body.s3() != null) {
            ObjectRef ref = new ObjectRef(Inputs.bucket(body.s3().bucket()), Inputs.key(body.s3().key()),
                    body.s3().version());
            Actor caller = request.caller();
            // A dry run reveals what the engine sees in any image it is pointed at; a check, its verdict.
            if (!caller.inAny(java.util.List.of(Groups.ADMIN)) && (dryRun || !Owners.ownsKey(caller, ref.key()))) {
                throw dryRun ? new ApiProblem(403, "urn:sentinel:problem:forbidden", "Not allowed",
                        "a dry run of a stored object is for admins; send the image inline to try it")
                        : Owners.notYours();
            }
            StoredCheck check;
            try {
                check = moderation.checkStored(ref, dryRun, request.caller());
            } catch (ObjectTooLargeException e) {
                throw ApiProblem.tooLarge("the object is " + e.size() + " bytes; an on-demand check reads at most "
                        + e.limit() + " within the API's time, and a dry run cannot be queued: check it without "
                        + "dryRun (it is queued, answered 202) or upload a smaller image");
            }
            if (check instanceof StoredCheck.Queued queued) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("status", "QUEUED");
                answer.put("verdictId", queued.verdictId());
                answer.put("deferred", queued.why());
                answer.put("poll", location(queued.verdictId()));
                return pollLater(answer, queued.verdictId());
            }
            verdict = ((StoredCheck.Decided) check).verdict();
            earlier = ((StoredCheck.Decided) check).earlier();
        } else {
            byte[] image;
            try {
                image = Base64.getDecoder().decode(body.image());
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("'image' is not valid base64");
            }
            if (image.length > MAX_INLINE_IMAGE_BYTES) {
                throw ApiProblem.tooLarge("inline images are limited to " + MAX_INLINE_IMAGE_BYTES + " bytes by "
                        + "Lambda's 6 MB payload limit; upload the image and send an S3 reference instead");
            }
            verdict = moderation.checkInline(image, dryRun, request.caller().subject());
        }
        return ApiResponse.json(dryRun || earlier ? 200 : 201, Map.of("dryRun", dryRun, "verdict", verdict,
                "statementOfReasons", VerdictView.of(verdict, appealWindow).statementOfReasons()));
    }

    /**
     * A verdict, or, while a queued check of the caller's has none yet, 202 and when to ask again. An application
     * gets the same 403 for an id that has no verdict as for another's (see {@link Owners}).
     */
    private ApiResponse find(ApiRequest request) {
        Actor caller = request.caller();
        boolean reviewer = caller.inAny(Groups.REVIEWERS);
        String id = Inputs.verdictId(request.path("id"));
        Optional<Verdict> verdict = verdicts.find(id);
        if (verdict.isPresent()) {
            if (!reviewer && !Owners.ownsVerdict(caller, verdict.get()) && queuedCheck(caller, id).isEmpty()) {
                throw Owners.notYours();
            }
            return ApiResponse.json(200, VerdictView.of(verdict.get(), appealWindow));
        }
        AuditEntry queued = queuedCheck(caller, id).orElseThrow(() -> reviewer
                ? ApiProblem.notFound("no verdict " + id) : Owners.notYours());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", "QUEUED");
        answer.put("verdictId", id);
        answer.put("queuedAt", queued.at());
        return pollLater(answer, id);
    }

    /** The caller's queued check of this verdict (any one, for reviewers), from the audit trail. */
    private Optional<AuditEntry> queuedCheck(Actor caller, String verdictId) {
        boolean reviewer = caller.inAny(Groups.REVIEWERS);
        return audit.of(verdictId).stream()
                .filter(entry -> entry.what().equals(OnDemandModeration.CHECK_QUEUED))
                .filter(entry -> reviewer || entry.actor().equals(caller.subject()))
                .findFirst();
    }

    private static String location(String verdictId) {
        return "/moderations/" + verdictId;
    }

    private static ApiResponse pollLater(Map<String, Object> answer, String verdictId) {
        return new ApiResponse(202, "application/json", ApiResponse.json(202, answer).body(),
                Map.of("location", location(verdictId), "retry-after", POLL_AFTER_SECONDS));
    }

    private ApiResponse auditTrail(ApiRequest request) {
        String id = Inputs.verdictId(request.path("id"));
        verdicts.find(id).orElseThrow(() -> ApiProblem.notFound("no verdict " + id));
        return ApiResponse.json(200, Map.of("verdictId", id, "entries", audit.of(id)));
    }

    private ApiResponse history(ApiRequest request) {
        String bucket = Inputs.bucket(request.path("bucket"));
        // API Gateway names a greedy {key+} without its plus: pathParameters.key, decoded, slashes included.
        String key = Inputs.key(request.path("key"));
        return ApiResponse.json(200, Map.of("bucket", bucket, "key", key,
                "verdicts", verdicts.historyOf(bucket, key)));
    }
}
