package dev.sentinel.engine.embedded;

/** The model files are missing, damaged, or describe something this engine does not implement. */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
