package dev.sentinel.image;

/** The bytes are not an image this system can read, or one it refuses to read (too many pixels). */
public class UnreadableImageException extends RuntimeException {

    public UnreadableImageException(String message, Throwable cause) {
        super(message, cause);
    }

    public UnreadableImageException(String message) {
        super(message);
    }
}
