package dev.sentinel.scan;

import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ConfigurationException;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.engine.CascadeEngine;
import dev.sentinel.engine.ModerationEngine;
import dev.sentinel.engine.embedded.EmbeddedEngine;
import dev.sentinel.engine.RekognitionEngine;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.image.RekognitionImages;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.metrics.Metrics;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.policy.Policy;
import dev.sentinel.policy.PolicyLoader;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.engine.RekognitionFaceAges;
import dev.sentinel.safety.ChildSafetyReports;
import dev.sentinel.safety.FaceAges;
import dev.sentinel.safety.ProvenanceReader;
import dev.sentinel.safety.SafetySignals;
import dev.sentinel.store.DynamoHashBank;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.services.rekognition.RekognitionClient;

/** Wires the scan pipeline from its settings and SDK clients: what a function builds once per container. */
public final class ScanPipeline {

    private ScanPipeline() {
    }

    public static ScanService service(ScanSettings settings, AwsClients clients, StructuredLog log, Clock clock) {
        return service(settings, clients, log, clock, Metrics.none());
    }

    public static ScanService service(ScanSettings settings, AwsClients clients, StructuredLog log, Clock clock,
                                      Metrics metrics) {
        Policy policy = new PolicyLoader().load(settings.policySource());
        return service(settings, clients, policy, engine(settings, clients, policy), log, clock, metrics);
    }

    public static ScanService service(ScanSettings settings, AwsClients clients, Policy policy,
                                      ModerationEngine engine, StructuredLog log, Clock clock) {
        return service(settings, clients, policy, engine, log, clock, Metrics.none(), true);
    }

    public static ScanService service(ScanSettings settings, AwsClients clients, Policy policy,
                                      ModerationEngine engine, StructuredLog log, Clock clock, Metrics metrics) {
        return service(settings, clients, policy, engine, log, clock, metrics, true);
    }

    /**
     * @param rekognitionReadsS3 false when Rekognition cannot reach the buckets (a local S3 server): images are then
     *                           sent inline, to face detection as well as to the engine
     */
    public static ScanService service(ScanSettings settings, AwsClients clients, Policy policy,
                                      ModerationEngine engine, StructuredLog log, Clock clock, Metrics metrics,
                                      boolean rekognitionReadsS3) {
        S3ObjectStore objects = new S3ObjectStore(clients.s3());
        return new ScanService(objects, new DynamoVerdictStore(clients.dynamo(), settings.verdictTable()), engine,
                policy, new Quarantine(objects, settings.quarantineBucket()), settings, clock, log,
                extensions(settings, clients, engine, clock, rekognitionReadsS3), metrics);
    }

    /**
     * Hash matching when a bank is configured; child-safety signals always (face ages through Rekognition unless
     * the engine is the embedded one alone, which works offline); reports into the cases table when configured.
     */
    public static ScanExtensions extensions(ScanSettings settings, AwsClients clients, ModerationEngine engine,
                                            Clock clock, boolean rekognitionReadsS3) {
        FaceAges faces = null;
        if (!settings.engine().equals("embedded")) {
            faces = new RekognitionFaceAges(clients.rekognition(), new RekognitionEngine(clients.rekognition(),
                    new RekognitionImages(new ImageDecoder()), 50, rekognitionReadsS3));
        }
        // Likeness hook: registered faces are searched for in sexual images, when a collection is configured.
        dev.sentinel.likeness.LikenessGuard likeness = settings.likeness() == null ? null
                : dev.sentinel.wiring.LikenessWiring.guard(settings.likeness(), clients, settings.casesTable(),
                        rekognitionReadsS3, clock, settings.deadlines().rekognition().callTimeout());
        SafetySignals signals = new SafetySignals(faces, new ProvenanceReader(), settings.safety(),
                dev.sentinel.policy.Taxonomy.v7(), likeness);
        ChildSafetyReports reports = settings.casesTable() == null ? ChildSafetyReports.none()
                : new dev.sentinel.store.DynamoCaseStore(clients.dynamo(), settings.casesTable());
        return new ScanExtensions(hashMatching(settings, clients, clock), signals, reports);
    }

    /** The hash bank when one is configured; it is loaded on first use and refreshed every five minutes. */
    public static HashMatching hashMatching(ScanSettings settings, AwsClients clients, Clock clock) {
        return settings.hashBankTable() == null ? HashMatching.none()
                : new DynamoHashBank(clients.dynamo(), settings.hashBankTable(), Duration.ofMinutes(5), clock);
    }

    /** A batch that reports no metrics (tests, tools); the function passes its own, see the next method. */
    public static ScanBatch batch(ScanSettings settings, AwsClients clients, StructuredLog log, Clock clock) {
        return batch(settings, clients, log, clock, Metrics.none());
    }

    /**
     * @param metrics recorded into by the service and flushed by the batch once per invocation; in Lambda
     *                {@link dev.sentinel.metrics.EmfMetrics} on standard output
     */
    public static ScanBatch batch(ScanSettings settings, AwsClients clients, StructuredLog log, Clock clock,
                                  Metrics metrics) {
        return new ScanBatch(service(settings, clients, log, clock, metrics), log, metrics);
    }

    /** The engine the settings name; the embedded model is loaded here, once per container. */
    public static ModerationEngine engine(ScanSettings settings, AwsClients clients, Policy policy) {
        // The embedded engine alone calls no Rekognition: its client is then never built.
        return engine(settings.engine(), settings.cascadeEscalateAt(),
                settings.engine().equals("embedded") ? null : clients.rekognition(), policy, true);
    }

    public static ModerationEngine engine(String name, double cascadeEscalateAt, RekognitionClient rekognition,
                                          Policy policy, boolean sendS3References) {
        return switch (name) {
            case "rekognition" -> rekognitionEngine(rekognition, policy, sendS3References);
            case "embedded" -> EmbeddedEngine.bundled();
            case "cascade" -> new CascadeEngine(EmbeddedEngine.bundled(),
                    rekognitionEngine(rekognition, policy, sendS3References), cascadeEscalateAt);
            default -> throw new ConfigurationException("MODERATION_ENGINE " + name
                    + " is unknown; use rekognition, embedded or cascade");
        };
    }

    /** Rekognition asked for every label the policy could act on, with images fitted to its limits. */
    public static RekognitionEngine rekognitionEngine(RekognitionClient rekognition, Policy policy,
                                                      boolean sendS3References) {
        return new RekognitionEngine(rekognition, new RekognitionImages(new ImageDecoder()), policy.lowestThreshold(),
                sendS3References);
    }
}
