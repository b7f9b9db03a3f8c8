package dev.sentinel.likeness;

/** A registration changed between reading and writing it; read it again and retry. */
public final class RegistrationChangedException extends RuntimeException {

    public RegistrationChangedException(String message) {
        super(message);
    }
}
