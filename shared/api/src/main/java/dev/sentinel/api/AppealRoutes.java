package dev.sentinel.api;

import dev.sentinel.cases.Actor;
import dev.sentinel.store.Appeal;
import dev.sentinel.cases.AppealService;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Appeals: lodged by the uploader's application, decided by a person. */
public final class AppealRoutes {

    public record AppealRequest(String verdictId, String statement) { }

    public record AppealDecisionRequest(String decision, String reason) { }

    private final AppealService appeals;
    private final Period appealWindow;

    public AppealRoutes(AppealService appeals, Period appealWindow) {
        this.appeals = appeals;
        this.appealWindow = appealWindow;
    }

    public Router register(Router router) {
        return router
                .add("POST /appeals", Groups.UPLOADERS, this::lodge)
                .add("GET /appeals/{id}", java.util.List.of(Groups.UPLOADER_APP, Groups.REVIEWER, Groups.ADMIN),
                        this::find)
                .add("POST /appeals/{id}/decision", Groups.REVIEWERS, this::decide);
    }

    /**
     * An application appeals only decisions on its own objects and checks; that is settled before anything of the
     * verdict's state is said (a 409 would tell another application what became of it).
     */
    private ApiResponse lodge(ApiRequest request) {
        AppealRequest body = Router.body(request, AppealRequest.class);
        String verdictId = Inputs.verdictId(body.verdictId());
        String statement = Inputs.text(body.statement(), "statement", 5000);
        Actor caller = request.caller();
        if (!caller.inAny(List.of(Groups.ADMIN))
                && appeals.contested(verdictId).filter(verdict -> Owners.ownsVerdict(caller, verdict)).isEmpty()) {
            throw Owners.notYours();
        }
        return ApiResponse.json(201, Map.of("appeal", appeals.lodge(verdictId, statement, caller)));
    }

    private ApiResponse find(ApiRequest request) {
        Appeal appeal = appeals.find(Inputs.appealId(request.path("id")));
        if (!request.caller().inAny(Groups.REVIEWERS) && !request.caller().subject().equals(appeal.lodgedBy())) {
            throw ApiProblem.forbidden();
        }
        return ApiResponse.json(200, Map.of("appeal", appeal));
    }

    private ApiResponse decide(ApiRequest request) {
        String id = Inputs.appealId(request.path("id"));
        AppealDecisionRequest body = Router.body(request, AppealDecisionRequest.class);
        AppealService.Decided decided = appeals.decide(id, Inputs.oneOf(body.decision(), "decision",
                AppealService.UPHOLD, AppealService.REVERSE), Inputs.text(body.reason(), "reason", 2000),
                request.caller());
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("appeal", decided.appeal());
        response.putAll(Map.of("verdict", decided.verdict(),
                "statementOfReasons", VerdictView.of(decided.verdict(), appealWindow).statementOfReasons()));
        return ApiResponse.json(200, response);
    }
}
