package dev.sentinel.functions.notice;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.runtime.Priming;
import dev.sentinel.wiring.ApiRouterBuilder;
import dev.sentinel.wiring.FunctionEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** Takedown notices: POST /notices, GET /notices/{id}. Behind the HTTP API's JWT authorizer. */
public final class NoticeApiHandler implements RequestStreamHandler {

    /** Built once per container, at class initialisation, and primed before the SnapStart snapshot. */
    private static final class Container {
        static final FunctionEnvironment ENV = FunctionEnvironment.lambda("notice-api");
        static final Router ROUTER = ApiRouterBuilder.forFunction(ENV).noticeRouter();
        static final Priming PRIMING = Priming.beforeSnapshot(ENV.function(), () -> ROUTER.prime("GET /notices/{id}",
                Map.of("id", "nt-" + "0".repeat(32))), ENV.log());
    }

    private final Router router;

    public NoticeApiHandler() {
        this(Container.ROUTER);
    }

    public NoticeApiHandler(Router router) {
        this.router = router;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpApiEvents.respond(input, output, router, null, context == null ? null : context.getAwsRequestId());
    }
}
