package dev.sentinel.api;

import dev.sentinel.cases.Actor;
import dev.sentinel.cases.AuditTrail;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.scan.OnDemandModeration;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.Verdict;
import java.time.Period;
import java.util.Base64;
import java.util.Map;

/** {@code POST /moderations}, {@code GET /moderations/{id}}, its audit trail, and an object's verdict history. */
public final class ModerationRoutes {

    /** Base64 of a 6 MB request leaves at most this many image bytes. */
    public static final int MAX_INLINE_IMAGE_BYTES = 4_500_000;

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
        if (body.s3() != null) {
            ObjectRef ref = new ObjectRef(Inputs.bucket(body.s3().bucket()), Inputs.key(body.s3().key()),
                    body.s3().version());
            verdict = moderation.checkStored(ref, dryRun, request.caller().subject());
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
        return ApiResponse.json(dryRun ? 200 : 201, Map.of("dryRun", dryRun, "verdict", verdict,
                "statementOfReasons", VerdictView.of(verdict, appealWindow).statementOfReasons()));
    }

    private ApiResponse find(ApiRequest request) {
        Verdict verdict = visible(request.caller(), Inputs.verdictId(request.path("id")));
        return ApiResponse.json(200, VerdictView.of(verdict, appealWindow));
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

    /** Uploader applications see only the verdicts they asked for; reviewers and admins see all. */
    private Verdict visible(Actor caller, String id) {
        Verdict verdict = verdicts.find(id).orElseThrow(() -> ApiProblem.notFound("no verdict " + id));
        if (!caller.inAny(Groups.REVIEWERS) && !caller.subject().equals(verdict.requestedBy())) {
            throw ApiProblem.forbidden();
        }
        return verdict;
    }
}
