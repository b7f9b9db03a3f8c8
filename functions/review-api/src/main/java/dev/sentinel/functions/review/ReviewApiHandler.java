package dev.sentinel.functions.review;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.cases.DeadlineWatch;
import dev.sentinel.runtime.Priming;
import dev.sentinel.wiring.ApiRouterBuilder;
import dev.sentinel.wiring.FunctionEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The review queue and reviewers' decisions (GET /reviews, POST /reviews/{id}/decision, previews), the transparency
 * report and the reviewer console's static files; behind the HTTP API's JWT authorizer except those files.
 */
public final class ReviewApiHandler implements RequestStreamHandler {

    /**
     * Built once per container, at class initialisation, and primed before the SnapStart snapshot. The schedule in
     * the template also invokes this function, to check the review queue and notice deadlines.
     */
    private static final class Container {
        static final FunctionEnvironment ENV = FunctionEnvironment.lambda("review-api");
        static final ApiRouterBuilder ROUTERS = ApiRouterBuilder.forFunction(ENV);
        static final Router ROUTER = ROUTERS.reviewRouter();
        static final DeadlineWatch WATCH = ROUTERS.deadlineWatch(ENV.metrics(), DeadlineWatch.DEFAULT_AT_RISK_WITHIN);
        static final Priming PRIMING = Priming.beforeSnapshot(ENV.function(), () -> ROUTER.prime("GET /reviews",
                Map.of()), ENV.log());
    }

    private final Router router;
    private final Runnable scheduled;

    public ReviewApiHandler() {
        this(Container.ROUTER, Container.WATCH::check);
    }

    /** @param scheduled the periodic check a scheduled event runs */
    public ReviewApiHandler(Router router, Runnable scheduled) {
        this.router = router;
        this.scheduled = scheduled;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpApiEvents.respond(input, output, router, scheduled, context == null ? null : context.getAwsRequestId());
    }
}
