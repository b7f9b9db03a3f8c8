package dev.sentinel.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Lays the values of one dimension set out as EMF lines within CloudWatch's limits: a line whose directive names
 * more than {@value #MAX_METRICS_PER_DIRECTIVE} metrics, or with more than {@value #MAX_VALUES_PER_METRIC} values
 * for one metric, is rejected whole, so larger batches are spread over several lines.
 */
final class EmfLines {

    static final int MAX_METRICS_PER_DIRECTIVE = 100;
    static final int MAX_VALUES_PER_METRIC = 100;
    /** Integers up to 2^53 are exact in a double, and are printed without a fraction. */
    private static final double LARGEST_EXACT_INTEGER = 9_007_199_254_740_992d;

    /** One metric's values in a dimension set, with its CloudWatch unit name. */
    record Metric(String name, String unit, List<Double> values) {
        Metric {
            values = List.copyOf(values);
        }
    }

    private EmfLines() {
    }

    /**
     * The lines for one dimension set: the first carries each metric's first 100 values, the next the following
     * 100 of the metrics that have more, and so on; each of these is split again by 100 metrics.
     */
    static List<Map<String, Object>> of(String namespace, String function, long timestamp,
                                        SortedMap<String, String> dimensions, List<Metric> metrics) {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (int from = 0; ; from += MAX_VALUES_PER_METRIC) {
            List<Metric> slice = new ArrayList<>();
            for (Metric metric : metrics) {
                if (metric.values().size() > from) {
                    int to = Math.min(from + MAX_VALUES_PER_METRIC, metric.values().size());
                    slice.add(new Metric(metric.name(), metric.unit(), metric.values().subList(from, to)));
                }
            }
            if (slice.isEmpty()) {
                return lines;
            }
            for (int start = 0; start < slice.size(); start += MAX_METRICS_PER_DIRECTIVE) {
                List<Metric> group = slice.subList(start, Math.min(start + MAX_METRICS_PER_DIRECTIVE, slice.size()));
                lines.add(line(namespace, function, timestamp, dimensions, group));
            }
        }
    }

    private static Map<String, Object> line(String namespace, String function, long timestamp,
                                            SortedMap<String, String> dimensions, List<Metric> metrics) {
        List<String> dimensionNames = new ArrayList<>();
        dimensionNames.add(EmfMetrics.FUNCTION_DIMENSION);
        dimensionNames.addAll(dimensions.keySet());
        List<Map<String, String>> definitions = new ArrayList<>();
        for (Metric metric : metrics) {
            Map<String, String> definition = new LinkedHashMap<>();
            definition.put("Name", metric.name());
            definition.put("Unit", metric.unit());
            definitions.add(definition);
        }
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", namespace);
        directive.put("Dimensions", List.of(dimensionNames));
        directive.put("Metrics", definitions);
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", timestamp);
        aws.put("CloudWatchMetrics", List.of(directive));

        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", aws);
        line.put(EmfMetrics.FUNCTION_DIMENSION, function);
        line.putAll(dimensions);
        for (Metric metric : metrics) {
            line.put(metric.name(), metric.values().size() == 1 ? number(metric.values().get(0))
                    : metric.values().stream().map(EmfLines::number).toList());
        }
        return line;
    }

    /** Whole numbers without a fraction ({@code "Scans": 3}), everything else as it is. */
    private static Number number(double value) {
        if (value == Math.rint(value) && Math.abs(value) <= LARGEST_EXACT_INTEGER) {
            return (long) value;
        }
        return value;
    }
}
