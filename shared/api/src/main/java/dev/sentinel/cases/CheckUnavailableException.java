package dev.sentinel.cases;

/**
 * An on-demand check could not answer now (engine unavailable, queue unreachable). Nothing was published; the caller
 * may ask again.
 */
public class CheckUnavailableException extends RuntimeException {

    public CheckUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
