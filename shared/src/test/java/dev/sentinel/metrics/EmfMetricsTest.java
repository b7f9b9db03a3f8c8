package dev.sentinel.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.testing.PrintedMetrics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The printed lines, parsed, against the structure CloudWatch's embedded metric format requires. */
class EmfMetricsTest {

    private final PrintedMetrics printed = new PrintedMetrics();
    private final EmfMetrics metrics = printed.metrics("scan-upload");

    @Test
    void countsOfOneNameAndDimensionSetAreSummedIntoOneLine() throws Exception {
        metrics.count("Scans", 1, Map.of());
        metrics.count("Scans", 1, Map.of());
        metrics.count("Scans", 1, null);

        metrics.flush();

        List<JsonNode> lines = printed.lines();
        assertEquals(1, lines.size());
        JsonNode expected = Json.mapper().readTree("""
                {"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Sentinel","Dimensions":[["Function"]],
                "Metrics":[{"Name":"Scans","Unit":"Count"}]}]},"Function":"scan-upload","Scans":3}
                """.formatted(PrintedMetrics.FLUSHED_AT.toEpochMilli()));
        assertEquals(expected, lines.get(0));
        assertTrue(printed.text().contains("\"Scans\":3}"), "a whole count is printed without a fraction");
    }

    @Test
    void durationsKeepEveryValueAsAnArrayWithTheirDimension() throws Exception {
        metrics.milliseconds("EngineLatency", 120, Map.of("Engine", "rekognition"));
        metrics.milliseconds("EngineLatency", 80.5, Map.of("Engine", "rekognition"));
        metrics.milliseconds("EngineLatency", 95, Map.of("Engine", "rekognition"));
        metrics.count("EngineErrors", 1, Map.of("Engine", "rekognition"));

        metrics.flush();

        List<JsonNode> lines = printed.lines();
        assertEquals(1, lines.size());
        JsonNode expected = Json.mapper().readTree("""
                {"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Sentinel",
                "Dimensions":[["Function","Engine"]],"Metrics":[{"Name":"EngineLatency","Unit":"Milliseconds"},
                {"Name":"EngineErrors","Unit":"Count"}]}]},"Function":"scan-upload","Engine":"rekognition",
                "EngineLatency":[120,80.5,95],"EngineErrors":1}
                """.formatted(PrintedMetrics.FLUSHED_AT.toEpochMilli()));
        assertEquals(expected, lines.get(0));
    }

    @Test
    void eachDistinctDimensionSetGetsItsOwnLine() {
        metrics.count("Decisions", 1, Map.of("Action", "ALLOW"));
        metrics.count("Decisions", 1, Map.of("Action", "QUARANTINE"));
        metrics.count("Decisions", 1, Map.of("Action", "ALLOW"));
        metrics.count("Scans", 3, Map.of());
        metrics.count("Held", 1, new java.util.LinkedHashMap<>(Map.of("Reason", "TOO_LARGE", "Engine", "embedded")));
        metrics.count("Held", 1, new java.util.TreeMap<>(Map.of("Reason", "TOO_LARGE", "Engine", "embedded")));

        metrics.flush();

        assertEquals(4, printed.lines().size());
        assertEquals(List.of(2.0), printed.values("Decisions", Map.of("Action", "ALLOW")));
        assertEquals(List.of(1.0), printed.values("Decisions", Map.of("Action", "QUARANTINE")));
        assertEquals(List.of(3.0), printed.values("Scans", Map.of()));
        assertEquals(List.of(2.0), printed.values("Held", Map.of("Reason", "TOO_LARGE", "Engine", "embedded")),
                "the same dimensions in another order are the same set");
        JsonNode held = printed.lines().get(3);
        assertEquals(List.of("Function", "Engine", "Reason"), names(held.get("_aws").get("CloudWatchMetrics").get(0)
                .get("Dimensions").get(0)));
    }

    @Test
    void moreThanOneHundredValuesOfAMetricAreSpreadOverLines() {
        for (int i = 0; i < 250; i++) {
            metrics.milliseconds("EngineLatency", i, Map.of("Engine", "rekognition"));
        }
        metrics.count("Scans", 250, Map.of("Engine", "rekognition"));

        metrics.flush();

        List<JsonNode> lines = printed.lines();
        assertEquals(3, lines.size());
        assertEquals(List.of(100, 100, 50), lines.stream().map(l -> l.get("EngineLatency").size()).toList());
        assertEquals(250, lines.get(0).get("Scans").asInt(), "the count goes once, with the first values");
        assertEquals(List.of(2, 1, 1), lines.stream().map(l -> directive(l).get("Metrics").size()).toList());
        List<Double> all = printed.values("EngineLatency", Map.of("Engine", "rekognition"));
        for (int i = 0; i < 250; i++) {
            assertEquals(i, all.get(i), 0.0, "values keep their order across lines");
        }
    }

