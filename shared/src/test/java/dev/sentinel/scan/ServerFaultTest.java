package dev.sentinel.scan;

import static dev.sentinel.scan.ScanFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.config.ScanSettings;
import dev.sentinel.local.aws.FaultProxy;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ObjectStore;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Action;
import dev.sentinel.policy.ReasonCode;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.testing.TestAws;
import dev.sentinel.verdict.PlacementState;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.verdict.VisibilityTag;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults injected into the servers themselves, not into the code: the S3 server stopped in the middle of a
 * quarantine, DynamoDB Local stopped between verdict writes or throttling through a proxy that answers like
 * DynamoDB under load, and the Rekognition stand-in failing with 5xx, throttling and timeouts. After recovery every
 * upload is in exactly one place, byte-identical, with exactly one verdict, and nothing was approved blind.
 */
class ServerFaultTest {

    /** Short claims so a delivery that died holding one is taken over quickly; hold on the third attempt. */
    private static final ScanSettings.Retry RETRY = new ScanSettings.Retry(Duration.ofSeconds(1), 3);
    /** Past a lapsed one-second claim, whose expiry is compared in whole seconds. */
    private static final Duration PAST_CLAIM = Duration.ofMillis(2100);

    private static LocalAws servers;
    private static FaultProxy dynamoProxy;
    private static TestAws aws;

    private final byte[] photo = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");

    @BeforeAll
    static void startServers() {
        servers = LocalAws.startDurable();
        dynamoProxy = FaultProxy.inFrontOf(servers.dynamoEndpoint());
        aws = TestAws.over(servers, dynamoProxy.endpoint(), Duration.ofMillis(700));
    }

    @AfterAll
    static void stopServers() {
        aws.clients().close();
        dynamoProxy.close();
        servers.close();
    }

    @Test
    void s3ServerStoppedMidQuarantine() {
        ScanFixture fx = new ScanFixture(aws, RETRY);
        fx.labels(photo, explicit(96));
        // Stop the server right after each S3 call the quarantine makes, from the copy to the delete.
        Set<String> quarantineCalls = Set.of("copyObject", "copyInParts", "sha256", "delete", "lock");
        int stops = stopAfterEachCall(fx, "s3-down", (calls, hook) -> {
            ObjectStore objects = Interception.after(ObjectStore.class, fx.objects(), quarantineCalls,
                    hook);
            return fx.service(objects);
        }, servers::stopS3, servers::startS3);
        assertTrue(stops >= 3, "the quarantine makes at least three S3 calls to stop after, saw " + stops);
    }

    @Test
    void dynamoDbStoppedBetweenVerdictCalls() {
        ScanFixture fx = new ScanFixture(aws, RETRY);
        fx.labels(photo, explicit(96));
        int stops = stopAfterEachCall(fx, "dynamo-down", (calls, hook) -> {
            VerdictStore verdicts = Interception.after(VerdictStore.class, fx.scanVerdicts, Set.of(), hook);
            ObjectStore objects = fx.objects();
            return new ScanService(objects, verdicts, fx.engine(), fx.policy, new Quarantine(objects,
                    fx.quarantineBucket), fx.settings, Clock.systemUTC(), StructuredLog.discard());
        }, servers::stopDynamo, servers::startDynamo);
        assertTrue(stops >= 5, "a quarantining scan makes at least five verdict-store calls, saw " + stops);
    }

    /** Builds a scan service whose watched calls report to {@code hook}. */
    private interface WatchedService {
        ScanService build(AtomicInteger calls, Interception.AfterCall hook);
    }

    /**
     * Counts the watched calls of one undisturbed scan, then for each of them scans a fresh upload, stops the server
     * right after that call returns, starts it again and redelivers: every upload must end quarantined, once.
     */
    private int stopAfterEachCall(ScanFixture fx, String scenario, WatchedService service, Runnable stop,
                                  Runnable start) {
        RecoveryLedger ledger = new RecoveryLedger();
        AtomicInteger baseline = new AtomicInteger();
        ObjectEvent first = fx.upload(scenario + "/undisturbed.jpg", photo);
        service.build(baseline, method -> baseline.incrementAndGet()).scan(first);
        ledger.check(fx, scenario + "/undisturbed.jpg", photo, PlacementState.QUARANTINED);
        int stops = 0;
        for (int stopAfter = 1; stopAfter <= baseline.get(); stopAfter++) {
            String key = scenario + "/" + stopAfter + ".jpg";
            ObjectEvent event = fx.upload(key, photo);
            AtomicInteger calls = new AtomicInteger();
            int target = stopAfter;
            boolean failed = false;
            try {
                service.build(calls, method -> {
                    if (calls.incrementAndGet() == target) {
                        stop.run();
                    }
                }).scan(event);
            } catch (RuntimeException e) {
                failed = true;
            } finally {
                start.run();
            }
            stops++;
            if (stopAfter < baseline.get()) {
                assertTrue(failed, "a scan whose server went away after call " + stopAfter + " must fail the "
                        + "delivery, not report success");
            }
            if (failed) {
                RecoveryLedger.redeliver(fx, event, 2, 3, PAST_CLAIM);
            }
            ledger.check(fx, key, photo, PlacementState.QUARANTINED);
        }
        ledger.assertNothingLostOrDuplicated(scenario + ": server stopped after each of " + baseline.get()
                + " calls, started again, delivery retried");
        return stops;
    }

