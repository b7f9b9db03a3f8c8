package dev.sentinel.cases;

/** The request contradicts the case's state: already decided, outside the appeal window, an appeal already open. */
public class CaseConflictException extends RuntimeException {

    public CaseConflictException(String message) {
        super(message);
    }
}
