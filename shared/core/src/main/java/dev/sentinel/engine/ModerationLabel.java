package dev.sentinel.engine;

import java.util.List;
import java.util.Objects;

/**
 * One detected label, shaped like Rekognition's ModerationLabel.
 *
 * @param name          label name, e.g. {@code Explicit Nudity}
 * @param parentName    parent label name, empty for a top-level (L1) label
 * @param taxonomyLevel 1, 2 or 3
 * @param confidence    0..100
 * @param contentTypes  e.g. {@code Animated}, {@code Illustrated}; empty when the engine did not say
 */
public record ModerationLabel(String name, String parentName, int taxonomyLevel, double confidence,
                              List<String> contentTypes) {

    public ModerationLabel {
        Objects.requireNonNull(name, "name");
        parentName = parentName == null ? "" : parentName;
        contentTypes = contentTypes == null ? List.of() : List.copyOf(contentTypes);
        if (confidence < 0 || confidence > 100 || Double.isNaN(confidence)) {
            throw new IllegalArgumentException("confidence must be within 0..100, was " + confidence);
        }
    }

    public ModerationLabel(String name, String parentName, int taxonomyLevel, double confidence) {
        this(name, parentName, taxonomyLevel, confidence, List.of());
    }
}
