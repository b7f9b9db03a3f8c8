package dev.sentinel.functions.notice;

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

/** Takedown notices: POST /notices, GET /notices/{id}. Behind the HTTP API's JWT authorizer. */
public final class NoticeApiHandler implements RequestStreamHandler {

    /** Built once per container, at class initialisation, and primed before the SnapStart snapshot. */
    private static final class Container {
        static final Router ROUTER = new ApiPipeline(ScanSettings.fromEnvironment(System.getenv()),
                ApiSettings.fromEnvironment(System.getenv()), AwsClients.fromEnvironment(System.getenv()),
                StructuredLog.stdout("notice-api"), Clock.systemUTC()).noticeRouter();
        static final Priming PRIMING = Priming.beforeSnapshot("notice-api", () -> ROUTER.prime("GET /notices/{id}",
                Map.of("id", "nt-" + "0".repeat(32))),
                StructuredLog.stdout("notice-api"));
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
        HttpApiEvents.respond(input, output, router);
    }
}
