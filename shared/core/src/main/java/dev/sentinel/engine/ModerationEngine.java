package dev.sentinel.engine;

/**
 * Something that looks at an image and names what unsafe content it sees, in the shape of
 * Rekognition's moderation labels (taxonomy v7) so one policy applies whichever engine ran.
 */
public interface ModerationEngine {

    /**
     * @throws EngineException with {@link EngineException.Kind#IMAGE_REJECTED} when the engine will never accept
     *     this image (the caller holds it for review), or {@link EngineException.Kind#UNAVAILABLE} when a later
     *     attempt may succeed (the caller retries; the object stays non-public meanwhile).
     */
    ModerationResult detect(ImageInput image);

    /** Short stable name recorded on every verdict, e.g. {@code rekognition}. */
    String name();
}
