package dev.sentinel.functions.review;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.ApiPipeline;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.cases.DeadlineWatch;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.EmfMetrics;
import dev.sentinel.runtime.Priming;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
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
        static final ApiSettings API = ApiSettings.fromEnvironment(System.getenv());
        static final AwsClients CLIENTS = AwsClients.fromEnvironment(System.getenv());
        static final ApiPipeline PIPELINE = new ApiPipeline(ScanSettings.fromEnvironment(System.getenv()), API,
                CLIENTS, StructuredLog.stdout("review-api"), Clock.systemUTC());
        // Likeness matches are counted from the cases table, which this function reads already.
        static final Router ROUTER = PIPELINE.reviewRouter(new dev.sentinel.store.DynamoLikenessMatches(
                CLIENTS.dynamo(), API.casesTable()));
        static final DeadlineWatch WATCH = PIPELINE.deadlineWatch(EmfMetrics.fromEnvironment(System.getenv(),
                "review-api", System.out, Clock.systemUTC()), DeadlineWatch.DEFAULT_AT_RISK_WITHIN);
        static final Priming PRIMING = Priming.beforeSnapshot("review-api", () -> ROUTER.prime("GET /reviews",
                Map.of()), StructuredLog.stdout("review-api"));
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
        HttpApiEvents.respond(input, output, router, scheduled);
    }
}
