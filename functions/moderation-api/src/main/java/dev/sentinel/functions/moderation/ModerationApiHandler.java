package dev.sentinel.functions.moderation;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.runtime.Priming;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.wiring.ApiRouterBuilder;
import dev.sentinel.wiring.FunctionEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** On-demand checks and verdicts: POST /moderations, GET /moderations/{id}, its audit trail, an object's verdict history. Behind the HTTP API's JWT authorizer. */
public final class ModerationApiHandler implements RequestStreamHandler {

    /**
     * Built once per container, at class initialisation, and primed before the SnapStart snapshot. Checks that do
     * not fit the API's time go to the scan queue.
     */
    private static final class Container {
        static final FunctionEnvironment ENV = FunctionEnvironment.lambda("moderation-api");
        static final ApiRouterBuilder ROUTERS = ApiRouterBuilder.forFunction(ENV);
        static final Router ROUTER = ROUTERS.moderationRouter(ScanServiceBuilder.onDemand(ROUTERS,
                ApiRouterBuilder.scanQueue(ENV.clients().sqs(), ENV.scanQueueUrl())));
        static final Priming PRIMING = Priming.beforeSnapshot(ENV.function(),
                () -> ROUTER.prime("GET /moderations/{id}", Map.of("id", "vd-" + "0".repeat(32))), ENV.log());
    }

    private final Router router;

    public ModerationApiHandler() {
        this(Container.ROUTER);
    }

    public ModerationApiHandler(Router router) {
        this.router = router;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpApiEvents.respond(input, output, router, null, context == null ? null : context.getAwsRequestId());
    }
}
