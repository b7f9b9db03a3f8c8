package dev.sentinel.cases;

/** No verdict, notice or appeal has that id (or the caller may not see it, which is told the same way). */
public class CaseNotFoundException extends RuntimeException {

    public CaseNotFoundException(String message) {
        super(message);
    }
}
