package dev.sentinel.local.aws;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.time.Duration;
import java.util.UUID;
import java.util.function.IntSupplier;

/**
 * What Lambda passes a handler, as far as the functions read it: above all the time left, which a scan batch
 * plans its deliveries by. The functions log through their own structured log, so the Lambda logger discards.
 */
public final class LocalLambdaContext implements Context {

    private final String functionName;
    private final String arn;
    private final int memoryMb;
    private final IntSupplier remainingMillis;
    private final String requestId = UUID.randomUUID().toString();

    /** @param remainingMillis the time left, from whatever clock the caller keeps (a test's, or the wall clock) */
    public LocalLambdaContext(String functionName, String arn, int memoryMb, IntSupplier remainingMillis) {
        this.functionName = functionName;
        this.arn = arn;
        this.memoryMb = memoryMb;
        this.remainingMillis = remainingMillis;
    }

    /** An invocation whose time left counts down on the wall clock from {@code timeout}, as Lambda's does. */
    public static LocalLambdaContext countingDown(String functionName, String arn, int memoryMb, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return new LocalLambdaContext(functionName, arn, memoryMb,
                () -> (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
    }

    @Override
    public int getRemainingTimeInMillis() {
        return remainingMillis.getAsInt();
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local";
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return arn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getMemoryLimitInMB() {
        return memoryMb;
    }

    @Override
    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            @Override
            public void log(String message) {
                // The functions log through their own structured log.
            }

            @Override
            public void log(byte[] message) {
                // As above.
            }
        };
    }
}
