package dev.sentinel.log;

/**
 * The invocation a thread is serving, whose ids every {@link StructuredLog} line carries: Lambda's request id and,
 * when tracing is on, the X-Ray trace id, the fields an operator searches a log group by. A handler begins one per
 * invocation and closes it when the invocation ends; lines written outside one (priming, tools) carry neither.
 */
public final class Invocation implements AutoCloseable {

    /** Set by the Lambda Java runtime for each invocation when the function traces with X-Ray. */
    static final String TRACE_HEADER_PROPERTY = "com.amazonaws.xray.traceHeader";
    static final String TRACE_HEADER_VARIABLE = "_X_AMZN_TRACE_ID";

    private static final ThreadLocal<Invocation> CURRENT = new ThreadLocal<>();

    private final String requestId;
    private final String traceId;
    private final Invocation enclosing;

    private Invocation(String requestId, String traceId, Invocation enclosing) {
        this.requestId = requestId;
        this.traceId = traceId;
        this.enclosing = enclosing;
    }

    /**
     * Begins the invocation with this request id (null outside Lambda, e.g. in a test without a context); the
     * trace id is read from what Lambda set for it.
     */
    public static Invocation begin(String requestId) {
        String header = System.getProperty(TRACE_HEADER_PROPERTY);
        if (header == null || header.isBlank()) {
            header = System.getenv(TRACE_HEADER_VARIABLE);
        }
        Invocation invocation = new Invocation(requestId, rootOf(header), CURRENT.get());
        CURRENT.set(invocation);
        return invocation;
    }

    /** The invocation this thread is serving, or null. */
    static Invocation current() {
        return CURRENT.get();
    }

    String requestId() {
        return requestId;
    }

    String traceId() {
        return traceId;
    }

    @Override
    public void close() {
        if (enclosing == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(enclosing);
        }
    }

    /** The trace id in an X-Ray trace header ({@code Root=1-…;Parent=…;Sampled=1}); null when there is none. */
    static String rootOf(String header) {
        if (header == null) {
            return null;
        }
        for (String part : header.split(";")) {
            String field = part.trim();
            if (field.startsWith("Root=") && field.length() > "Root=".length()) {
                return field.substring("Root=".length());
            }
        }
        return null;
    }
}
