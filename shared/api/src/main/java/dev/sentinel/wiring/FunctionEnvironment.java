package dev.sentinel.wiring;

import dev.sentinel.api.ApiSettings;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.EmfMetrics;
import dev.sentinel.metrics.Metrics;
import java.time.Clock;
import java.util.Map;

/**
 * What a function reads from its environment, read the same way by every handler: its settings, its SDK clients,
 * where it logs and where its metrics go. A handler builds one per container and hands it to a builder
 * ({@link ApiRouterBuilder}, or the scan module's {@code ScanServiceBuilder}); settings are validated when first
 * asked for.
 */
public final class FunctionEnvironment {

    private final String function;
    private final Map<String, String> env;
    private final Clock clock;
    private AwsClients clients;

    /**
     * @param function the function's name in logs and metrics, e.g. {@code scan-upload}
     * @param env      its environment variables
     */
    public FunctionEnvironment(String function, Map<String, String> env, Clock clock) {
        this.function = function;
        this.env = Map.copyOf(env);
        this.clock = clock;
    }

    /** The environment Lambda gave this container. */
    public static FunctionEnvironment lambda(String function) {
        return new FunctionEnvironment(function, System.getenv(), Clock.systemUTC());
    }

    public String function() {
        return function;
    }

    public Clock clock() {
        return clock;
    }

    public ScanSettings scanSettings() {
        return ScanSettings.fromEnvironment(env);
    }

    public ApiSettings apiSettings() {
        return ApiSettings.fromEnvironment(env);
    }

    /** The SDK clients, built on first use and then shared by everything this function builds. */
    public synchronized AwsClients clients() {
        if (clients == null) {
            clients = AwsClients.fromEnvironment(env);
        }
        return clients;
    }

    /** SDK clients whose Rekognition calls are bounded as given (the scan function's deadlines). */
    public AwsClients clients(RekognitionBounds rekognition) {
        return AwsClients.fromEnvironment(env, rekognition);
    }

    /** Likeness protection's settings, or null where no face collection is configured. */
    public LikenessSettings likenessSettings() {
        return LikenessSettings.fromEnvironment(env);
    }

    /** A variable read by name, for a function whose settings are a few table names (null when unset). */
    public String variable(String name) {
        return env.get(name);
    }

    /** {@code SCAN_QUEUE_URL}: the scan queue, for checks and rescans handed to the scan function. */
    public String scanQueueUrl() {
        return env.get("SCAN_QUEUE_URL");
    }

    /** {@code SCAN_DEAD_LETTER_QUEUE_URL}: where scans that kept failing wait for a redrive. */
    public String deadLetterQueueUrl() {
        return env.get("SCAN_DEAD_LETTER_QUEUE_URL");
    }

    /** One JSON line per event on standard output, which Lambda sends to the function's log group. */
    public StructuredLog log() {
        return StructuredLog.stdout(function);
    }

    /** Embedded metric format on standard output, under the function's name. */
    public Metrics metrics() {
        return EmfMetrics.fromEnvironment(env, function, System.out, clock);
    }
}
