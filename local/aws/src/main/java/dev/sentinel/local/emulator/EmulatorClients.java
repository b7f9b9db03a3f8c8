package dev.sentinel.local.emulator;

import java.time.Duration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients that deploy into and inspect an emulator: what an operator's machine or an application uses, not
 * the functions' own clients.
 */
public record EmulatorClients(SdkHttpClient http, CloudFormationClient cloudFormation, S3Client s3, SqsClient sqs,
                              DynamoDbClient dynamo, KmsClient kms) implements AutoCloseable {

    public static EmulatorClients of(Emulator emulator) {
        // Long polls (20 s) must outlast the socket timeout.
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(3))
                .socketTimeout(Duration.ofSeconds(30)).build();
        return new EmulatorClients(http,
                build(CloudFormationClient.builder(), emulator, http),
                // Path-style: the emulator's one endpoint serves every bucket.
                build(S3Client.builder().forcePathStyle(true), emulator, http),
                build(SqsClient.builder(), emulator, http),
                build(DynamoDbClient.builder(), emulator, http),
                build(KmsClient.builder(), emulator, http));
    }

    private static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C build(B builder,
                                                                                             Emulator emulator,
                                                                                             SdkHttpClient http) {
        return builder.httpClient(http).region(emulator.region()).credentialsProvider(emulator.credentials())
                .endpointOverride(emulator.endpoint()).build();
    }

    @Override
    public void close() {
        cloudFormation.close();
        s3.close();
        sqs.close();
        dynamo.close();
        kms.close();
        http.close();
    }
}
