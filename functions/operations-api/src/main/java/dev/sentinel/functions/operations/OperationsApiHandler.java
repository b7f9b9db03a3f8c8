package dev.sentinel.functions.operations;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.ApiPipeline;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.runtime.Priming;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Admin operations on the scan queue: POST /admin/rescans (rescan a prefix after a policy change), POST and GET
 * /admin/redrives (replay the dead-letter queue). Behind the HTTP API's JWT authorizer; admins only.
 */
public final class OperationsApiHandler implements RequestStreamHandler {

    /** Built once per container, at class initialisation, and primed before the SnapStart snapshot. */
    private static final class Container {
        static final Router ROUTER = router(System.getenv());
        static final Priming PRIMING = Priming.beforeSnapshot("operations-api", () -> ROUTER.prime("GET /admin/redrives", Map.of()),
                StructuredLog.stdout("operations-api"));

        private static Router router(Map<String, String> env) {
            return ApiPipeline.operationsRouter(ScanSettings.fromEnvironment(env), AwsClients.fromEnvironment(env),
                    AwsClients.sqsFromEnvironment(env), env.get("SCAN_QUEUE_URL"),
                    env.get("SCAN_DEAD_LETTER_QUEUE_URL"), StructuredLog.stdout("operations-api"));
        }
    }

    private final Router router;

    public OperationsApiHandler() {
        this(Container.ROUTER);
    }

    public OperationsApiHandler(Router router) {
        this.router = router;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HttpApiEvents.respond(input, output, router);
    }
}
