package dev.sentinel.testing;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.local.iam.FunctionRoles;
import dev.sentinel.local.iam.StackBinding;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.store.VerdictTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;

/**
 * The local AWS servers as tests see them: the real SDK clients pointed at S3Mock, DynamoDB Local and the
 * Rekognition stand-in, with helpers to make uniquely named buckets and tables so test classes stay apart.
 */
public final class TestAws {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static TestAws instance;

    private final LocalAws servers;
    private final AwsClients clients;
    private final Function<AwsCredentialsProvider, AwsClients> clientsWith;
    private final Map<String, AwsClients> clientsByFunction = new ConcurrentHashMap<>();

    private TestAws(LocalAws servers, URI dynamoEndpoint, RekognitionBounds rekognition) {
        this.servers = servers;
        this.clientsWith = credentials -> AwsClients.create(new AwsClients.Settings(Region.US_EAST_1, credentials,
                servers.s3Endpoint(), dynamoEndpoint, servers.rekognitionEndpoint(), true, rekognition, null,
                servers.snsEndpoint()));
        this.clients = clientsWith.apply(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")));
    }

    /**
     * Clients over servers of the test's own (e.g. {@link LocalAws#startDurable()}), DynamoDB reached through
     * {@code dynamoEndpoint} (the server, or a proxy in front of it), Rekognition attempts cut off after
     * {@code rekognitionAttemptTimeout}.
     */
    public static TestAws over(LocalAws servers, URI dynamoEndpoint, Duration rekognitionAttemptTimeout) {
        return new TestAws(servers, dynamoEndpoint, RekognitionBounds.ofAttempts(4, rekognitionAttemptTimeout));
    }

    /** Clients over the shared servers whose Rekognition calls are bounded by {@code rekognition}. */
    public static TestAws withRekognition(RekognitionBounds rekognition) {
        LocalAws servers = LocalAws.shared();
        return new TestAws(servers, servers.dynamoEndpoint(), rekognition);
    }

    public static synchronized TestAws get() {
        if (instance == null) {
            LocalAws servers = LocalAws.shared();
            instance = new TestAws(servers, servers.dynamoEndpoint(),
                    RekognitionBounds.ofAttempts(4, AwsClients.Settings.DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT));
        }
        return instance;
    }

    /** Clients for setting up and checking state: no role, nothing judged. */
    public AwsClients clients() {
        return clients;
    }

    /**
     * Clients that call as {@code function} of template.yaml: every call is judged by that function's deployed role
     * and the buckets' policies ({@link FunctionRoles}), and recorded for the least-privilege proof. The environment
     * is the function's, as the template would fill it in: it says which template resource each local bucket and
     * table stands for.
     */
    public AwsClients asFunction(String function, Map<String, String> environment) {
        StackBinding.bindEnvironment(FunctionRoles.authorizer().stack(), environment);
        return clientsByFunction.computeIfAbsent(function, f -> clientsWith.apply(FunctionRoles.credentialsFor(f)));
    }

    /**
     * Clients of an application outside the stack whose own role allows what {@code identityPolicy} (IAM JSON) says:
     * the buckets' policies in template.yaml still judge every call, as they would in AWS.
     */
    public AwsClients asApplication(String name, String identityPolicy) {
        return clientsWith.apply(FunctionRoles.credentialsForApplication(name, identityPolicy));
    }

    /** {@link #asFunction(String, Map)} with the environment the function gets for these settings' resources. */
    public AwsClients asFunction(String function, ScanSettings settings) {
        return asFunction(function, environmentOf(settings));
    }

    /** The environment variables a function of the template gets for the resources these settings name. */
    public static Map<String, String> environmentOf(ScanSettings settings) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("UPLOAD_BUCKETS", String.join(",", settings.uploadBuckets()));
        env.put("QUARANTINE_BUCKET", settings.quarantineBucket());
        env.put("VERDICTS_TABLE", settings.verdictTable());
        if (settings.hashBankTable() != null) {
            env.put("HASH_BANK_TABLE", settings.hashBankTable());
        }
        if (settings.casesTable() != null) {
            env.put("CASES_TABLE", settings.casesTable());
        }
        // The scan function's: it searches the collection and alerts; registrations are not its to read.
        if (settings.likeness() != null && !settings.likeness().searchedElsewhere()) {
            env.put("LIKENESS_COLLECTION", settings.likeness().collectionId());
            if (settings.likeness().alertsTopic() != null) {
                env.put("LIKENESS_ALERTS_TOPIC", settings.likeness().alertsTopic());
            }
        }
        return env;
    }

    public S3Client s3() {
        return clients.s3();
    }

    public LocalAws servers() {
        return servers;
    }

    /** The stand-in, reset, reading S3Object images through the local S3 server like the real service would. */
    public RekognitionStandIn freshRekognition() {
        RekognitionStandIn standIn = servers.rekognition();
        standIn.reset();
        standIn.readS3With(location -> {
            try {
                return s3().getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.name())
                        .versionId(location.version())).asByteArray();
            } catch (NoSuchKeyException e) {
                return null;
            }
        });
        return standIn;
    }

    public String newBucket(String purpose, boolean versioned) {
        String name = purpose + "-" + SEQUENCE.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        s3().createBucket(b -> b.bucket(name));
        if (versioned) {
            s3().putBucketVersioning(b -> b.bucket(name)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        return name;
    }

    /** A bucket with Object Lock enabled (and so versioned), like the template's quarantine bucket. */
    public String newLockedBucket(String purpose) {
        String name = purpose + "-" + SEQUENCE.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        s3().createBucket(b -> b.bucket(name).objectLockEnabledForBucket(true));
        s3().putBucketVersioning(b -> b.bucket(name)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        return name;
    }

    public String newVerdictTable() {
        String name = "verdicts-" + SEQUENCE.incrementAndGet();
        VerdictTable.createIfMissing(clients.dynamo(), name);
        return name;
    }

    public PutObjectResponse put(String bucket, String key, byte[] bytes) {
        return s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    public PutObjectResponse put(String bucket, String key, byte[] bytes, Map<String, String> tags) {
        return s3().putObject(b -> b.bucket(bucket).key(key).tagging(Tagging.builder().tagSet(
                tags.entrySet().stream().map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList())
                .build()), RequestBody.fromBytes(bytes));
    }

    /** A real photo from the test resources (see photos/README.md for provenance). */
    public static byte[] photo(String name) {
        try (InputStream in = TestAws.class.getResourceAsStream("/photos/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test photo " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
