package dev.sentinel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import dev.sentinel.metrics.EmfMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Captures what {@link EmfMetrics} prints and reads it back the way CloudWatch does: each line's directive names
 * its dimension set and metrics, and the values sit at the line's top level.
 */
public final class PrintedMetrics {

    public static final Instant FLUSHED_AT = Instant.parse("2026-03-02T09:30:00Z");

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    /** Metrics printing here, in the default namespace, stamped {@link #FLUSHED_AT}. */
    public EmfMetrics metrics(String function) {
        return new EmfMetrics(function, out, Clock.fixed(FLUSHED_AT, ZoneOffset.UTC));
    }

    public PrintStream out() {
        return out;
    }

    public String text() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** Every printed line, parsed; fails if one is not a JSON object on its own. */
    public List<JsonNode> lines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonNode node = Json.mapper().readTree(line);
                if (!node.isObject()) {
                    throw new AssertionError("not a JSON object: " + line);
                }
                lines.add(node);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + line, e);
            }
        }
        return lines;
    }

    /** The names of every metric any line defines. */
    public Set<String> metricNames() {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode line : lines()) {
            directive(line).get("Metrics").forEach(metric -> names.add(metric.get("Name").asText()));
        }
        return names;
    }

    /**
     * Every value printed for the metric with exactly these dimensions (besides {@code Function}), across all lines,
     * in order.
     */
    public List<Double> values(String metric, Map<String, String> dimensions) {
        List<Double> values = new ArrayList<>();
        for (JsonNode line : lines()) {
            JsonNode directive = directive(line);
            boolean defined = false;
            for (JsonNode definition : directive.get("Metrics")) {
                defined |= definition.get("Name").asText().equals(metric);
            }
            if (!defined || !dimensionsOf(line, directive).equals(dimensions)) {
                continue;
            }
            JsonNode value = line.get(metric);
            if (value.isArray()) {
                value.forEach(v -> values.add(v.asDouble()));
            } else {
                values.add(value.asDouble());
            }
        }
        return values;
    }

    /** The sum of {@link #values}: for a count, how many were counted. */
    public double total(String metric, Map<String, String> dimensions) {
        return values(metric, dimensions).stream().mapToDouble(Double::doubleValue).sum();
    }

    private static JsonNode directive(JsonNode line) {
        JsonNode directives = line.get("_aws").get("CloudWatchMetrics");
        if (directives.size() != 1) {
            throw new AssertionError("expected one directive per line: " + line);
        }
        return directives.get(0);
    }

    private static Map<String, String> dimensionsOf(JsonNode line, JsonNode directive) {
        Map<String, String> dimensions = new HashMap<>();
        for (JsonNode name : directive.get("Dimensions").get(0)) {
            if (!name.asText().equals(EmfMetrics.FUNCTION_DIMENSION)) {
                dimensions.put(name.asText(), line.get(name.asText()).asText());
            }
        }
        return dimensions;
    }
}
