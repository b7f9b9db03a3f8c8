package dev.sentinel.local.emulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * An AWS emulator to deploy the template into: moto's server started here on a loopback port (the default; moto is
 * Python, {@code pip install "moto[server]"}), or one already running that the environment points at
 * ({@code SENTINEL_EMULATOR=localstack}, or the SDK's standard {@code AWS_ENDPOINT_URL}). Either way every service is
 * one endpoint, reached with made-up credentials; neither checks signatures or IAM.
 */
public final class Emulator implements AutoCloseable {

    /** Where LocalStack listens unless {@code AWS_ENDPOINT_URL} says otherwise. */
    public static final URI LOCALSTACK_DEFAULT = URI.create("http://localhost:4566");
    public static final Region REGION = Region.US_EAST_1;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final URI endpoint;
    private final Process process;
    private final Path log;
    /** Stops moto if the JVM ends first (Ctrl-C on a watching runner, a test JVM that dies): no server outlives it. */
    private final Thread stopOnExit;

    private Emulator(String name, URI endpoint, Process process, Path log) {
        this.name = name;
        this.endpoint = endpoint;
        this.process = process;
        this.log = log;
        this.stopOnExit = process == null ? null : new Thread(process::destroy, "stop-" + name.replace(' ', '-'));
        if (stopOnExit != null) {
            Runtime.getRuntime().addShutdownHook(stopOnExit);
        }
    }

    /** Which emulator the environment asks for, or why none can be had. */
    public sealed interface Choice {
        /** Starts the emulator (moto) or checks that it answers (LocalStack, an endpoint); throws when it cannot. */
        record Available(String description, java.util.function.Supplier<Emulator> start) implements Choice { }

        /** Nothing to deploy into; the reason says what to install or start, in one line. */
        record Unavailable(String reason) implements Choice { }
    }

    /**
     * Reads {@code SENTINEL_EMULATOR} ({@code moto}, the default, or {@code localstack}) and {@code AWS_ENDPOINT_URL}.
     *
     * @param port moto's port; 0 for a free one (ignored for an emulator that is already running)
     */
    public static Choice choose(Map<String, String> env, int port) {
        String wanted = env.getOrDefault("SENTINEL_EMULATOR", "").trim().toLowerCase(java.util.Locale.ROOT);
        String endpoint = env.getOrDefault("AWS_ENDPOINT_URL", "").trim();
        if (wanted.equals("localstack")) {
            URI uri = endpoint.isEmpty() ? LOCALSTACK_DEFAULT : URI.create(endpoint);
            if (!answers(uri.resolve("/_localstack/health"))) {
                return new Choice.Unavailable("SENTINEL_EMULATOR=localstack, but no LocalStack answers at " + uri
                        + " (start it: docker compose -f local/emulator/compose.yaml up -d)");
            }
            return new Choice.Available("LocalStack at " + uri, () -> new Emulator("LocalStack", uri, null, null));
        }
        if (wanted.isEmpty() && !endpoint.isEmpty()) {
            URI uri = URI.create(endpoint);
            String kind = answers(uri.resolve("/_localstack/health")) ? "LocalStack"
                    : answers(uri.resolve("/moto-api/")) ? "moto" : "AWS-compatible endpoint";
            return new Choice.Available(kind + " at " + uri + " (AWS_ENDPOINT_URL)",
                    () -> new Emulator(kind, uri, null, null));
        }
        if (!wanted.isEmpty() && !wanted.equals("moto")) {
            return new Choice.Unavailable("SENTINEL_EMULATOR must be moto or localstack, was " + wanted);
        }
        Optional<String> version = motoVersion();
        if (version.isEmpty()) {
            return new Choice.Unavailable("no AWS emulator: python3 with moto's server is not installed "
                    + "(pip install \"moto[server]\"), and neither SENTINEL_EMULATOR=localstack nor AWS_ENDPOINT_URL "
                    + "is set");
        }
        return new Choice.Available("moto " + version.get() + " (python3 -m moto.server, started here)",
                () -> startMoto(version.get(), port));
    }

    /** Starts moto's server on 127.0.0.1 and waits until it answers. */
    static Emulator startMoto(String version, int port) {
        int chosen = port == 0 ? freePort() : port;
        try {
            Path log = Files.createTempFile("moto-server", ".log");
            Process process = new ProcessBuilder("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p",
                    Integer.toString(chosen))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Emulator moto = new Emulator("moto " + version, URI.create("http://127.0.0.1:" + chosen), process, log);
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!answers(moto.endpoint.resolve("/moto-api/"))) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String tail = moto.logTail();
                    moto.close();
                    throw new IllegalStateException("moto's server did not start on port " + chosen + ": " + tail);
                }
                Thread.sleep(100);
            }
            return moto;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start python3 -m moto.server", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting moto", e);
        }
    }

    private static Optional<String> motoVersion() {
        try {
            Process probe = new ProcessBuilder("python3", "-c",
                    "import moto.server, moto; print(moto.__version__)").redirectErrorStream(true).start();
            String printed = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0 && !printed.isEmpty()) {
                return Optional.of(printed.lines().reduce((first, last) -> last).orElse(printed));
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static boolean answers(URI uri) {
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** {@code moto 5.2.1}, {@code LocalStack}, ... */
    public String name() {
        return name;
    }

    public boolean isMoto() {
        return name.startsWith("moto");
    }

    /** Whether this JVM started the emulator (and so has it to itself). */
    public boolean startedHere() {
        return process != null;
    }

    /** One endpoint for every service. */
    public URI endpoint() {
        return endpoint;
    }

    public Region region() {
        return REGION;
    }

    /** Emulators take any keys; these never leave the machine. */
    public AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    /** The last lines moto wrote (its request log and errors), for failure messages. */
    public String logTail() {
        if (log == null) {
            return "";
        }
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(moto's log is unreadable: " + e.getMessage() + ")";
        }
    }

    /** Stops moto if it was started here; an emulator that was already running is left alone. */
    @Override
    public void close() {
        if (process != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or about to: it stops the process too.
            }
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // A temporary file; nothing depends on it.
            }
        }
    }
}
