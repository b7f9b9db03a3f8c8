package dev.sentinel.scan;

/** An invocation event is not an S3 or SQS notification this function can read at all. */
public class MalformedEventException extends RuntimeException {

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
