package dev.sentinel.bench;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.scan.ObjectEvent;
import dev.sentinel.scan.ScanOutcome;
import dev.sentinel.scan.ScanService;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.VerdictTable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The pipeline's own cost per image, engine excluded: the real scan service against the local S3 and DynamoDB
 * servers, with the Rekognition stand-in answering at once (it still reads the image from S3, as the service does).
 * Every scan is a new upload (distinct bytes), decided, tagged and recorded; timed warm, at 1, 4 and 16 workers.
 */
final class PipelineOverheadBench {

    /**
     * @param cpuP50Ms CPU time of the scanning thread per image: the pipeline's own work (hashing, decoding,
     *                 marshalling), without the time spent waiting for the servers to answer
     */
    record Result(int workers, int images, double p50Ms, double p90Ms, double p99Ms, double imagesPerSecond,
                  double cpuP50Ms, double cpuP99Ms) { }

    private static final AtomicInteger RUN = new AtomicInteger();

    private final AwsClients clients;
    private final ScanService scans;
    private final String uploads;
    private final String table;
    private final byte[] image;
    private final AtomicInteger sequence = new AtomicInteger();

    PipelineOverheadBench(LocalAws servers, AwsClients clients, byte[] image) {
        this.clients = clients;
        this.image = image;
        int run = RUN.incrementAndGet();
        uploads = "bench-uploads-" + run;
        String quarantine = "bench-quarantine-" + run;
        table = "bench-verdicts-" + run;
        BenchDeployment.create(servers, clients, uploads, quarantine, table);
        ScanSettings settings = new ScanSettings(Set.of(uploads), quarantine, table, PolicyLoader.DEFAULT_SOURCE,
                ScanSettings.DEFAULT_MAX_OBJECT_BYTES, "rekognition");
        scans = ScanServiceBuilder.of(settings, clients, StructuredLog.discard(), Clock.systemUTC()).service();
    }

    /**
     * The image with {@code n} appended after its end: still decodable, the same pixels, but new content for the
     * hashes, so no upload is a duplicate of another.
     */
    static byte[] distinctCopy(byte[] image, int n) {
        byte[] bytes = Arrays.copyOf(image, image.length + 4);
        bytes[image.length] = (byte) (n >> 24);
        bytes[image.length + 1] = (byte) (n >> 16);
        bytes[image.length + 2] = (byte) (n >> 8);
        bytes[image.length + 3] = (byte) n;
        return bytes;
    }

    /** Uploads {@code count} distinct images and returns their notifications. */
    private List<ObjectEvent> upload(int count) {
        List<ObjectEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = sequence.incrementAndGet();
            byte[] bytes = distinctCopy(image, n);
            String key = "bench/" + n + ".jpg";
            PutObjectResponse put = clients.s3().putObject(b -> b.bucket(uploads).key(key),
                    RequestBody.fromBytes(bytes));
            events.add(new ObjectEvent(new ObjectRef(uploads, key, put.versionId()), ETag.unquoted(put.eTag()),
                    (long) bytes.length, "ObjectCreated:Put", Instant.now()));
        }
        return events;
    }

    /** Round trips to the local servers alone: what every S3 or DynamoDB call of a scan costs here. */
    Map<String, Double> serverRoundTrips(int calls) {
        String key = "bench/round-trip.jpg";
        clients.s3().putObject(b -> b.bucket(uploads).key(key), RequestBody.fromBytes(image));
        double[] head = new double[calls];
        double[] get = new double[calls];
        double[] dynamo = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t = System.nanoTime();
            clients.s3().headObject(b -> b.bucket(uploads).key(key));
            head[i] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            clients.s3().getObjectAsBytes(b -> b.bucket(uploads).key(key));
            get[i] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            clients.dynamo().getItem(b -> b.tableName(table).key(Map.of(VerdictTable.ID,
                    software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("absent"))));
            dynamo[i] = (System.nanoTime() - t) / 1e6;
        }
        Map<String, Double> p50 = new java.util.LinkedHashMap<>();
        p50.put("s3HeadObject", Stats.of(head).p50());
        p50.put("s3GetObject81KB", Stats.of(get).p50());
        p50.put("dynamoGetItem", Stats.of(dynamo).p50());
        return p50;
    }

    void warmUp(int images) throws Exception {
        run(1, images);
    }

    Result run(int workers, int images) throws Exception {
        List<ObjectEvent> events = upload(images);
        double[] millis = new double[images];
        double[] cpuMillis = new double[images];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            running.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < images; i = next.getAndIncrement()) {
                    long cpu = threads.getCurrentThreadCpuTime();
                    long t = System.nanoTime();
                    ScanOutcome outcome = scans.scan(events.get(i));
                    millis[i] = (System.nanoTime() - t) / 1e6;
                    cpuMillis[i] = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
                    if (!(outcome instanceof ScanOutcome.Decided)) {
                        throw new IllegalStateException("not decided: " + outcome);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Stats stats = Stats.of(millis);
        Stats cpu = Stats.of(cpuMillis);
        return new Result(workers, images, stats.p50(), stats.p90(), stats.p99(), images / seconds, cpu.p50(),
                cpu.p99());
    }
}
