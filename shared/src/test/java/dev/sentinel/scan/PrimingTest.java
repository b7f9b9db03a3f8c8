package dev.sentinel.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.api.ApiRequest;
import dev.sentinel.api.ApiResponse;
import dev.sentinel.api.Groups;
import dev.sentinel.api.Router;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.runtime.Priming;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;

/** SnapStart priming: it runs through the CRaC hook Lambda calls, reads real stores and writes nothing. */
class PrimingTest {

    @Test
    void scanPrimingReadsTheStoresButWritesNothingAndCallsNoEngine() {
        ScanFixture fixture = new ScanFixture();
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Priming priming = Priming.beforeSnapshot("scan-upload", fixture.service()::prime, log(logged));

        priming.run();

        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("\"primed\""), logged::toString);
        assertEquals(0, fixture.aws.clients().dynamo().scan(ScanRequest.builder().tableName(fixture.table).build())
                .count(), "priming wrote a verdict");
        assertTrue(fixture.aws.s3().listObjectVersions(ListObjectVersionsRequest.builder()
                .bucket(fixture.quarantineBucket).build()).versions().isEmpty(), "priming wrote to quarantine");
        assertEquals(0, fixture.rekognition.requests().size(), "priming called the engine");
    }

    @Test
    void theCheckpointHookRunsThePriming() throws Exception {
        List<String> ran = new ArrayList<>();
        org.crac.Resource resource = Priming.beforeSnapshot("test", () -> ran.add("primed"), StructuredLog.discard());

        // What the CRaC runtime calls on every registered resource before Lambda snapshots the container.
        resource.beforeCheckpoint(null);
        resource.afterRestore(null);

        assertEquals(List.of("primed"), ran);
    }

    @Test
    void aFailingPrimingIsLoggedAndDoesNotStopTheSnapshot() {
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Priming priming = Priming.beforeSnapshot("test", () -> {
            throw new IllegalStateException("table is missing");
        }, log(logged));

        priming.run();

        String line = logged.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains("priming-failed") && line.contains("IllegalStateException"), line);
        assertFalse(line.contains("table is missing"), "messages may carry names; only the type is logged");
    }

    @Test
    void routerPrimingAnswersOneReadAsACallerInEveryGroupAndRefusesWrites() {
        List<ApiRequest> seen = new ArrayList<>();
        Router router = new Router(StructuredLog.discard())
                .add("GET /notices/{id}", Groups.NOTIFIERS, request -> {
                    seen.add(request);
                    return ApiResponse.json(404, Map.of());
                })
                .add("POST /notices", Groups.NOTIFIERS, request -> {
                    throw new AssertionError("priming must not write");
                });

        router.prime("GET /notices/{id}", Map.of("id", "nt-" + "0".repeat(32)));

        assertEquals(1, seen.size());
        assertEquals("nt-" + "0".repeat(32), seen.get(0).path("id"));
        assertTrue(seen.get(0).caller().inAny(Groups.NOTIFIERS));
        assertThrows(IllegalArgumentException.class, () -> router.prime("POST /notices", Map.of()));
    }

    private static StructuredLog log(ByteArrayOutputStream sink) {
        return new StructuredLog(new PrintStream(sink, true, StandardCharsets.UTF_8), Clock.systemUTC(), "test");
    }
}
