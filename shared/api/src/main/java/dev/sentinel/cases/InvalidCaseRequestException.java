package dev.sentinel.cases;

/** A request that is well-formed JSON but cannot be acted on as it is (a bucket that is not scanned, say). */
public class InvalidCaseRequestException extends RuntimeException {

    public InvalidCaseRequestException(String message) {
        super(message);
    }
}
