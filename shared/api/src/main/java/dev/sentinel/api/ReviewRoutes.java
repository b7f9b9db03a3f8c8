package dev.sentinel.api;

import dev.sentinel.cases.ReviewPreviews;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.safety.ChildSafetyReports;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;

/** The review queue and reviewers' decisions. */
public final class ReviewRoutes {

    public record DecisionRequest(String decision, String reason) { }

    private static final int MAX_PAGE = 100;

    private final ReviewService reviews;
    private final VerdictStore verdicts;
    private final ChildSafetyReports reports;
    private final ReviewPreviews previews;

    public ReviewRoutes(ReviewService reviews, VerdictStore verdicts, ChildSafetyReports reports,
                        ReviewPreviews previews) {
        this.reviews = reviews;
        this.verdicts = verdicts;
        this.reports = reports;
        this.previews = previews;
    }

    public Router register(Router router) {
        return router
                .add("GET /reviews", Groups.REVIEWERS, this::queue)
                .add("POST /reviews/{id}/decision", Groups.REVIEWERS, this::decide)
                .add("GET /reviews/{id}/preview", Groups.REVIEWERS, this::preview)
                .add("GET /child-safety-reports/{id}", java.util.List.of(Groups.ADMIN), this::report);
    }

    private ApiResponse queue(ApiRequest request) {
        ReviewStatus status = reviewStatus(request.query().getOrDefault("status", "PENDING"));
        int limit = Inputs.limit(request.query().get("limit"), 25, MAX_PAGE);
        String cursor = request.query().get("cursor");
        // A well-formed cursor from another status's listing is refused by DynamoDB.
        VerdictStore.Page<Verdict> page = CursorPages.atCursor(() -> verdicts.listByReview(status, limit, cursor));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("items", page.items());
        body.put("nextCursor", page.nextCursor());
        return ApiResponse.json(200, body);
    }

    private static ReviewStatus reviewStatus(String name) {
        try {
            return ReviewStatus.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("status must be one of PENDING, APPEALED, CONFIRMED, RELEASED, NOT_NEEDED");
        }
    }

    /** The legal team's report record for a child-safety verdict: identities and signals, never the image. */
    private ApiResponse report(ApiRequest request) {
        String id = Inputs.verdictId(request.path("id"));
        return ApiResponse.json(200, reports.findReport(id)
                .orElseThrow(() -> ApiProblem.notFound("no child-safety report for verdict " + id)));
    }

    /** A small re-encoded copy of a held image for the console; refused for child-safety items. */
    private ApiResponse preview(ApiRequest request) {
        String id = Inputs.verdictId(request.path("id"));
        try {
            return ApiResponse.json(200, previews.of(id));
        } catch (ReviewPreviews.NeverShownException e) {
            // A refusal names nothing of what was asked for, as every 403 of the API.
            throw new ApiProblem(403, "urn:sentinel:problem:never-shown", "Never shown", "a child-safety item's "
                    + "image is never shown; it is reviewed from its hashes and metadata");
        } catch (dev.sentinel.image.UnreadableImageException e) {
            throw new ApiProblem(422, "urn:sentinel:problem:no-preview", "No preview",
                    "the stored object cannot be shown as an image: " + e.getMessage());
        }
    }

    private ApiResponse decide(ApiRequest request) {
        String id = Inputs.verdictId(request.path("id"));
        DecisionRequest body = Router.body(request, DecisionRequest.class);
        String decision = Inputs.oneOf(body.decision(), "decision", ReviewService.CONFIRM, ReviewService.RELEASE);
        String reason = Inputs.text(body.reason(), "reason", 2000);
        Verdict decided = reviews.decide(id, decision, reason, request.caller());
        // A child-safety release by its first reviewer is recorded but waits for a second one.
        int status = decided.review() == ReviewStatus.PENDING ? 202 : 200;
        return ApiResponse.json(status, VerdictView.of(decided, reviews.appealWindow()));
    }
}
