package dev.sentinel.local;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.functions.scan.ScanUploadHandler;
import dev.sentinel.local.aws.LocalLambdaContext;
import dev.sentinel.local.emulator.EmulatedStack;
import dev.sentinel.local.emulator.EventSourceMapping;
import dev.sentinel.local.emulator.SqsEventSource;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.Engines;
import dev.sentinel.scan.ScanBatch;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.store.VerdictStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.rekognition.RekognitionClient;

/**
 * The scan function as the template deploys it, run against a stack in an emulator: its environment is the
 * template's, resolved to the names the emulator gave; the real {@link ScanUploadHandler} is built from it as Lambda's
 * container builds it; and the template's event source mapping feeds it from the scan queue, with a context whose
 * remaining time counts down from the function's timeout. No emulator runs Java functions or Rekognition: this JVM
 * runs the function, and Rekognition is the real service or an endpoint standing in for it.
 */
final class EmulatedScanFunction implements AutoCloseable {

    static final String FUNCTION = "ScanUploadFunction";

    /**
     * Where the function's Rekognition calls go.
     *
     * @param endpoint    null for Amazon Rekognition itself
     * @param credentials for those calls; unused by the embedded engine
     * @param readsS3     whether that Rekognition can read the emulator's buckets (a stand-in can; AWS cannot, so
     *                    images then go inline)
     */
    record Rekognition(URI endpoint, AwsCredentialsProvider credentials, boolean readsS3) { }

    private final Map<String, String> environment;
    private final ScanSettings settings;
    private final AwsClients clients;
    private final SqsEventSource source;

    private EmulatedScanFunction(Map<String, String> environment, ScanSettings settings, AwsClients clients,
                                 SqsEventSource source) {
        this.environment = environment;
        this.settings = settings;
        this.clients = clients;
        this.source = source;
    }

    /**
     * Builds the function and starts its event source mapping.
     *
     * @param overrides  environment values to use instead of the template's (the runner's {@code --policy})
     * @param log        where the function's structured log goes (Lambda: standard output)
     * @param retryAfter how soon a failed message is delivered again; see {@link SqsEventSource}
     */
    static EmulatedScanFunction start(EmulatedStack stack, Rekognition rekognition, Map<String, String> overrides,
                                      StructuredLog log, Duration retryAfter,
                                      Consumer<SqsEventSource.Invocation> listener) {
        Map<String, String> environment = new LinkedHashMap<>();
        stack.stack().property(FUNCTION, "Environment").path("Variables").fields()
                .forEachRemaining(v -> environment.put(v.getKey(), v.getValue().asText()));
        environment.putAll(overrides);
        // No emulator has Rekognition face collections (nor deploys the alerts topic): likeness protection is left
        // out here; LikenessLifecycleTest proves it against the Rekognition stand-in.
        ScanSettings settings = ScanSettings.fromEnvironment(environment).withLikeness(null);
        URI endpoint = stack.emulator().endpoint();
        AwsClients emulated = AwsClients.create(new AwsClients.Settings(stack.emulator().region(),
                stack.emulator().credentials(), endpoint, endpoint, null, true, 5));
        RekognitionClient rekognitionClient = settings.engine().equals("embedded") ? null
                : AwsClients.create(new AwsClients.Settings(stack.emulator().region(), rekognition.credentials(), null,
                        null, rekognition.endpoint(), false, 5)).rekognition();
        AwsClients clients = new AwsClients(emulated.s3(), emulated.dynamo(), rekognitionClient);

        ScanBatch batch;
        if (settings.engine().equals("embedded") || rekognition.readsS3()) {
            // As the function's container builds it.
            batch = ScanServiceBuilder.of(settings, clients, log, Clock.systemUTC()).batch();
        } else {
            Policy policy = new PolicyLoader().load(settings.policySource());
            batch = new ScanBatch(ScanServiceBuilder.of(settings, clients, log, Clock.systemUTC()).policy(policy)
                    .engine(Engines.named(settings.engine(), settings.cascadeEscalateAt(), rekognitionClient, policy,
                            false))
                    .rekognitionReadsS3(false).service(), log);
        }
        ScanUploadHandler handler = new ScanUploadHandler(batch);
        Duration timeout = Duration.ofSeconds(stack.stack().property(FUNCTION, "Timeout").asInt(3));
        String name = stack.stack().property(FUNCTION, "FunctionName").asText(FUNCTION);
        String arn = "arn:aws:lambda:" + stack.emulator().region().id() + ":" + stack.stack().ref("AWS::AccountId")
                + ":function:" + name;
        int memory = stack.stack().property(FUNCTION, "MemorySize").asInt(128);
        EventSourceMapping mapping = EventSourceMapping.single(stack.stack(), FUNCTION);
        SqsEventSource source = SqsEventSource.start(stack.clients().sqs(), stack.queueUrlOf(mapping.queueArn()),
                mapping, stack.emulator().region().id(), event -> {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    handler.handleRequest(new ByteArrayInputStream(event), out, LocalLambdaContext.countingDown(name, arn, memory, timeout));
                    return out.toByteArray();
                }, retryAfter, listener);
        return new EmulatedScanFunction(Map.copyOf(environment), settings, clients, source);
    }

    /** The function's environment, as the template sets it in this stack. */
    Map<String, String> environment() {
        return environment;
    }

    ScanSettings settings() {
        return settings;
    }

    SqsEventSource source() {
        return source;
    }

    /** The verdicts table, read with the function's own clients. */
    VerdictStore verdicts() {
        return new DynamoVerdictStore(clients.dynamo(), settings.verdictTable());
    }

    @Override
    public void close() {
        source.close();
        clients.close();
    }
}