    @Test
    void moreThanOneHundredMetricsInASetAreSpreadOverDirectives() {
        for (int i = 0; i < 150; i++) {
            metrics.count("Metric" + i, i, Map.of("Action", "ALLOW"));
        }

        metrics.flush();

        List<JsonNode> lines = printed.lines();
        assertEquals(2, lines.size());
        assertEquals(100, directive(lines.get(0)).get("Metrics").size());
        assertEquals(50, directive(lines.get(1)).get("Metrics").size());
        for (JsonNode line : lines) {
            for (JsonNode definition : directive(line).get("Metrics")) {
                assertTrue(line.has(definition.get("Name").asText()), "each defined metric has its value on its line");
            }
        }
        assertEquals(149, printed.total("Metric149", Map.of("Action", "ALLOW")));
    }

    @Test
    void nothingRecordedPrintsNothingAndAFlushForgetsWhatItPrinted() {
        metrics.flush();
        assertEquals("", printed.text());

        metrics.count("Scans", 1, Map.of());
        metrics.flush();
        metrics.flush();

        assertEquals(1, printed.lines().size());
    }

    @Test
    void threadsRecordingAndFlushingAtOnceLoseAndRepeatNothing() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean recording = new AtomicBoolean(true);
        try {
            List<Future<?>> recorders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String engine = t % 2 == 0 ? "rekognition" : "embedded";
                recorders.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        metrics.count("Scans", 1, Map.of());
                        metrics.milliseconds("EngineLatency", 7, Map.of("Engine", engine));
                    }
                    return null;
                }));
            }
            Future<?> flusher = pool.submit(() -> {
                start.await();
                while (recording.get()) {
                    metrics.flush();
                }
                return null;
            });
            start.countDown();
            for (Future<?> recorder : recorders) {
                recorder.get(30, TimeUnit.SECONDS);
            }
            recording.set(false);
            flusher.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        metrics.flush();

        assertEquals(threads * perThread, printed.total("Scans", Map.of()));
        assertEquals(threads / 2 * perThread, printed.values("EngineLatency", Map.of("Engine", "rekognition")).size());
        assertEquals(threads / 2 * perThread, printed.values("EngineLatency", Map.of("Engine", "embedded")).size());
        for (JsonNode line : printed.lines()) {
            JsonNode latency = line.get("EngineLatency");
            assertTrue(latency == null || !latency.isArray() || latency.size() <= 100, "at most 100 values a line");
        }
    }

    @Test
    void namespaceComesFromTheEnvironmentPowertoolsFirst() {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
        Clock clock = Clock.systemUTC();

        assertEquals("Sentinel", EmfMetrics.fromEnvironment(Map.of(), "scan-upload", nowhere, clock).namespace());
        assertEquals("Staging", EmfMetrics.fromEnvironment(Map.of("METRICS_NAMESPACE", "Staging"), "scan-upload",
                nowhere, clock).namespace());
        assertEquals("Powertools", EmfMetrics.fromEnvironment(Map.of("METRICS_NAMESPACE", "Staging",
                "POWERTOOLS_METRICS_NAMESPACE", "Powertools"), "scan-upload", nowhere, clock).namespace());
        assertEquals("Sentinel", EmfMetrics.fromEnvironment(Map.of("POWERTOOLS_METRICS_NAMESPACE", " "),
                "scan-upload", nowhere, clock).namespace(), "a blank setting is no setting");
    }

    @Test
    void namespaceFromTheEnvironmentIsTheOnePrinted() {
        EmfMetrics staged = EmfMetrics.fromEnvironment(Map.of("METRICS_NAMESPACE", "Sentinel/Staging"), "rescan",
                printed.out(), Clock.systemUTC());
        staged.count("Scans", 1, Map.of());

        staged.flush();

        JsonNode line = printed.lines().get(0);
        assertEquals("Sentinel/Staging", directive(line).get("Namespace").asText());
        assertEquals("rescan", line.get("Function").asText());
    }

    @Test
    void namesThatWouldCollideOnTheLineOrBreakTheFormatAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> metrics.count("Function", 1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> metrics.count("_aws", 1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> metrics.count("Engine", 1, Map.of("Engine", "x")));
        assertThrows(IllegalArgumentException.class, () -> metrics.count("Scans", 1, Map.of("Function", "x")));
        assertThrows(IllegalArgumentException.class, () -> metrics.count("Scans", 1, Map.of("Action", " ")));
        assertThrows(IllegalArgumentException.class, () -> metrics.count(" ", 1, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> metrics.milliseconds("Latency", Double.NaN, Map.of()));
        metrics.count("Scans", 1, Map.of());
        assertThrows(IllegalArgumentException.class, () -> metrics.milliseconds("Scans", 5, Map.of()),
                "one metric, one unit");

        metrics.flush();

        assertEquals(List.of(1.0), printed.values("Scans", Map.of()), "refused values are not recorded");
    }

    @Test
    void noMetricsRecordsNothing() {
        Metrics none = Metrics.none();
        none.count("Scans", 1, Map.of());
        none.milliseconds("EngineLatency", 1, Map.of());
        none.flush();

        assertSame(none, Metrics.none());
    }

    private static JsonNode directive(JsonNode line) {
        return line.get("_aws").get("CloudWatchMetrics").get(0);
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }
}
