package dev.sentinel.scan;

/**
 * Scanning could not finish this time (engine unavailable, storage error). Nothing was approved: the object stays
 * non-public, and the platform retries the delivery.
 */
public class ScanFailedException extends RuntimeException {

    public ScanFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
