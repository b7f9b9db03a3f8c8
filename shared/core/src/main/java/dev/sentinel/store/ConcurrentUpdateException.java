package dev.sentinel.store;

/** A conditional write lost a race: the stored record changed since it was read. */
public class ConcurrentUpdateException extends RuntimeException {

    public ConcurrentUpdateException(String message) {
        super(message);
    }
}
