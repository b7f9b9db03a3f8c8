package dev.sentinel.aws;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.RekognitionStandIn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Clients are built on first use, once per {@link AwsClients}: what a container shares between invocations.
 * Whether a function without a service's SDK module starts at all is LeanFunctionJarsTest's part (local/runner).
 */
class AwsClientsTest {

    private static AwsClients.Settings local() {
        LocalAws servers = LocalAws.shared();
        return new AwsClients.Settings(Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
                servers.s3Endpoint(), servers.dynamoEndpoint(), servers.rekognitionEndpoint(), true, 1);
    }

    @Test
    void threadsAskingAtOnceShareOneWorkingClient() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (AwsClients clients = AwsClients.create(local())) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<DynamoDbClient>> asked = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                asked.add(pool.submit(() -> {
                    go.await();
                    DynamoDbClient dynamo = clients.dynamo();
                    dynamo.listTables();
                    return dynamo;
                }));
            }
            go.countDown();
            for (Future<DynamoDbClient> each : asked) {
                assertSame(clients.dynamo(), each.get(), "every thread gets the one client the first one built");
            }
            assertSame(clients.s3(), clients.s3());
            assertSame(clients.rekognition(), clients.rekognition());
            assertSame(clients.sqs(), clients.sqs());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The API's view: its own, tighter Rekognition bounds; the other clients are the ones it was made from. */
    @Test
    void aViewBoundsItsRekognitionCallsAndSharesTheOtherClients() {
        RekognitionStandIn standIn = LocalAws.shared().rekognition();
        standIn.reset();
        standIn.respondWith(request -> RekognitionStandIn.delayed(RekognitionStandIn.moderationLabels(List.of()),
                5_000));
        try (AwsClients clients = AwsClients.create(new AwsClients.Settings(Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
                LocalAws.shared().s3Endpoint(), LocalAws.shared().dynamoEndpoint(),
                LocalAws.shared().rekognitionEndpoint(), true, 4, Duration.ofSeconds(15)))) {
            AwsClients bounded = clients.withRekognitionBounds(new RekognitionBounds(5, Duration.ofMillis(700),
                    Duration.ofMillis(1_500)));
            assertSame(clients.s3(), bounded.s3());
            assertSame(clients.dynamo(), bounded.dynamo());
            assertTrue(clients.rekognition() != bounded.rekognition(), "a Rekognition client of its own");

            long started = System.nanoTime();
            assertThrows(ApiCallTimeoutException.class, () -> bounded.rekognition().detectModerationLabels(b -> b
                    .image(i -> i.bytes(SdkBytes.fromByteArray(new byte[] {1, 2, 3})))));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 4_000, "gave up after " + millis + " ms, not after the stand-in's 5 s");
            bounded.close();
            clients.dynamo().listTables();
        } finally {
            standIn.reset();
        }
    }

    /** A Rekognition that answers later than every attempt waits ends the call at its call timeout, not later. */
    @Test
    void aSlowRekognitionCallEndsAtItsCallTimeoutWhateverAttemptsAreLeft() {
        LocalAws servers = LocalAws.shared();
        RekognitionStandIn standIn = servers.rekognition();
        standIn.reset();
        standIn.respondWith(request -> RekognitionStandIn.delayed(RekognitionStandIn.moderationLabels(List.of()),
                5_000));
        AwsClients.Settings slowToGiveUp = new AwsClients.Settings(Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")), null, null,
                servers.rekognitionEndpoint(), true, new RekognitionBounds(10, Duration.ofMillis(300),
                Duration.ofMillis(700)), null);
        try (AwsClients clients = AwsClients.create(slowToGiveUp)) {
            assertThrows(ApiCallTimeoutException.class, () -> clients.rekognition().detectModerationLabels(b -> b
                    .image(i -> i.bytes(SdkBytes.fromByteArray(new byte[] {1})))));
            long sent = standIn.count("DetectModerationLabels");
            assertTrue(sent >= 1 && sent < 10, "the call ended before its ten attempts: " + sent + " sent");
        } finally {
            standIn.reset();
        }
    }

    @Test
    void clientsHandedInAreUsedAsTheyAreAndNoneIsBuiltBeside() {
        try (AwsClients built = AwsClients.create(local())) {
            AwsClients handedIn = new AwsClients(built.s3(), built.dynamo(), built.rekognition());
            assertSame(built.s3(), handedIn.s3());
            assertSame(built.dynamo(), handedIn.dynamo());
            assertSame(built.rekognition(), handedIn.rekognition());
            IllegalStateException noSqs = assertThrows(IllegalStateException.class, handedIn::sqs);
            assertTrue(noSqs.getMessage().contains("handed in already built"), noSqs.getMessage());
        }
    }

    @Test
    void lambdaKeysAreReadFromTheEnvironmentAndEverythingElseUsesTheDefaultChain() {
        java.util.Map<String, String> lambda = java.util.Map.of("AWS_LAMBDA_FUNCTION_NAME", "review-api",
                "AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token");
        assertTrue(AwsClients.credentials(lambda) instanceof EnvironmentVariableCredentialsProvider);
        // SnapStart: container credentials, no keys in the environment.
        assertTrue(AwsClients.credentials(java.util.Map.of("AWS_LAMBDA_FUNCTION_NAME", "review-api",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9001/2021-04-23/credentials"))
                instanceof DefaultCredentialsProvider);
        // A workstation or CI with keys (or a profile): the default chain, as before.
        assertTrue(AwsClients.credentials(java.util.Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY",
                "secret")) instanceof DefaultCredentialsProvider);
    }
}
