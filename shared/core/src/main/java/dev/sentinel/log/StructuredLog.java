package dev.sentinel.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.sentinel.json.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One JSON object per line, the shape CloudWatch Logs Insights queries directly. Callers pass ids, counts and
 * timings only: never image bytes, and never object keys or uploader identities in clear (see {@link #fingerprint}).
 * A line written during an invocation also carries its request and trace ids ({@link Invocation}).
 */
public final class StructuredLog {

    private final PrintStream out;
    private final Clock clock;
    private final String component;

    public StructuredLog(PrintStream out, Clock clock, String component) {
        this.out = out;
        this.clock = clock;
        this.component = component;
    }

    public static StructuredLog stdout(String component) {
        return new StructuredLog(System.out, Clock.systemUTC(), component);
    }

    /** Discards everything: for callers (like the local runner's table view) that report in their own way. */
    public static StructuredLog discard() {
        return new StructuredLog(new PrintStream(java.io.OutputStream.nullOutputStream()), Clock.systemUTC(), "none");
    }

    public void info(String event, Map<String, ?> fields) {
        write("INFO", event, fields);
    }

    public void warn(String event, Map<String, ?> fields) {
        write("WARN", event, fields);
    }

    public void error(String event, Map<String, ?> fields) {
        write("ERROR", event, fields);
    }

    /**
     * A short, stable stand-in for a value that may carry personal data (an object key often holds a user name):
     * enough to correlate log lines, not enough to read the value.
     */
    public static String fingerprint(String value) {
        if (value == null) {
            return null;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void write(String level, String event, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("level", level);
        line.put("component", component);
        line.put("event", event);
        Invocation invocation = Invocation.current();
        if (invocation != null) {
            if (invocation.requestId() != null) {
                line.put("function_request_id", invocation.requestId());
            }
            if (invocation.traceId() != null) {
                line.put("xray_trace_id", invocation.traceId());
            }
        }
        line.putAll(fields);
        try {
            String json = Json.mapper().writeValueAsString(line);
            synchronized (out) {
                out.println(json);
            }
        } catch (JsonProcessingException e) {
            out.println("{\"level\":\"ERROR\",\"event\":\"log-serialization-failed\",\"component\":\"" + component + "\"}");
        }
    }
}
