package dev.sentinel.local;

import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.queue.PrefixRescan;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanService;
import dev.sentinel.scan.Engines;
import dev.sentinel.scan.ScanServiceBuilder;
import java.util.ArrayList;
import java.util.Map;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.RekognitionBounds;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.functions.scan.ScanUploadHandler;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.ObjectCreatedNotifications;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.ScanBatch;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rekognition.RekognitionClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The whole pipeline on one machine: S3 and DynamoDB servers in this JVM, the real scan handler wired to them, and
 * the chosen engine. Uploads go to the local S3 server, and the S3 notification it does not send is made here: for
 * uploads, and for the versions the pipeline writes itself (a release's restore arrives as {@code ObjectCreated:Copy}).
 */
final class LocalSentinel implements AutoCloseable {

    static final String UPLOADS = "sentinel-uploads-example";
    static final String QUARANTINE = "sentinel-quarantine-example";
    static final String TABLE = "sentinel-verdicts";
    static final String HASH_BANK = "sentinel-hash-bank";
    static final String CASES = "sentinel-cases";

    private final LocalAws servers;
    private final AwsClients clients;
    /** What uploaders (the runner's own uploads, and any client on the port) write with: not the pipeline. */
    private final S3Client uploader;
    /** The object versions the pipeline's own S3 calls created in the uploads bucket, to be notified. */
    private final ObjectCreatedNotifications pipelineWrites;
    /** Versions whose notification was delivered, so the watch does not announce them again. */
    private final Set<String> notified = ConcurrentHashMap.newKeySet();
    private final ScanUploadHandler handler;
    private final VerdictStore verdicts;
    private final DynamoHashBank bank;
    /** The scan service with another policy, for rescans. */
    private final java.util.function.Function<Policy, ScanService> withPolicy;
    private final ScanSettings settings;

    private LocalSentinel(LocalAws servers, AwsClients clients, S3Client uploader,
                          ObjectCreatedNotifications pipelineWrites, ScanUploadHandler handler, VerdictStore verdicts,
                          DynamoHashBank bank, java.util.function.Function<Policy, ScanService> withPolicy,
                          ScanSettings settings) {
        this.uploader = uploader;
        this.pipelineWrites = pipelineWrites;
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
        AwsCredentialsProvider localCredentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("local", "local"));
        AwsClients local = AwsClients.create(new AwsClients.Settings(region, localCredentials,
                servers.s3Endpoint(), servers.dynamoEndpoint(), null, true, 5));
        // The pipeline's S3 calls pass through what stands in for S3's notifications of the uploads bucket.
        ObjectCreatedNotifications pipelineWrites = new ObjectCreatedNotifications(Set.of(UPLOADS));
        S3Client pipelineS3 = S3Client.builder().region(region).credentialsProvider(localCredentials)
                .endpointOverride(servers.s3Endpoint()).forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(pipelineWrites)).build();
        // Same client settings (retries, timeouts) as in Lambda; only the credentials and endpoint differ.
        RekognitionClient rekognition = AwsClients.create(new AwsClients.Settings(region,
                rekognitionCredentials != null ? rekognitionCredentials
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create("unused", "unused")),
                null, null, rekognitionEndpoint, false, RekognitionBounds.DEFAULT, null)).rekognition();
        AwsClients clients = new AwsClients(pipelineS3, local.dynamo(), rekognition);
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
        ModerationEngine engine = Engines.named(options.engine(), options.cascadeEscalateAt(),
                clients.rekognition(), policy, false);
        ScanBatch batch = new ScanBatch(ScanServiceBuilder.of(settings, clients, StructuredLog.discard(),
                Clock.systemUTC()).policy(policy).engine(engine).rekognitionReadsS3(false).service(),
                StructuredLog.discard());
        return new LocalSentinel(servers, clients, local.s3(), pipelineWrites, new ScanUploadHandler(batch),
                new DynamoVerdictStore(clients.dynamo(), TABLE),
                new DynamoHashBank(clients.dynamo(), HASH_BANK, Duration.ofMinutes(5), Clock.systemUTC()),
                newPolicy -> ScanServiceBuilder.of(settings, clients, StructuredLog.discard(), Clock.systemUTC())
                        .policy(newPolicy).engine(engine).rekognitionReadsS3(false).service(), settings);
    }

    /** The API functions' routers over the same servers and tables, as API Gateway reaches them when deployed. */
    List<dev.sentinel.api.Router> apiRouters() {
        var pipeline = new dev.sentinel.wiring.ApiRouterBuilder(settings, new dev.sentinel.api.ApiSettings(CASES,
                dev.sentinel.api.ApiSettings.DEFAULT_APPEAL_WINDOW, dev.sentinel.cases.NoticeDeadlines.defaults()),
                clients, StructuredLog.discard(), Clock.systemUTC());
        return List.of(pipeline.moderationRouter(ScanServiceBuilder.onDemand(pipeline, this::scanLater)),
                pipeline.reviewRouter(), pipeline.noticeRouter(), pipeline.appealRouter());
    }

    /**
     * The scan queue of the local API: an on-demand check that does not fit an API request goes to the scan handler
     * as the rescan request the queue would carry, on a thread of its own, and the caller polls as deployed.
     */
    private void scanLater(dev.sentinel.objects.ObjectRef ref) {
        com.fasterxml.jackson.databind.node.ObjectNode event = Json.mapper().createObjectNode();
        event.putArray("Records").addObject().put("eventSource", "aws:sqs")
                .put("messageId", java.util.UUID.randomUUID().toString())
                .put("body", dev.sentinel.queue.RescanRequests.message(ref));
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

    /** An S3 client of the local servers that is not the pipeline's, for uploading and checking where objects are. */
    S3Client s3() {
        return uploader;
    }

    /** Uploads a file under its name and runs the handler on the notification of that upload. */
    Result scanFile(Path file, String key) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        PutObjectResponse put = uploader.putObject(b -> b.bucket(UPLOADS).key(key), RequestBody.fromBytes(bytes));
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
     * local stand-in for the S3 notification, so any S3 client can upload and see the verdict. The pipeline's own
     * writes are notified as S3 names them ({@link #notifyPipelineWrites()}); a version found by listing is notified
     * as an upload ({@code ObjectCreated:CompleteMultipartUpload} when its ETag says it was uploaded in parts).
     */
    void watch(Consumer<Result> onResult, BooleanSupplier keepWatching, Duration pollEvery) throws IOException {
        while (keepWatching.getAsBoolean()) {
            notifyPipelineWrites().forEach(onResult);
            List<ObjectVersion> latest = uploader.listObjectVersionsPaginator(b -> b.bucket(UPLOADS)).stream()
                    .flatMap(page -> page.versions().stream())
                    .filter(ObjectVersion::isLatest)
                    // A version the pipeline is writing now is notified as its own once the call returns.
                    .filter(v -> !pipelineWrites.writing(UPLOADS, v.key()))
                    .filter(v -> notified.add(v.key() + "\u0000" + v.versionId()))
                    .toList();
            for (ObjectVersion version : latest) {
                if (!verdicts.historyOf(UPLOADS, version.key()).stream()
                        .anyMatch(v -> version.versionId().equals(v.object().versionId()))) {
                    String event = version.eTag().contains("-") ? "ObjectCreated:CompleteMultipartUpload"
                            : "ObjectCreated:Put";
                    onResult.accept(invoke(version.key(), SampleEvents.s3Created(event, UPLOADS, version.key(),
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

    /**
     * Delivers S3's notifications of the versions the pipeline itself created in the uploads bucket since the last
     * call (a reviewer's release restores a quarantined image as a new version: {@code ObjectCreated:Copy}), each
     * named {@code key (event)}.
     */
    List<Result> notifyPipelineWrites() throws IOException {
        List<Result> results = new ArrayList<>();
        for (ObjectCreatedNotifications.Created created : pipelineWrites.drain()) {
            notified.add(created.key() + "\u0000" + created.versionId());
            SampleEvents.ObjectFacts facts;
            try {
                HeadObjectResponse head = uploader.headObject(b -> b.bucket(created.bucket()).key(created.key())
                        .versionId(created.versionId()));
                facts = new SampleEvents.ObjectFacts(created.versionId(), head.eTag(), head.contentLength());
            } catch (NoSuchKeyException deletedSince) {
                // S3 notifies a creation even when the version is gone by the time it arrives.
                facts = new SampleEvents.ObjectFacts(created.versionId(), "", 0);
            }
            results.add(invoke(created.key() + " (" + created.eventName() + ")", SampleEvents.s3Created(
                    created.eventName(), created.bucket(), created.key(), facts)));
        }
        return results;
    }

    /** Replays a sample event after uploading {@code content} at every key it names. */
    Result replay(Path eventFile, byte[] content) throws IOException {
        JsonNode event = SampleEvents.withFacts(SampleEvents.load(eventFile), (bucket, key) -> {
            if (!bucket.equals(UPLOADS)) {
                return null;
            }
            PutObjectResponse put = uploader.putObject(b -> b.bucket(bucket).key(key),
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
        clients.s3().close();
        servers.close();
    }
}
