package dev.sentinel.api;

/**
 * An error answered to the caller as an RFC 9457 problem document: {@code type}, {@code title}, {@code detail},
 * {@code status}. Nothing else from the request or the data is echoed.
 */
public class ApiProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;

    public ApiProblem(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "urn:sentinel:problem:invalid-request", "The request is not valid", detail);
    }

    public static ApiProblem forbidden() {
        return new ApiProblem(403, "urn:sentinel:problem:forbidden", "Not allowed",
                "The caller's groups do not allow this operation.");
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "urn:sentinel:problem:not-found", "Not found", detail);
    }

    public static ApiProblem conflict(String detail) {
        return new ApiProblem(409, "urn:sentinel:problem:conflict", "Conflicts with the current state", detail);
    }

    /** An error nobody planned for: no detail of it, only an incident id the logs carry too. */
    public static ApiProblem internal(String incident) {
        return new ApiProblem(500, "urn:sentinel:problem:internal", "Something went wrong on our side",
                "an unexpected error; quote incident " + incident + " when reporting it");
    }

    public static ApiProblem tooLarge(String detail) {
        return new ApiProblem(413, "urn:sentinel:problem:too-large", "The request is too large", detail);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }
}
