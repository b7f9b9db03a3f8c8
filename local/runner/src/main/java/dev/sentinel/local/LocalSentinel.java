package dev.sentinel.local;

import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.scan.PrefixRescan;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanService;
import java.util.ArrayList;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.functions.scan.ScanUploadHandler;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.ScanBatch;
import dev.sentinel.scan.ScanPipeline;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.store.VerdictStore;
import dev.sentinel.store.VerdictTable;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoHashBank;
import dev.sentinel.hash.HashLists;
import dev.sentinel.verdict.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The whole pipeline on one machine: S3 and DynamoDB servers in this JVM, the real scan handler wired to them, and
 * the chosen engine. Uploads go to the local S3 server, and the S3 notification it does not send is made here.
 */
final class LocalSentinel implements AutoCloseable {

    static final String UPLOADS = "sentinel-uploads-example";
    static final String QUARANTINE = "sentinel-quarantine-example";
    static final String TABLE = "sentinel-verdicts";
    static final String HASH_BANK = "sentinel-hash-bank";
    static final String CASES = "sentinel-cases";

    private final LocalAws servers;
    private final AwsClients clients;
    private final ScanUploadHandler handler;
    private final VerdictStore verdicts;
    private final DynamoHashBank bank;
    /** The scan service with another policy, for rescans. */
    private final java.util.function.Function<Policy, ScanService> withPolicy;
    private final ScanSettings settings;

    private LocalSentinel(LocalAws servers, AwsClients clients, ScanUploadHandler handler, VerdictStore verdicts,
                          DynamoHashBank bank, java.util.function.Function<Policy, ScanService> withPolicy,
                          ScanSettings settings) {
        this.settings = settings;
        this.bank = bank;
        this.withPolicy = withPolicy;
        this.servers = servers;
        this.clients = clients;
        this.handler = handler;
        this.verdicts = verdicts;
    }

    /**
     * @param rekognitionCredentials credentials for Rekognition calls (real AWS or the endpoint given); null for the
     *                               embedded engine, which makes none
     */
    static LocalSentinel start(RunnerOptions options, AwsCredentialsProvider rekognitionCredentials, Region region) {
        String policySource = options.policy();
        URI rekognitionEndpoint = options.rekognitionEndpoint();
        LocalAws servers = LocalAws.start(options.s3Port());
        AwsClients local = AwsClients.create(new AwsClients.Settings(region,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")),
                servers.s3Endpoint(), servers.dynamoEndpoint(), null, true, 5));
        // Same client settings (retries, timeouts) as in Lambda; only the credentials and endpoint differ.
        RekognitionClient rekognition = AwsClients.create(new AwsClients.Settings(region,
                rekognitionCredentials != null ? rekognitionCredentials
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create("unused", "unused")),
                null, null, rekognitionEndpoint, false, 5)).rekognition();
        AwsClients clients = new AwsClients(local.s3(), local.dynamo(), rekognition);
        for (String bucket : List.of(UPLOADS, QUARANTINE)) {
            // Object Lock on quarantine, as in the template: child-safety evidence is put under legal hold.
            clients.s3().createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(bucket.equals(QUARANTINE)));
            clients.s3().putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        VerdictTable.createIfMissing(clients.dynamo(), TABLE);
        CaseTable.createIfMissing(clients.dynamo(), HASH_BANK);
        CaseTable.createIfMissing(clients.dynamo(), CASES);

