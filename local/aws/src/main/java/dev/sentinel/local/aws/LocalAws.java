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
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;

/**
 * Real AWS-protocol servers on loopback, in this JVM: S3Mock for S3, DynamoDB Local for DynamoDB and an
 * HTTP-level stand-in for Rekognition; ElasticMQ for SQS when asked for. Each speaks the service's wire protocol, so the real SDK clients run
 * unchanged against them; nothing here is reachable from outside the machine.
 */
public final class LocalAws implements AutoCloseable {

    private static LocalAws shared;

    private final boolean durable;
    private final Path storeRoot;
    private final Path dynamoData;
    private final RekognitionStandIn rekognition;
    private final SnsStandIn sns;
    private volatile S3MockApplication s3;
    private volatile int s3Port;
    private volatile DynamoDBProxyServer dynamo;
    private boolean s3Running;
    private boolean dynamoRunning;
    private final int dynamoPort;
    private SQSRestServer sqs;
    private URI sqsEndpoint;

    private LocalAws(int s3Port, boolean durable) {
        this.durable = durable;
        this.storeRoot = tempDirectory("sentinel-s3-");
        this.dynamoData = durable ? tempDirectory("sentinel-dynamodb-") : null;
        this.s3Port = s3Port;
        this.dynamoPort = freePort();
        startS3();
        try {
            startDynamo();
        } catch (RuntimeException e) {
            s3.stop();
            throw e;
        }
        this.rekognition = RekognitionStandIn.start();
        this.sns = SnsStandIn.start();
    }

    /** Starts all three servers on free loopback ports. */
    public static LocalAws start() {
        return start(0);
    }

    /** Starts the servers on loopback, S3 on {@code s3Port} (0 for a free one) so other programs can reach it. */
    public static LocalAws start(int s3Port) {
        return new LocalAws(s3Port, false);
    }

    /**
     * Servers that keep their data on disk and can be stopped and started again on the same ports, for tests that
     * take a server away in the middle of work and bring it back.
     */
    public static LocalAws startDurable() {
        return new LocalAws(0, true);
    }

    /** Starts (or starts again) the S3 server; a restarted durable server serves the buckets it had. */
    public synchronized void startS3() {
        if (s3Running) {
            return;
        }
        // Spring Boot inside S3Mock must not install its own logging system over ours.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        Map<String, Object> props = new HashMap<>();
        props.put(S3MockApplication.PROP_HTTP_PORT, s3Port == 0 ? S3MockApplication.RANDOM_PORT : s3Port);
        props.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
        props.put(S3MockApplication.PROP_SILENT, true);
        props.put("server.address", "127.0.0.1");
        props.put("spring.main.banner-mode", "off");
        // Command-line style arguments win over S3Mock's packaged application.properties. Files are always kept
        // on exit, so a restart finds them; close() deletes them.
        s3 = S3MockApplication.start(props,
                "--com.adobe.testing.s3mock.max-payload-size=64MB",
                "--com.adobe.testing.s3mock.store.root=" + storeRoot,
                "--com.adobe.testing.s3mock.store.retain-files-on-exit=true");
        s3Port = s3.getHttpPort();
        s3Running = true;
    }

    /** Stops the S3 server: its port refuses connections until {@link #startS3()}. */
    public synchronized void stopS3() {
        requireDurable();
        s3.stop();
        s3Running = false;
    }

    /** Starts (or starts again) DynamoDB Local on its port; a durable one keeps its tables on disk. */
    public synchronized void startDynamo() {
        if (dynamoRunning) {
            return;
        }
        String[] args = durable
                ? new String[] {"-dbPath", dynamoData.toString(), "-sharedDb", "-port", Integer.toString(dynamoPort),
                    "-disableTelemetry"}
                : new String[] {"-inMemory", "-sharedDb", "-port", Integer.toString(dynamoPort), "-disableTelemetry"};
        try {
            dynamo = ServerRunner.createServerFromCommandLineArgs(args);
            dynamo.start();
            dynamoRunning = true;
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on port " + dynamoPort + ": "
                    + e.getMessage(), e);
        }
    }

    /** Stops DynamoDB Local: its port refuses connections until {@link #startDynamo()}. */
    public synchronized void stopDynamo() {
        requireDurable();
        stopQuietly(dynamo);
        dynamoRunning = false;
    }

    private void requireDurable() {
        if (!durable) {
            throw new IllegalStateException("only servers from LocalAws.startDurable() can be stopped and restarted");
        }
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
        return URI.create("http://127.0.0.1:" + s3Port);
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

    /** The SNS stand-in, recording what is published (likeness alerts). */
    public SnsStandIn sns() {
        return sns;
    }

    public URI snsEndpoint() {
        return sns.endpoint();
    }

    /** ElasticMQ, a real SQS-protocol server, started on first use (it takes about two seconds). */
    public synchronized URI sqsEndpoint() {
        if (sqs == null) {
            sqs = SQSRestServerBuilder.withPort(0).withInterface("127.0.0.1").start();
            sqsEndpoint = URI.create("http://127.0.0.1:" + sqs.waitUntilStarted().localAddress().getPort());
        }
        return sqsEndpoint;
    }

    @Override
    public synchronized void close() {
        rekognition.close();
        sns.close();
        if (sqs != null) {
            sqs.stopAndWait();
        }
        if (dynamoRunning) {
            stopQuietly(dynamo);
        }
        if (s3Running) {
            s3.stop();
        }
        deleteTree(storeRoot);
        if (dynamoData != null) {
            deleteTree(dynamoData);
        }
    }

    private static void stopQuietly(DynamoDBProxyServer server) {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort; an in-memory database goes with the process anyway.
        }
    }

    private static Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary folder for a local server", e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
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
