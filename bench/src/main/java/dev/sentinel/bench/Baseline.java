package dev.sentinel.bench;

/**
 * Another runtime that runs mobilenet_v2 on the same weights and the same input as the embedded engine, timed beside
 * it in the same JVM by {@link EngineSpeedProbe}. Built only with the {@code tensorflow} Maven profile.
 */
interface Baseline extends AutoCloseable {

    /** What runs, for the results: runtime, version, kernels. */
    String describe();

    /** The class probabilities for one {@code 224 x 224 x 3} input, with at most {@code threads} threads. */
    float[] classify(float[] input, int threads);

    @Override
    void close();
}
