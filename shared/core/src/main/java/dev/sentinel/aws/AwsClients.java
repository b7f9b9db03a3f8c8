package dev.sentinel.aws;

import dev.sentinel.config.RekognitionBounds;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The SDK clients of one container, each built on first use and then shared (they are thread-safe and expensive to
 * build). A function's jar carries only the SDK modules of the clients it calls, so a client that is never asked
 * for is never built and its classes are never loaded: nothing here may touch a service's types before its
 * accessor runs. The functions ask for their clients while their static container is built, so SnapStart's
 * snapshot still holds every client a function uses.
 *
 * <p>Endpoints are never set in code for AWS: the SDK reads {@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_S3},
 * {@code AWS_ENDPOINT_URL_DYNAMODB}, {@code AWS_ENDPOINT_URL_REKOGNITION}, {@code AWS_ENDPOINT_URL_SQS} and
 * {@code AWS_ENDPOINT_URL_SNS} itself, which is how the same build runs against LocalStack. Local runs and tests
 * that start their own servers pass endpoints explicitly.
 */
public final class AwsClients implements AutoCloseable {

    /**
     * Explicit endpoints (null = the SDK's own resolution) and the bounds of every Rekognition call (attempts, the
     * timeout of one attempt and of the whole call).
     */
    public record Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                           URI rekognitionEndpoint, boolean s3PathStyle, RekognitionBounds rekognition,
                           URI sqsEndpoint, URI snsEndpoint) {

        public static final Duration DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT = RekognitionBounds.DEFAULT.attemptTimeout();

        /** Without an explicit SNS endpoint. */
        public Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                        URI rekognitionEndpoint, boolean s3PathStyle, RekognitionBounds rekognition, URI sqsEndpoint) {
            this(region, credentials, s3Endpoint, dynamoEndpoint, rekognitionEndpoint, s3PathStyle, rekognition,
                    sqsEndpoint, null);
        }

        /** Attempts and attempt timeout given; the call as a whole may take as long as all of its attempts. */
        public Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                        URI rekognitionEndpoint, boolean s3PathStyle, int rekognitionAttempts,
                        Duration rekognitionAttemptTimeout, URI sqsEndpoint) {
            this(region, credentials, s3Endpoint, dynamoEndpoint, rekognitionEndpoint, s3PathStyle,
                    RekognitionBounds.ofAttempts(rekognitionAttempts, rekognitionAttemptTimeout), sqsEndpoint);
        }

        public Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                        URI rekognitionEndpoint, boolean s3PathStyle, int rekognitionAttempts,
                        Duration rekognitionAttemptTimeout) {
            this(region, credentials, s3Endpoint, dynamoEndpoint, rekognitionEndpoint, s3PathStyle,
                    rekognitionAttempts, rekognitionAttemptTimeout, null);
        }

        public Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                        URI rekognitionEndpoint, boolean s3PathStyle, int rekognitionAttempts) {
            this(region, credentials, s3Endpoint, dynamoEndpoint, rekognitionEndpoint, s3PathStyle,
                    rekognitionAttempts, DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT);
        }
    }

    /** Null when the clients were handed in already built. */
    private final Settings settings;
    private final SdkHttpClient http;
    private final Lazy<S3Client> s3;
    private final Lazy<DynamoDbClient> dynamo;
    private final Lazy<RekognitionClient> rekognition;
    private final Lazy<SqsClient> sqs;
    private final Lazy<SnsClient> sns;
    /** Bounds a view sets for its Rekognition calls instead of the settings' own; null for those. */
    private final RekognitionBounds rekognitionBounds;
    /** False for a view that shares its other clients with the clients it was made from. */
    private final boolean ownsShared;

    private AwsClients(Settings settings, SdkHttpClient http, S3Client s3, DynamoDbClient dynamo,
                       RekognitionClient rekognition) {
        this.settings = settings;
        this.http = http;
        this.s3 = new Lazy<>(s3);
        this.dynamo = new Lazy<>(dynamo);
        this.rekognition = new Lazy<>(rekognition);
        this.sqs = new Lazy<>(null);
        this.sns = new Lazy<>(null);
        this.rekognitionBounds = null;
        this.ownsShared = true;
    }

    private AwsClients(AwsClients shared, RekognitionBounds rekognitionBounds) {
        this.settings = shared.settings;
        this.http = shared.http;
        this.s3 = shared.s3;
        this.dynamo = shared.dynamo;
        this.rekognition = new Lazy<>(null);
        this.sqs = shared.sqs;
        this.sns = shared.sns;
        this.rekognitionBounds = rekognitionBounds;
        this.ownsShared = false;
    }

    /** Clients built elsewhere (e.g. Rekognition with other credentials than the local servers); no SQS. */
    public AwsClients(S3Client s3, DynamoDbClient dynamo, RekognitionClient rekognition) {
        this(null, null, s3, dynamo, rekognition);
    }

    /**
     * For Lambda: region and credentials from the environment, endpoints from the SDK's environment variables,
     * Rekognition calls bounded as {@code REKOGNITION_*} say ({@link RekognitionBounds#fromEnvironment(Map)}).
     */
    public static AwsClients fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, RekognitionBounds.fromEnvironment(env));
    }

    /** As {@link #fromEnvironment(Map)}, Rekognition calls bounded by {@code rekognition} (a function's own budget). */
    public static AwsClients fromEnvironment(Map<String, String> env, RekognitionBounds rekognition) {
        String region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        boolean customS3 = env.containsKey("AWS_ENDPOINT_URL_S3") || env.containsKey("AWS_ENDPOINT_URL");
        boolean pathStyle = customS3 || Boolean.parseBoolean(env.getOrDefault("S3_FORCE_PATH_STYLE", "false"));
        return create(new Settings(Region.of(region), credentials(env), null, null, null, pathStyle, rekognition,
                null));
    }

    /**
     * In Lambda without SnapStart the runtime puts the role's credentials in the environment: read them there, as
     * AWS's Lambda start-up guide for the SDK advises, rather than through the default chain, which builds its
     * profile, container and instance-metadata providers too. SnapStart functions get container credentials instead
     * (no keys in the environment) and everything outside Lambda (profiles, SSO) keeps the default chain.
     */
    static AwsCredentialsProvider credentials(Map<String, String> env) {
        boolean lambdaKeys = env.containsKey("AWS_LAMBDA_FUNCTION_NAME") && env.containsKey("AWS_ACCESS_KEY_ID")
                && env.containsKey("AWS_SECRET_ACCESS_KEY");
        return lambdaKeys ? EnvironmentVariableCredentialsProvider.create()
                : DefaultCredentialsProvider.builder().build();
    }

    /** Builds no client yet: each is built when its accessor is first called. */
    public static AwsClients create(Settings settings) {
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(20))
                .build();
        return new AwsClients(settings, http, null, null, null);
    }

    /**
     * A lone SQS client, for tools and tests that use nothing else.
     *
     * @param endpoint null for the SDK's own resolution ({@code AWS_ENDPOINT_URL_SQS} included)
     */
    public static SqsClient sqs(Region region, AwsCredentialsProvider credentials, URI endpoint) {
        return create(new Settings(region, credentials, null, null, null, false, 1,
                Settings.DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT, endpoint)).sqs();
    }

    public S3Client s3() {
        return s3.get(() -> build(S3Client.builder().forcePathStyle(settings().s3PathStyle()),
                settings().s3Endpoint()));
    }

    public DynamoDbClient dynamo() {
        return dynamo.get(() -> build(DynamoDbClient.builder(), settings().dynamoEndpoint()));
    }

    /**
     * Throttling, 5xx and attempts that time out are retried with jittered backoff; client errors (bad image) are
     * not. The whole call, retries included, ends within the bounds' call timeout: a slow Rekognition costs a scan
     * a known, bounded time. The bounds are the settings' own, or a view's ({@link #withRekognitionBounds}).
     */
    public RekognitionClient rekognition() {
        return rekognition.get(() -> {
            RekognitionBounds bounds = rekognitionBounds != null ? rekognitionBounds : settings().rekognition();
            return build(RekognitionClient.builder()
                    .overrideConfiguration(ClientOverrideConfiguration.builder()
                            .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                    .maxAttempts(bounds.attempts()).build())
                            .apiCallAttemptTimeout(bounds.attemptTimeout())
                            .apiCallTimeout(bounds.callTimeout())
                            .build()), settings().rekognitionEndpoint());
        });
    }

    /**
     * These clients with every Rekognition call bounded by {@code bounds} instead of the settings' own. The API's
     * on-demand checks use it so a check fits API Gateway's 29 seconds. The S3, DynamoDB and SQS clients are shared,
     * not built again; closing the view closes only its Rekognition client. Clients handed in already built (the
     * local runner's) have no settings to build another from, so they keep the bounds theirs was built with.
     */
    public AwsClients withRekognitionBounds(RekognitionBounds bounds) {
        return settings == null ? this : new AwsClients(this, bounds);
    }

    /** For the functions that use queues directly (operations); the scan function only receives. */
    public SqsClient sqs() {
        return sqs.get(() -> build(SqsClient.builder(), settings().sqsEndpoint()));
    }

    /** For likeness alerts (the scan function): publishes to the alerts topic only. */
    public SnsClient sns() {
        return sns.get(() -> build(SnsClient.builder(), settings().snsEndpoint()));
    }

    private <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C build(B builder, URI endpoint) {
        builder.httpClient(http).region(settings().region()).credentialsProvider(settings().credentials());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    private Settings settings() {
        if (settings == null) {
            throw new IllegalStateException("these clients were handed in already built: there are no settings "
                    + "to build another one from");
        }
        return settings;
    }

    /** Closes the clients that were built (of a view, only its own Rekognition client). */
    @Override
    public void close() {
        rekognition.close();
        if (!ownsShared) {
            return;
        }
        s3.close();
        dynamo.close();
        sqs.close();
        sns.close();
        if (http != null) {
            http.close();
        }
    }

    /**
     * One client, built by the first caller while any other waits, then returned to all without locking. Erased
     * to {@link SdkAutoCloseable}, so holding one loads no service class.
     */
    private static final class Lazy<T extends SdkAutoCloseable> {

        private volatile T client;

        Lazy(T built) {
            this.client = built;
        }

        T get(Supplier<T> build) {
            T built = client;
            if (built == null) {
                synchronized (this) {
                    built = client;
                    if (built == null) {
                        built = build.get();
                        client = built;
                    }
                }
            }
            return built;
        }

        synchronized void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
