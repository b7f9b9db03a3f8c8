package dev.sentinel.engine;

import java.util.List;

/**
 * What an engine saw in one image.
 *
 * @param engine       which engine decided (e.g. {@code rekognition}, {@code embedded}); a cascade names the one
 *                     whose answer was used
 * @param modelVersion the model version the engine reported, recorded on the verdict
 * @param labels       detected labels, possibly empty
 */
public record ModerationResult(String engine, String modelVersion, List<ModerationLabel> labels) {

    public ModerationResult {
        labels = labels == null ? List.of() : List.copyOf(labels);
    }
}
