package dev.sentinel.quarantine;

/** Quarantining an object could not be completed safely; the original is still where it was. */
public class QuarantineException extends RuntimeException {

    public QuarantineException(String message) {
        super(message);
    }
}
