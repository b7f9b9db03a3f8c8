package dev.sentinel.api;

import dev.sentinel.store.Notice;
import dev.sentinel.store.NoticeCategory;
import dev.sentinel.cases.NoticeService;
import dev.sentinel.objects.ObjectRef;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Takedown notices: filing one holds the object at once; its status follows the review. */
public final class NoticeRoutes {

    public record NoticeRequest(String category, ModerationRoutes.S3Reference object, Notice.Notifier notifier,
                                String explanation, Boolean goodFaith) { }

    private final NoticeService notices;

    public NoticeRoutes(NoticeService notices) {
        this.notices = notices;
    }

    public Router register(Router router) {
        return router
                .add("POST /notices", Groups.NOTIFIERS, this::receive)
                .add("GET /notices/{id}", Groups.NOTIFIERS, this::status);
    }

    private ApiResponse receive(ApiRequest request) {
        NoticeRequest body = Router.body(request, NoticeRequest.class);
        NoticeCategory category;
        try {
            category = NoticeCategory.valueOf(String.valueOf(body.category()));
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("category must be one of " + Arrays.toString(NoticeCategory.values()));
        }
        if (body.object() == null) {
            throw ApiProblem.badRequest("object (bucket, key, optional version) is required");
        }
        ObjectRef named = new ObjectRef(Inputs.bucket(body.object().bucket()), Inputs.key(body.object().key()),
                body.object().version());
        Notice.Notifier notifier = body.notifier();
        if (notifier == null || notifier.name() == null || notifier.name().isBlank()) {
            throw ApiProblem.badRequest("notifier.name is required (DSA art. 16 asks for the notifier's name and "
                    + "email, except for child sexual abuse material)");
        }
        String explanation = Inputs.text(body.explanation(), "explanation", 5000);
        if (!Boolean.TRUE.equals(body.goodFaith())) {
            throw ApiProblem.badRequest("goodFaith must be true: the notifier confirms the notice is accurate and "
                    + "made in good faith");
        }
        Notice notice = notices.receive(category, named, notifier, explanation, true, request.caller());
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("noticeId", notice.noticeId());
        ack.put("status", "RECEIVED");
        ack.put("receivedAt", notice.receivedAt());
        ack.put("deadline", notice.deadline());
        ack.put("verdictId", notice.verdictId());
        return ApiResponse.json(202, ack);
    }

    private ApiResponse status(ApiRequest request) {
        NoticeService.NoticeStatus status = notices.status(Inputs.noticeId(request.path("id")));
        if (!request.caller().inAny(Groups.REVIEWERS)
                && !request.caller().subject().equals(status.notice().receivedBy())) {
            throw ApiProblem.forbidden();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("notice", status.notice());
        body.put("status", status.status());
        if (status.verdict() != null) {
            body.put("review", status.verdict().review());
            body.put("placement", status.verdict().placement().state());
            body.put("reviewDeadline", status.verdict().reviewDeadline());
        }
        return ApiResponse.json(200, body);
    }
}
