package dev.sentinel.metrics;

import java.util.Map;

/** What {@link Metrics#none()} returns: one shared instance that records nothing. */
enum DiscardedMetrics implements Metrics {
    INSTANCE;

    @Override
    public void count(String name, double value, Map<String, String> dimensions) {
    }

    @Override
    public void milliseconds(String name, double value, Map<String, String> dimensions) {
    }

    @Override
    public void flush() {
    }
}
