package dev.sentinel.policy;

/** A policy document is missing, unreadable or invalid. The message names the document and what to fix. */
public class PolicyException extends RuntimeException {

    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
