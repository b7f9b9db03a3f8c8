package dev.sentinel.functions.notice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.api.Router;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.LocalLambdaContext;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.testing.ApiFixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operators find an invocation's lines by the request id Lambda gave it, and its trace by the X-Ray trace id. */
class InvocationLogTest {

    private static final String TRACE_HEADER = "com.amazonaws.xray.traceHeader";

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final NoticeApiHandler handler = new NoticeApiHandler(new Router(new StructuredLog(
            new PrintStream(written, true, StandardCharsets.UTF_8), Clock.systemUTC(), "notice-api")));

    @Test
    void everyLineOfAnInvocationCarriesTheRequestIdOfItsContext() throws IOException {
        LocalLambdaContext first = context();
        LocalLambdaContext second = context();
        assertNotEquals(first.getAwsRequestId(), second.getAwsRequestId());

        invoke(first);
        List<JsonNode> firstLines = lines();
        invoke(second);
        List<JsonNode> secondLines = lines().subList(firstLines.size(), lines().size());

        assertFalse(firstLines.isEmpty());
        assertFalse(secondLines.isEmpty());
        firstLines.forEach(line -> assertEquals(first.getAwsRequestId(), line.path("function_request_id").asText(),
                line.toString()));
        secondLines.forEach(line -> assertEquals(second.getAwsRequestId(), line.path("function_request_id").asText(),
                line.toString()));
    }

    @Test
    void linesCarryTheTraceIdWhenLambdaTraces() throws IOException {
        System.setProperty(TRACE_HEADER, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        try {
            invoke(context());
        } finally {
            System.clearProperty(TRACE_HEADER);
        }
        lines().forEach(line -> assertEquals("1-5759e988-bd862e3fe1be46a994272793",
                line.path("xray_trace_id").asText(), line.toString()));
    }

    @Test
    void linesOutsideAnInvocationCarryNoRequestId() throws IOException {
        invoke(context());
        StructuredLog after = new StructuredLog(new PrintStream(written, true, StandardCharsets.UTF_8),
                Clock.systemUTC(), "notice-api");
        after.info("after-the-invocation", java.util.Map.of());
        List<JsonNode> all = lines();
        assertFalse(all.get(all.size() - 1).has("function_request_id"));
    }

    private void invoke(LocalLambdaContext context) throws IOException {
        byte[] event = Json.mapper().writeValueAsBytes(ApiFixture.sample("api-get-notice.json"));
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), context);
    }

    private static LocalLambdaContext context() {
        return LocalLambdaContext.countingDown("NoticeApiFunction", "arn:aws:lambda:us-east-1:000000000000:function:"
                + "NoticeApiFunction", 512, Duration.ofSeconds(29));
    }

    private List<JsonNode> lines() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : written.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(Json.mapper().readTree(line));
            }
        }
        return lines;
    }
}
