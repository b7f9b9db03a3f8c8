package dev.sentinel.bench;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The cold-start baseline: a Java handler that answers at once, with no clients, policy or JSON library. */
public final class TrivialHandler implements RequestStreamHandler {

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        output.write("{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