    @Test
    void dynamoDbThrottlingIsRetriedWithoutLossOrDuplicates() {
        final int uploads = 8;
        ScanFixture fx = new ScanFixture(aws, RETRY);
        byte[] other = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");
        fx.labels(photo, explicit(96));
        RecoveryLedger ledger = new RecoveryLedger();
        Random random = new Random(7);
        dynamoProxy.injecting(() -> {
            double roll;
            synchronized (random) {
                roll = random.nextDouble();
            }
            return roll < 0.30 ? FaultProxy.dynamoThrottling() : roll < 0.35 ? FaultProxy.dynamoInternalError() : null;
        });
        long faultedBefore = dynamoProxy.faulted();
        try {
            for (int i = 0; i < uploads; i++) {
                byte[] content = i % 2 == 0 ? photo : other;
                // Distinct bytes per upload, so no upload reuses another's verdict by content.
                String key = "throttled/" + i + (i % 2 == 0 ? "-explicit.jpg" : "-clean.jpg");
                ObjectEvent event = fx.upload(key, content);
                RecoveryLedger.redeliver(fx, event, 1, 5, PAST_CLAIM);
            }
        } finally {
            dynamoProxy.injecting(null);
        }
        for (int i = 0; i < uploads; i++) {
            String key = "throttled/" + i + (i % 2 == 0 ? "-explicit.jpg" : "-clean.jpg");
            ledger.check(fx, key, i % 2 == 0 ? photo : other,
                    i % 2 == 0 ? PlacementState.QUARANTINED : PlacementState.PUBLISHED);
        }
        long faults = dynamoProxy.faulted() - faultedBefore;
        System.out.printf("DynamoDB throttling: %d throttled or failed requests answered on the wire%n", faults);
        assertTrue(faults >= 10, "the proxy must really have throttled requests, saw " + faults);
        ledger.assertNothingLostOrDuplicated("DynamoDB throttling");
    }

    @Test
    void rekognitionFailuresNeverApproveAndHoldOnTheLastAttempt() {
        ScanFixture fx = new ScanFixture(aws, RETRY);
        RekognitionStandIn standIn = fx.rekognition;
        RecoveryLedger ledger = new RecoveryLedger();
        AtomicLong answered = new AtomicLong();
        // Every attempt fails: 5xx, throttling, or an answer slower than the client's 700 ms attempt timeout.
        standIn.respondWith(request -> {
            long n = answered.incrementAndGet();
            return switch ((int) (n % 3)) {
                case 0 -> RekognitionStandIn.serverError();
                case 1 -> RekognitionStandIn.throttling();
                default -> RekognitionStandIn.delayed(RekognitionStandIn.moderationLabels(java.util.List.of()), 1500);
            };
        });
        String key = "engine-down/held.jpg";
        ObjectEvent event = fx.upload(key, photo);
        for (int attempt = 1; attempt < RETRY.holdAfterAttempts(); attempt++) {
            int delivery = attempt;
            assertThrows(ScanFailedException.class, () -> fx.service().scan(event, delivery),
                    "an engine that cannot answer fails the delivery so the queue retries it");
            assertTrue(fx.verdicts.historyOf(fx.uploads, key).isEmpty(), "no verdict while retries remain");
            assertFalse(isPublic(fx, key), "nothing public while the engine is down");
        }
        ScanOutcome last = fx.service().scan(event, RETRY.holdAfterAttempts());
        Verdict held = ((ScanOutcome.Decided) last).verdict();
        assertEquals(Action.REVIEW, held.action());
        assertEquals(ReasonCode.ENGINE_UNAVAILABLE, held.reasons().get(0).code());
        ledger.check(fx, key, photo, PlacementState.HELD);
        assertFalse(isPublic(fx, key));

        // The engine comes back during the retries of another upload: decided normally, exactly once.
        AtomicInteger failuresLeft = new AtomicInteger(5);
        fx.labels(photo, explicit(96));
        RekognitionStandIn.Reply explicitReply = RekognitionStandIn.moderationLabels(java.util.List.of(explicit(96)));
        standIn.respondWith(request -> failuresLeft.getAndDecrement() > 0
                ? (failuresLeft.get() % 2 == 0 ? RekognitionStandIn.serverError() : RekognitionStandIn.throttling())
                : request.operation().equals("DetectFaces") ? RekognitionStandIn.faces(java.util.List.of())
                : explicitReply);
        String recovering = "engine-down/recovers.jpg";
        ObjectEvent second = fx.upload(recovering, photo);
        RecoveryLedger.redeliver(fx, second, 1, RETRY.holdAfterAttempts(), Duration.ofMillis(10));
        Verdict decided = ledger.check(fx, recovering, photo, PlacementState.QUARANTINED);
        assertEquals(Action.QUARANTINE, decided.action());
        System.out.printf("Rekognition stand-in answered %d failing requests (5xx, throttling, timeouts)%n",
                answered.get());
        ledger.assertNothingLostOrDuplicated("Rekognition failing");
    }

    /** Public means the bucket policy would let anyone read it: the approval tag is set. */
    private static boolean isPublic(ScanFixture fx, String key) {
        return aws.s3().getObjectTagging(b -> b.bucket(fx.uploads).key(key)).tagSet().stream()
                .anyMatch(t -> t.key().equals(VisibilityTag.KEY) && t.value().equals(VisibilityTag.APPROVED));
    }
}