        ScanSettings settings = new ScanSettings(Set.of(UPLOADS), QUARANTINE, TABLE, policySource,
                ScanSettings.DEFAULT_MAX_OBJECT_BYTES, options.engine(), options.cascadeEscalateAt())
                .withHashBank(HASH_BANK).withCasesTable(CASES);
        Policy policy = new PolicyLoader().load(policySource);
        // The real Rekognition cannot read this machine's S3 server, so images go inline.
        ModerationEngine engine = ScanPipeline.engine(options.engine(), options.cascadeEscalateAt(),
                clients.rekognition(), policy, false);
        ScanBatch batch = new ScanBatch(ScanPipeline.service(settings, clients, policy, engine,
                StructuredLog.discard(), Clock.systemUTC(),
                dev.sentinel.metrics.Metrics.none(), false), StructuredLog.discard());
        return new LocalSentinel(servers, clients, new ScanUploadHandler(batch),
                new DynamoVerdictStore(clients.dynamo(), TABLE),
                new DynamoHashBank(clients.dynamo(), HASH_BANK, Duration.ofMinutes(5), Clock.systemUTC()),
                newPolicy -> ScanPipeline.service(settings, clients, newPolicy, engine, StructuredLog.discard(),
                        Clock.systemUTC(), dev.sentinel.metrics.Metrics.none(), false), settings);
    }

    /** The API functions' routers over the same servers and tables, as API Gateway reaches them when deployed. */
    List<dev.sentinel.api.Router> apiRouters() {
        var pipeline = new dev.sentinel.api.ApiPipeline(settings, new dev.sentinel.api.ApiSettings(CASES,
                dev.sentinel.api.ApiSettings.DEFAULT_APPEAL_WINDOW, dev.sentinel.cases.NoticeDeadlines.defaults()),
                clients, StructuredLog.discard(), Clock.systemUTC());
        return List.of(pipeline.moderationRouter(this::scanLater), pipeline.reviewRouter(), pipeline.noticeRouter(),
                pipeline.appealRouter());
    }

    /**
     * The scan queue of the local API: an on-demand check that does not fit an API request goes to the scan handler
     * as the rescan request the queue would carry, on a thread of its own, and the caller polls as deployed.
     */
    private void scanLater(dev.sentinel.objects.ObjectRef ref) {
        com.fasterxml.jackson.databind.node.ObjectNode event = Json.mapper().createObjectNode();
        event.putArray("Records").addObject().put("eventSource", "aws:sqs")
                .put("messageId", java.util.UUID.randomUUID().toString())
                .put("body", dev.sentinel.scan.RescanRequests.message(ref));
        Thread scan = new Thread(() -> {
            try {
                Result result = invoke(ref.key(), event);
                if (result.error() != null) {
                    System.err.println("[local scan queue] " + ref.key() + ": " + result.error());
                }
            } catch (IOException e) {
                System.err.println("[local scan queue] " + ref.key() + ": " + e);
            }
        }, "local-scan-queue");
        scan.setDaemon(true);
        scan.start();
    }

    /** A transparency report of the local tables for the period. */
    dev.sentinel.report.TransparencyReport transparencyReport(String from, String to) {
        return new dev.sentinel.report.TransparencyReports(new DynamoVerdictStore(clients.dynamo(), TABLE),
                new dev.sentinel.store.DynamoCaseStore(clients.dynamo(), CASES), Clock.systemUTC())
                .build(dev.sentinel.report.TransparencyReports.parse(from, to, java.time.Instant.now()));
    }

    Verdict verdict(String verdictId) {
        return verdicts.find(verdictId).orElseThrow(() -> new IllegalStateException("no verdict " + verdictId));
    }

    /** The S3 client of the local servers, for checking where objects are. */
    software.amazon.awssdk.services.s3.S3Client s3() {
        return clients.s3();
    }

    /** Uploads a file under its name and runs the handler on the notification of that upload. */
    Result scanFile(Path file, String key) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        PutObjectResponse put = clients.s3().putObject(b -> b.bucket(UPLOADS).key(key), RequestBody.fromBytes(bytes));
        JsonNode event = SampleEvents.s3Put(UPLOADS, key,
                new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), bytes.length));
        return invoke(key, event);
    }

    /** Imports a hash list into the bank; returns what was imported and what was skipped, by line. */
    HashLists.Parsed importHashes(Path list) throws IOException {
        String name = list.getFileName().toString();
        String format = name.toLowerCase(java.util.Locale.ROOT).endsWith(".json") ? "json" : "csv";
        HashLists.Parsed parsed = HashLists.parse(Files.readString(list), format,
                name.replaceFirst("\\.[^.]*$", ""), "local-runner", java.time.Instant.now());
        // Batch writes, as the API imports; a local table never throttles, so a remainder is a real failure.
        DynamoHashBank.Written written = bank.addAllToBank(parsed.entries(), java.time.Duration.ofMinutes(5));
        if (written.unwritten() > 0) {
            throw new IllegalStateException(written.unwritten() + " hashes of " + name + " could not be written");
        }
        return parsed;
    }

    void exportHashes(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, HashLists.toCsv(bank.entries()));
    }

    /** How a rescan went for one object: its key and what changed. */
    record Rescanned(String key, String change, Verdict verdict) { }

    /**
     * Rescans every object under {@code prefix} (uploads, then quarantine copies) under {@code policySource}, a page
     * of {@code pageSize} at a time, telling {@code onPage} after each page.
     */
    List<Rescanned> rescan(String prefix, String policySource, int pageSize, Consumer<List<Rescanned>> onPage) {
        ScanService service = withPolicy.apply(new PolicyLoader().load(policySource));
        PrefixRescan walk = new PrefixRescan(new S3ObjectStore(clients.s3()), QUARANTINE);
        Map<String, Rescanned> byKey = new java.util.LinkedHashMap<>();
        String cursor = null;
        do {
            List<Rescanned> page = new ArrayList<>();
            cursor = walk.page(UPLOADS, prefix, cursor, pageSize, ref -> {
                String key = ref.bucket().equals(QUARANTINE) ? ref.key().substring(UPLOADS.length() + 1) : ref.key();
                page.add(describe(key, service.rescanner().rescan(ref)));
            }).nextCursor();
            // An object quarantined earlier in this walk is met again among the quarantine copies.
            page.removeIf(r -> byKey.containsKey(r.key()));
            page.forEach(r -> byKey.put(r.key(), r));
            onPage.accept(page);
        } while (cursor != null);
        return List.copyOf(byKey.values());
    }

    private static Rescanned describe(String key, ScanOutcome outcome) {
        if (outcome instanceof ScanOutcome.Rescanned r) {
            return new Rescanned(key, r.change(), r.verdict());
        }
        if (outcome instanceof ScanOutcome.Decided d) {
            return new Rescanned(key, "scanned", d.verdict());
        }
        if (outcome instanceof ScanOutcome.AlreadyDecided a) {
            return new Rescanned(key, "finished", a.verdict());
        }
        return new Rescanned(key, "kept: " + ((ScanOutcome.Skipped) outcome).reason(), null);
    }

    URI s3Endpoint() {
        return servers.s3Endpoint();
    }

    /**
     * Scans every new object version that appears in the uploads bucket until {@code keepWatching} says stop: the
     * local stand-in for the S3 notification, so any S3 client can upload and see the verdict.
     */
    void watch(Consumer<Result> onResult, BooleanSupplier keepWatching, Duration pollEvery) throws IOException {
        Set<String> seen = new HashSet<>();
        while (keepWatching.getAsBoolean()) {
            List<ObjectVersion> latest = clients.s3().listObjectVersionsPaginator(b -> b.bucket(UPLOADS)).stream()
                    .flatMap(page -> page.versions().stream())
                    .filter(ObjectVersion::isLatest)
                    .filter(v -> seen.add(v.key() + "\u0000" + v.versionId()))
                    .toList();
            for (ObjectVersion version : latest) {
                if (!verdicts.historyOf(UPLOADS, version.key()).stream()
                        .anyMatch(v -> version.versionId().equals(v.object().versionId()))) {
                    onResult.accept(invoke(version.key(), SampleEvents.s3Put(UPLOADS, version.key(),
                            new SampleEvents.ObjectFacts(version.versionId(), version.eTag(), version.size()))));
                }
            }
            try {
                Thread.sleep(pollEvery.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Replays a sample event after uploading {@code content} at every key it names. */
    Result replay(Path eventFile, byte[] content) throws IOException {
        JsonNode event = SampleEvents.withFacts(SampleEvents.load(eventFile), (bucket, key) -> {
            if (!bucket.equals(UPLOADS)) {
                return null;
            }
            PutObjectResponse put = clients.s3().putObject(b -> b.bucket(bucket).key(key),
                    RequestBody.fromBytes(content));
            return new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), content.length);
        });
        return invoke(eventFile.getFileName().toString(), event);
    }

    /** What one invocation came to: the handler's answer or error, and the verdicts of the keys it named. */
    record Result(String name, String response, String error, List<Verdict> verdicts) { }

    private Result invoke(String name, JsonNode event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String error = null;
        try {
            handler.handleRequest(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(event)), out, null);
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
        List<Verdict> found = SampleEvents.mentions(event).stream()
                .filter(m -> m.bucket().equals(UPLOADS))
                .flatMap(m -> verdicts.historyOf(m.bucket(), m.key()).stream().limit(1))
                .toList();
        return new Result(name, out.toString(java.nio.charset.StandardCharsets.UTF_8), error, found);
    }

    @Override
    public void close() {
        clients.rekognition().close();
        servers.close();
    }
}
