package dev.sentinel.engine;

/** An engine could not produce labels. The kind tells the caller whether to hold the image or to retry later. */
public class EngineException extends RuntimeException {

    public enum Kind {
        /** The engine will never accept this image (bad format, too large, corrupt): hold it for a person. */
        IMAGE_REJECTED,
        /** Throttled, timed out or failing on the engine's side after retries: try again later, keep it hidden. */
        UNAVAILABLE
    }

    private final Kind kind;

    public EngineException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public EngineException(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
