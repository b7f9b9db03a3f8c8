package dev.sentinel.scan;

import dev.sentinel.engine.EngineException;
import dev.sentinel.engine.ImageInput;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.ModerationResult;

/**
 * Times every call of the engine it wraps and counts the calls that failed on the engine's side, so a slow or
 * failing Rekognition shows on a dashboard before the dead-letter queue fills. An image the engine refuses is not
 * an engine error: the pipeline holds it and counts it as {@link ScanMetrics#HELD}.
 */
final class MeteredEngine implements ModerationEngine {

    private final ModerationEngine engine;
    private final ScanMetrics metrics;

    MeteredEngine(ModerationEngine engine, ScanMetrics metrics) {
        this.engine = engine;
        this.metrics = metrics;
    }

    @Override
    public ModerationResult detect(ImageInput image) {
        long started = System.nanoTime();
        try {
            return engine.detect(image);
        } catch (EngineException e) {
            if (e.kind() == EngineException.Kind.UNAVAILABLE) {
                metrics.engineFailed(engine.name());
            }
            throw e;
        } catch (RuntimeException e) {
            metrics.engineFailed(engine.name());
            throw e;
        } finally {
            // Failed calls too: retries and timeouts are time the scan spent waiting.
            metrics.engineCalled(engine.name(), (System.nanoTime() - started) / 1_000_000.0);
        }
    }

    @Override
    public String name() {
        return engine.name();
    }
}
