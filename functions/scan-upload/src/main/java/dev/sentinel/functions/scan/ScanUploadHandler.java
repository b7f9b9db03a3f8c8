package dev.sentinel.functions.scan;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.sentinel.json.Json;
import dev.sentinel.log.Invocation;
import dev.sentinel.runtime.Priming;
import dev.sentinel.scan.Delivery;
import dev.sentinel.scan.LambdaBatchResponse;
import dev.sentinel.scan.S3Notifications;
import dev.sentinel.scan.ScanBatch;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.wiring.FunctionEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Scan on upload. Takes S3 notifications through SQS (production: partial batch failures, dead-letter queue) or
 * directly from S3 (for {@code sam local invoke -e events/s3-put-jpeg.json}), and hands them to the core library.
 * A stream handler, so a malformed event gets a clear error from our parser rather than a serializer's stack trace.
 */
public final class ScanUploadHandler implements RequestStreamHandler {

    /**
     * Built once per container, at class initialisation, and primed before the SnapStart snapshot. Metrics go to
     * standard output as embedded metric format, flushed at the end of each batch.
     */
    private static final class Container {
        static final FunctionEnvironment ENV = FunctionEnvironment.lambda("scan-upload");
        static final ScanBatch BATCH = ScanServiceBuilder.forFunction(ENV).batch();
        static final Priming PRIMING = Priming.beforeSnapshot(ENV.function(), BATCH::prime, ENV.log());
    }

    private final ScanBatch batch;

    public ScanUploadHandler() {
        this(Container.BATCH);
    }

    public ScanUploadHandler(ScanBatch batch) {
        this.batch = batch;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        // No context outside Lambda (tests, tools): no request id and no deadline either.
        try (Invocation invocation = Invocation.begin(context == null ? null : context.getAwsRequestId())) {
            List<Delivery> deliveries = S3Notifications.parse(input);
            ScanBatch.Report report = context == null ? batch.run(deliveries)
                    : batch.run(deliveries, context::getRemainingTimeInMillis);
            Json.mapper().writeValue(output, LambdaBatchResponse.of(deliveries, report));
        }
    }
}
