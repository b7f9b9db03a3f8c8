package dev.sentinel.functions.operations;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.ApiPipeline;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.EmfMetrics;
import dev.sentinel.queue.QueueDepths;
import dev.sentinel.runtime.Priming;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
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
        static final Map<String, String> ENV = System.getenv();
        static final AwsClients CLIENTS = AwsClients.fromEnvironment(ENV);
        static final Router ROUTER = ApiPipeline.operationsRouter(ScanSettings.fromEnvironment(ENV), CLIENTS,
                CLIENTS.sqs(), ENV.get("SCAN_QUEUE_URL"), ENV.get("SCAN_DEAD_LETTER_QUEUE_URL"),
                StructuredLog.stdout("operations-api"));
        static final QueueDepths DEPTHS = new QueueDepths(CLIENTS.sqs(), ENV.get("SCAN_QUEUE_URL"),
                ENV.get("SCAN_DEAD_LETTER_QUEUE_URL"),
                EmfMetrics.fromEnvironment(ENV, "operations-api", System.out, Clock.systemUTC()));
        static final Priming PRIMING = Priming.beforeSnapshot("operations-api",
                () -> ROUTER.prime("GET /admin/redrives", Map.of()), StructuredLog.stdout("operations-api"));
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
        HttpApiEvents.respond(input, output, router, scheduled);
    }
}
