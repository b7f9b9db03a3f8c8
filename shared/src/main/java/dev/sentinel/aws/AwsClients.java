package dev.sentinel.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients, built once per container and shared (they are thread-safe and expensive to build). Endpoints
 * are never set in code for AWS: the SDK reads {@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_S3},
 * {@code AWS_ENDPOINT_URL_DYNAMODB} and {@code AWS_ENDPOINT_URL_REKOGNITION} itself, which is how the same build
 * runs against LocalStack. Local runs and tests that start their own servers pass endpoints explicitly.
 */
public record AwsClients(S3Client s3, DynamoDbClient dynamo, RekognitionClient rekognition) implements AutoCloseable {

    /**
     * Explicit endpoints (null = the SDK's own resolution), how many attempts a Rekognition call gets and how long
     * one attempt may take before it counts as failed.
     */
    public record Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                           URI rekognitionEndpoint, boolean s3PathStyle, int rekognitionAttempts,
                           Duration rekognitionAttemptTimeout) {

        public static final Duration DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT = Duration.ofSeconds(15);

        public Settings(Region region, AwsCredentialsProvider credentials, URI s3Endpoint, URI dynamoEndpoint,
                        URI rekognitionEndpoint, boolean s3PathStyle, int rekognitionAttempts) {
            this(region, credentials, s3Endpoint, dynamoEndpoint, rekognitionEndpoint, s3PathStyle,
                    rekognitionAttempts, DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT);
        }
    }

    /** For Lambda: region and credentials from the environment, endpoints from the SDK's environment variables. */
    public static AwsClients fromEnvironment(Map<String, String> env) {
        String region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"));
        boolean customS3 = env.containsKey("AWS_ENDPOINT_URL_S3") || env.containsKey("AWS_ENDPOINT_URL");
        boolean pathStyle = customS3 || Boolean.parseBoolean(env.getOrDefault("S3_FORCE_PATH_STYLE", "false"));
        int attempts = Integer.parseInt(env.getOrDefault("REKOGNITION_MAX_ATTEMPTS", "5"));
        return create(new Settings(Region.of(region), DefaultCredentialsProvider.builder().build(), null, null, null,
                pathStyle, attempts));
    }

    public static AwsClients create(Settings settings) {
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(20))
                .build();
        var s3 = S3Client.builder().httpClient(http).region(settings.region())
                .credentialsProvider(settings.credentials())
                .forcePathStyle(settings.s3PathStyle());
        if (settings.s3Endpoint() != null) {
            s3.endpointOverride(settings.s3Endpoint());
        }
        var dynamo = DynamoDbClient.builder().httpClient(http).region(settings.region())
                .credentialsProvider(settings.credentials());
        if (settings.dynamoEndpoint() != null) {
            dynamo.endpointOverride(settings.dynamoEndpoint());
        }
        // Throttling and 5xx are retried with jittered backoff; client errors (bad image) are not.
        var rekognition = RekognitionClient.builder().httpClient(http).region(settings.region())
                .credentialsProvider(settings.credentials())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(Math.max(1, settings.rekognitionAttempts())).build())
                        .apiCallAttemptTimeout(settings.rekognitionAttemptTimeout())
                        .apiCallTimeout(Duration.ofSeconds(60))
                        .build());
        if (settings.rekognitionEndpoint() != null) {
            rekognition.endpointOverride(settings.rekognitionEndpoint());
        }
        return new AwsClients(s3.build(), dynamo.build(), rekognition.build());
    }

    /**
     * An SQS client, for the functions that use queues directly (operations); the scan function only receives.
     *
     * @param endpoint null for the SDK's own resolution ({@code AWS_ENDPOINT_URL_SQS} included)
     */
    public static SqsClient sqs(Region region, AwsCredentialsProvider credentials, URI endpoint) {
        var sqs = SqsClient.builder().region(region).credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(3))
                        .socketTimeout(Duration.ofSeconds(20)).build());
        if (endpoint != null) {
            sqs.endpointOverride(endpoint);
        }
        return sqs.build();
    }

    /** {@link #sqs} for Lambda: region and credentials from the environment. */
    public static SqsClient sqsFromEnvironment(Map<String, String> env) {
        return sqs(Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1"))),
                DefaultCredentialsProvider.builder().build(), null);
    }

    @Override
    public void close() {
        s3.close();
        dynamo.close();
        rekognition.close();
    }
}
