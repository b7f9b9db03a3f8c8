package dev.sentinel.local.aws;

import com.adobe.testing.s3mock.S3MockApplication;
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Real AWS-protocol servers on loopback, in this JVM: S3Mock for S3, DynamoDB Local for DynamoDB and an
 * HTTP-level stand-in for Rekognition. Each speaks the service's wire protocol, so the real SDK clients run
 * unchanged against them; nothing here is reachable from outside the machine.
 */
public final class LocalAws implements AutoCloseable {

    private static LocalAws shared;

    private final S3MockApplication s3;
    private final DynamoDBProxyServer dynamo;
    private final int dynamoPort;
    private final RekognitionStandIn rekognition;
    /** The S3 server's files: deleted on close, since the server itself leaves them behind. */
    private final Path storeRoot;

    private LocalAws(S3MockApplication s3, DynamoDBProxyServer dynamo, int dynamoPort, RekognitionStandIn rekognition,
                     Path storeRoot) {
        this.storeRoot = storeRoot;
        this.s3 = s3;
        this.dynamo = dynamo;
        this.dynamoPort = dynamoPort;
        this.rekognition = rekognition;
    }

    /** Starts all three servers on free loopback ports. */
    public static LocalAws start() {
        return start(0);
    }

    /** Starts the servers on loopback, S3 on {@code s3Port} (0 for a free one) so other programs can reach it. */
    public static LocalAws start(int s3Port) {
        // Spring Boot inside S3Mock must not install its own logging system over ours.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        Map<String, Object> props = new HashMap<>();
        props.put(S3MockApplication.PROP_HTTP_PORT, s3Port == 0 ? S3MockApplication.RANDOM_PORT : s3Port);
        props.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
        props.put(S3MockApplication.PROP_SILENT, true);
        props.put("server.address", "127.0.0.1");
        props.put("spring.main.banner-mode", "off");
        // Command-line style arguments win over S3Mock's packaged application.properties.
        Path storeRoot;
        try {
            storeRoot = Files.createTempDirectory("sentinel-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary folder for the local S3 server", e);
        }
        S3MockApplication s3 = S3MockApplication.start(props,
                "--com.adobe.testing.s3mock.max-payload-size=64MB",
                "--com.adobe.testing.s3mock.store.root=" + storeRoot,
                "--com.adobe.testing.s3mock.store.retain-files-on-exit=false");

        int port = freePort();
        DynamoDBProxyServer dynamo;
        try {
            dynamo = ServerRunner.createServerFromCommandLineArgs(new String[] {
                "-inMemory", "-sharedDb", "-port", Integer.toString(port), "-disableTelemetry"});
            dynamo.start();
        } catch (Exception e) {
            s3.stop();
            throw new IllegalStateException("DynamoDB Local did not start on port " + port + ": " + e.getMessage(), e);
        }
        RekognitionStandIn rekognition = RekognitionStandIn.start();
        return new LocalAws(s3, dynamo, port, rekognition, storeRoot);
    }

    /**
     * One set of servers per JVM, started on first use and stopped at exit: test classes share it and keep
     * apart by using their own bucket and table names.
     */
    public static synchronized LocalAws shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "local-aws-shutdown"));
        }
        return shared;
    }

    public URI s3Endpoint() {
        return URI.create("http://127.0.0.1:" + s3.getHttpPort());
    }

    public URI dynamoEndpoint() {
        return URI.create("http://127.0.0.1:" + dynamoPort);
    }

    public URI rekognitionEndpoint() {
        return rekognition.endpoint();
    }

    public RekognitionStandIn rekognition() {
        return rekognition;
    }

    @Override
    public void close() {
        rekognition.close();
        try {
            dynamo.stop();
        } catch (Exception e) {
            // Stopping is best effort at shutdown; the in-memory database goes with the process.
        }
        s3.stop();
        try (Stream<Path> files = Files.walk(storeRoot)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // Best effort: only temporary files are left.
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
