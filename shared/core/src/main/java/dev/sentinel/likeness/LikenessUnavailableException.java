package dev.sentinel.likeness;

/** The face collection, the alerts topic or the registrations could not be reached now; try again later. */
public final class LikenessUnavailableException extends RuntimeException {

    public LikenessUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
