package dev.sentinel.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sentinel.json.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Metrics as CloudWatch Embedded Metric Format: JSON lines on standard output, which Lambda sends to CloudWatch
 * Logs, where CloudWatch extracts the metrics. No agent, no API call on the scan path and no dependency beyond the
 * project's JSON mapper.
 *
 * <p>Values are buffered until {@link #flush()}, which prints one line per distinct dimension set (more when the
 * format's limits require: at most 100 metrics per line and 100 values per metric). Counts of the same name and
 * dimensions are summed into one value; durations keep every value, so CloudWatch can compute percentiles. Every
 * line carries the dimension {@value #FUNCTION_DIMENSION}, naming the function that reported.
 *
 * <p>Safe to use from several threads: recording and flushing share one lock, and a flush prints what was recorded
 * before it began, exactly once.
 */
public final class EmfMetrics implements Metrics {

    public static final String DEFAULT_NAMESPACE = "Sentinel";
    /** The dimension on every line: which function reported the values. */
    public static final String FUNCTION_DIMENSION = "Function";
    /** Namespace settings, the first one set wins: the Powertools variable, so one setting serves both. */
    static final List<String> NAMESPACE_VARIABLES = List.of("POWERTOOLS_METRICS_NAMESPACE", "METRICS_NAMESPACE");
    /** CloudWatch allows 30 dimensions in a set, one of which is always the function. */
    static final int MAX_DIMENSIONS = 29;
    private static final String RESERVED_KEY = "_aws";
    private static final int MAX_NAME_LENGTH = 255;
    private static final int MAX_DIMENSION_VALUE_LENGTH = 1024;

    /** The units this project reports, by their CloudWatch names. */
    private enum Unit {
        COUNT("Count"), MILLISECONDS("Milliseconds");

        private final String cloudWatchName;

        Unit(String cloudWatchName) {
            this.cloudWatchName = cloudWatchName;
        }
    }

    /** The values recorded for one metric name in one dimension set since the last flush. */
    private static final class Series {
        private final Unit unit;
        private final List<Double> values = new ArrayList<>();

        private Series(Unit unit) {
            this.unit = unit;
        }

        private void add(double value) {
            if (unit == Unit.COUNT && !values.isEmpty()) {
                values.set(0, values.get(0) + value);
            } else {
                values.add(value);
            }
        }
    }

    private final String namespace;
    private final String function;
    private final PrintStream out;
    private final Clock clock;
    private final Object lock = new Object();
    /** Dimension set (sorted by name) to metric name to values; guarded by {@link #lock}. */
    private Map<SortedMap<String, String>, Map<String, Series>> recorded = new LinkedHashMap<>();

    /**
     * @param namespace the CloudWatch namespace the metrics go to
     * @param function  the value of the {@value #FUNCTION_DIMENSION} dimension, e.g. {@code scan-upload}
     * @param out       where the lines go: standard output in Lambda
     * @param clock     stamps each flush
     */
    public EmfMetrics(String namespace, String function, PrintStream out, Clock clock) {
        this.namespace = requireName(namespace, "namespace");
        this.function = requireDimensionValue(FUNCTION_DIMENSION, function);
        this.out = out;
        this.clock = clock;
    }

    /** Reports to the {@value #DEFAULT_NAMESPACE} namespace. */
    public EmfMetrics(String function, PrintStream out, Clock clock) {
        this(DEFAULT_NAMESPACE, function, out, clock);
    }

    /**
     * The namespace from {@code POWERTOOLS_METRICS_NAMESPACE}, else {@code METRICS_NAMESPACE}, else
     * {@value #DEFAULT_NAMESPACE}, so a stage or a second deployment can report apart without a code change.
     */
    public static EmfMetrics fromEnvironment(Map<String, String> env, String function, PrintStream out,
                                             Clock clock) {
        String namespace = NAMESPACE_VARIABLES.stream()
                .map(env::get)
                .filter(value -> value != null && !value.isBlank())
                .map(String::strip)
                .findFirst()
                .orElse(DEFAULT_NAMESPACE);
        return new EmfMetrics(namespace, function, out, clock);
    }

    public String namespace() {
        return namespace;
    }

    @Override
    public void count(String name, double value, Map<String, String> dimensions) {
        record(name, Unit.COUNT, value, dimensions);
    }

    @Override
    public void milliseconds(String name, double value, Map<String, String> dimensions) {
        record(name, Unit.MILLISECONDS, value, dimensions);
    }

    /** Prints everything recorded since the last flush and forgets it; prints nothing when nothing was recorded. */
    @Override
    public void flush() {
        Map<SortedMap<String, String>, Map<String, Series>> flushed;
        synchronized (lock) {
            if (recorded.isEmpty()) {
                return;
            }
            flushed = recorded;
            recorded = new LinkedHashMap<>();
        }
        long timestamp = clock.millis();
        for (Map.Entry<SortedMap<String, String>, Map<String, Series>> set : flushed.entrySet()) {
            List<EmfLines.Metric> metrics = new ArrayList<>();
            set.getValue().forEach((name, series) ->
                    metrics.add(new EmfLines.Metric(name, series.unit.cloudWatchName, series.values)));
            for (Map<String, Object> line : EmfLines.of(namespace, function, timestamp, set.getKey(), metrics)) {
                print(line);
            }
        }
    }

    private void record(String name, Unit unit, double value, Map<String, String> dimensions) {
        SortedMap<String, String> dimensionSet = dimensionSet(dimensions);
        requireMetricName(name, dimensionSet);
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("metric " + name + " must be a finite number, was " + value);
        }
        synchronized (lock) {
            Series series = recorded.computeIfAbsent(dimensionSet, set -> new LinkedHashMap<>())
                    .computeIfAbsent(name, n -> new Series(unit));
            if (series.unit != unit) {
                throw new IllegalArgumentException("metric " + name + " is recorded in " + series.unit.cloudWatchName
                        + " and cannot also be recorded in " + unit.cloudWatchName);
            }
            series.add(value);
        }
    }

    private void print(Map<String, Object> line) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an EMF line of strings and numbers could not be written", e);
        }
        synchronized (out) {
            out.println(json);
        }
    }

    /** A checked, sorted copy: equal sets given in any order are one set, and print the same way every time. */
    private static SortedMap<String, String> dimensionSet(Map<String, String> dimensions) {
        if (dimensions == null || dimensions.isEmpty()) {
            return Collections.emptySortedMap();
        }
        if (dimensions.size() > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("at most " + MAX_DIMENSIONS + " dimensions besides "
                    + FUNCTION_DIMENSION + " are allowed, got " + dimensions.size());
        }
        SortedMap<String, String> set = new TreeMap<>();
        dimensions.forEach((name, value) -> {
            requireName(name, "dimension name");
            if (name.equals(FUNCTION_DIMENSION) || name.equals(RESERVED_KEY) || name.startsWith(":")) {
                throw new IllegalArgumentException("dimension name " + name + " is reserved");
            }
            set.put(name, requireDimensionValue(name, value));
        });
        return Collections.unmodifiableSortedMap(set);
    }

    private static void requireMetricName(String name, Map<String, String> dimensions) {
        requireName(name, "metric name");
        if (name.equals(FUNCTION_DIMENSION) || name.equals(RESERVED_KEY) || dimensions.containsKey(name)) {
            // Metric values and dimension values share the line's top level: one name cannot be both.
            throw new IllegalArgumentException("metric name " + name + " clashes with a dimension or reserved key");
        }
    }

    private static String requireName(String name, String what) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException(what + " must be 1 to " + MAX_NAME_LENGTH + " characters, was "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }

    private static String requireDimensionValue(String dimension, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_DIMENSION_VALUE_LENGTH) {
            throw new IllegalArgumentException("dimension " + dimension + " needs a value of 1 to "
                    + MAX_DIMENSION_VALUE_LENGTH + " characters");
        }
        return value;
    }
}
