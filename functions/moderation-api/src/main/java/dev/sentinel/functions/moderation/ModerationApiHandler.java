package dev.sentinel.functions.moderation;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.api.ApiPipeline;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.api.HttpApiEvents;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.runtime.Priming;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Map;

/** On-demand checks and verdicts: POST /moderations, GET /moderations/{id}, its audit trail, an object's verdict history. Behind the HTTP API's JWT authorizer. */
public final class ModerationApiHandler implements RequestStreamHandler {

    /**
     * Built once per container, at class initialisation, and primed before the SnapStart snapshot. Checks that do
     * not fit the API's time go to the scan queue.
     */
    private static final class Container {
        static final Map<String, String> ENV = System.getenv();
        static final AwsClients CLIENTS = AwsClients.fromEnvironment(ENV);
        static final Router ROUTER = new ApiPipeline(ScanSettings.fromEnvironment(ENV),
                ApiSettings.fromEnvironment(ENV), CLIENTS, StructuredLog.stdout("moderation-api"), Clock.systemUTC())
                .moderationRouter(ApiPipeline.scanQueue(CLIENTS.sqs(), ENV.get("SCAN_QUEUE_URL")));
        static final Priming PRIMING = Priming.beforeSnapshot("moderation-api", () -> ROUTER.prime("GET /moderations/{id}",
                Map.of("id", "vd-" + "0".repeat(32))),
                StructuredLog.stdout("moderation-api"));
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
        HttpApiEvents.respond(input, output, router);
    }
}
