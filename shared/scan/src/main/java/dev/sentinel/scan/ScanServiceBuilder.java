package dev.sentinel.scan;

import dev.sentinel.api.ApiSettings;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.cases.OnDemandModeration;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.FaceAges;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.RekognitionEngine;
import dev.sentinel.engine.RekognitionFaceAges;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.RekognitionImages;
import dev.sentinel.likeness.LikenessGuard;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.policy.Taxonomy;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.safety.ChildSafetyReports;
import dev.sentinel.safety.ProvenanceReader;
import dev.sentinel.safety.SafetySignals;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.wiring.ApiRouterBuilder;
import dev.sentinel.wiring.FunctionEnvironment;
import dev.sentinel.wiring.LikenessWiring;
import java.time.Clock;

/**
 * Builds the scan service from its settings and SDK clients: what the scan function builds once per container, and
 * what the local runner, the benchmarks and the tests build the same way. The policy and engine default to the ones
 * the settings name; metrics to none.
 */
public final class ScanServiceBuilder {

    private final ScanSettings settings;
    private final AwsClients clients;
    private final StructuredLog log;
    private final Clock clock;
    private Metrics metrics = Metrics.none();
    private Policy policy;
    private ModerationEngine engine;
    private boolean rekognitionReadsS3 = true;

    private ScanServiceBuilder(ScanSettings settings, AwsClients clients, StructuredLog log, Clock clock) {
        this.settings = settings;
        this.clients = clients;
        this.log = log;
        this.clock = clock;
    }

    public static ScanServiceBuilder of(ScanSettings settings, AwsClients clients, StructuredLog log, Clock clock) {
        return new ScanServiceBuilder(settings, clients, log, clock);
    }

    /**
     * As the scan function builds it: Rekognition calls bounded as the settings checked against the function's
     * timeout, logs on standard output, metrics as embedded metric format flushed at the end of each batch.
     */
    public static ScanServiceBuilder forFunction(FunctionEnvironment environment) {
        ScanSettings settings = environment.scanSettings();
        return of(settings, environment.clients(settings.deadlines().rekognition()), environment.log(),
                environment.clock()).metrics(environment.metrics());
    }

    /** Where decisions, holds, reuse and engine calls are counted; a batch flushes them once per invocation. */
    public ScanServiceBuilder metrics(Metrics recorded) {
        this.metrics = recorded;
        return this;
    }

    /** The policy to apply instead of the one the settings name. */
    public ScanServiceBuilder policy(Policy applied) {
        this.policy = applied;
        return this;
    }

    /** The engine to ask instead of the one the settings name. */
    public ScanServiceBuilder engine(ModerationEngine asked) {
        this.engine = asked;
        return this;
    }

    /**
     * False when Rekognition cannot reach the buckets (a local S3 server): images are then sent inline, to face
     * detection as well as to the engine.
     */
    public ScanServiceBuilder rekognitionReadsS3(boolean readsS3) {
        this.rekognitionReadsS3 = readsS3;
        return this;
    }

    public ScanService service() {
        Policy applied = policy != null ? policy : new PolicyLoader().load(settings.policySource());
        ModerationEngine asked = engine != null ? engine : Engines.named(settings, clients, applied);
        S3ObjectStore objects = new S3ObjectStore(clients.s3());
        return new ScanService(objects, new DynamoVerdictStore(clients.dynamo(), settings.verdictTable()), asked,
                applied, new Quarantine(objects, settings.quarantineBucket()), settings, clock, log,
                extensions(asked), metrics);
    }

    /** The service behind a batch of deliveries, which flushes the metrics once per invocation. */
    public ScanBatch batch() {
        return new ScanBatch(service(), log, metrics);
    }

    /**
     * Hash matching when a bank is configured; child-safety signals always (face ages through Rekognition unless
     * the engine is the embedded one alone, which works offline) with the likeness check when a collection is
     * configured; reports into the cases table when configured.
     */
    private ScanExtensions extensions(ModerationEngine asked) {
        boolean faceAges = !settings.engine().equals("embedded");
        // One image sender for face ages and likeness searches (an S3 reference, or the bytes fitted inline); none,
        // and no Rekognition client, when the embedded engine works alone and offline.
        RekognitionEngine images = !faceAges && settings.likeness() == null ? null : new RekognitionEngine(
                clients.rekognition(), new RekognitionImages(new ImageDecoder()), 50, rekognitionReadsS3);
        FaceAges faces = faceAges ? new RekognitionFaceAges(clients.rekognition(), images) : null;
        // Registered faces are searched for in sexual images when a collection is configured.
        LikenessGuard likeness = settings.likeness() == null ? null : LikenessWiring.guard(settings.likeness(),
                clients, images, settings.casesTable(), clock, log, settings.deadlines().rekognition().callTimeout());
        SafetySignals signals = new SafetySignals(faces, new ProvenanceReader(), settings.safety(), Taxonomy.v7(),
                likeness);
        ChildSafetyReports reports = settings.casesTable() == null ? ChildSafetyReports.none()
                : new DynamoCaseStore(clients.dynamo(), settings.casesTable());
        return new ScanExtensions(ApiRouterBuilder.hashMatching(settings, clients, clock), signals, reports);
    }

    /**
     * On-demand checks for {@code POST /moderations}, from the API builder's settings and clients: the policy and
     * engine loaded like the scan function's, each engine call bounded by the checks' budget
     * ({@link ApiSettings.Checks}).
     *
     * @param queue where checks go that cannot finish within the API's time ({@link ApiRouterBuilder#scanQueue})
     */
    public static OnDemandModeration onDemand(ApiRouterBuilder routers, OnDemandModeration.CheckQueue queue) {
        ApiSettings api = routers.apiSettings();
        AwsClients bounded = routers.clients().withRekognitionBounds(api.checks().rekognition());
        return new OnDemandScans(of(routers.scanSettings(), bounded, routers.log(), routers.clock()).service()
                .stages(), routers.cases(), api.checks().inlineMaxBytes(), queue);
    }
}
