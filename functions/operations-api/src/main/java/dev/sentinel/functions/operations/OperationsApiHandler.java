package dev.sentinel.functions.operations;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.queue.QueueDepths;
import dev.sentinel.runtime.Priming;
import dev.sentinel.wiring.ApiRouterBuilder;
import dev.sentinel.wiring.FunctionEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Admin operations on the scan queue: POST /admin/rescans (rescan a prefix after a policy change), POST and GET
 * /admin/redrives (replay the dead-letter queue). Behind the HTTP API's JWT authorizer; admins only.
 */
public final class OperationsApiHandler implements RequestStreamHandler {

    /**
     * Built once per container, at class initialisation, and primed before the SnapStart snapshot. The schedule in
     * the template also invokes this function, to report the queues' depths as metrics.
     */
    private static final class Container {
        static final FunctionEnvironment ENV = FunctionEnvironment.lambda("operations-api");
        static final Router ROUTER = ApiRouterBuilder.operationsRouter(ENV.scanSettings(), ENV.clients(),
                ENV.clients().sqs(), ENV.scanQueueUrl(), ENV.deadLetterQueueUrl(), ENV.log());
        static final QueueDepths DEPTHS = new QueueDepths(ENV.clients().sqs(), ENV.scanQueueUrl(),
                ENV.deadLetterQueueUrl(), ENV.metrics());
        static final Priming PRIMING = Priming.beforeSnapshot(ENV.function(),
                () -> ROUTER.prime("GET /admin/redrives", Map.of()), ENV.log());
    }

    private final Router router;
    private final Runnable scheduled;

    public OperationsApiHandler() {
        this(Container.ROUTER, Container.DEPTHS::check);
    }

    /** @param scheduled the periodic check a scheduled event runs */
    public OperationsApiHandler(Router router, Runnable scheduled) {
        this.router = router;
        this.scheduled = scheduled;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpApiEvents.respond(input, output, router, scheduled, context == null ? null : context.getAwsRequestId());
    }
}
