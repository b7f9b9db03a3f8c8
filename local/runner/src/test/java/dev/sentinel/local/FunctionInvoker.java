package dev.sentinel.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs in a child JVM whose class path is this class and one function's shaded jar, nothing else: builds the
 * handler as Lambda's runtime does and invokes it with each event file, writing each answer beside its event
 * ({@code <event>.response}). Any throwable, NoClassDefFoundError included, ends the JVM with status 1.
 *
 * <p>Arguments: handler class, then event files.
 */
final class FunctionInvoker {

    private FunctionInvoker() {
    }

    public static void main(String[] args) {
        try {
            RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getConstructor()
                    .newInstance();
            for (int i = 1; i < args.length; i++) {
                Path event = Path.of(args[i]);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (InputStream in = Files.newInputStream(event)) {
                    handler.handleRequest(in, out, null);
                }
                Files.write(Path.of(args[i] + ".response"), out.toByteArray());
            }
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
        // The SDK's and the function's threads would keep the JVM alive.
        System.exit(0);
    }
}
