package dev.sentinel.wiring;

import dev.sentinel.api.LikenessRoutes;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.engine.RekognitionEngine;
import dev.sentinel.image.ImageDecoder;
import dev.sentinel.likeness.AlertSubscriptions;
import dev.sentinel.likeness.LikenessAlerts;
import dev.sentinel.likeness.LikenessGuard;
import dev.sentinel.likeness.LikenessSettings;
import dev.sentinel.likeness.RekognitionFaceCollection;
import dev.sentinel.likeness.RekognitionFaceLocator;
import dev.sentinel.likeness.SnsAlertSubscriptions;
import dev.sentinel.likeness.SnsLikenessAlerts;
import dev.sentinel.likeness.registry.LikenessRegistry;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoHashBank;
import dev.sentinel.store.DynamoLikenessMatches;
import dev.sentinel.store.DynamoLikenessStore;
import dev.sentinel.store.DynamoVerdictStore;
import java.time.Clock;
import java.time.Duration;

/**
 * Wires likeness protection from settings and SDK clients: the scan function's guard (searches only) and the
 * registration function's registry and routes (indexes and deletes only).
 */
public final class LikenessWiring {

    private LikenessWiring() {
    }

    /**
     * The scan's likeness check. Alerts go to {@link LikenessSettings#alertsTopic} when one is set.
     *
     * @param images     the Rekognition image sender the scan's face-age check uses too (S3 reference or inline)
     * @param casesTable where matches are recorded
     * @param log        the scan function's log
     * @param budget     how long one image's searches may go on before it is held instead
     */
    public static LikenessGuard guard(LikenessSettings settings, AwsClients clients, RekognitionEngine images,
                                      String casesTable, Clock clock, StructuredLog log, Duration budget) {
        RekognitionFaceLocator faces = new RekognitionFaceLocator(clients.rekognition(), images);
        if (settings.searchedElsewhere()) {
            return LikenessGuard.searchedByTheScanFunction(faces, clock, log);
        }
        if (casesTable == null) {
            throw new IllegalStateException("likeness protection records matches in the cases table: set CASES_TABLE");
        }
        LikenessAlerts alerts = settings.alertsTopic() == null ? LikenessAlerts.none()
                : new SnsLikenessAlerts(clients.sns(), settings.alertsTopic());
        return new LikenessGuard(faces, new RekognitionFaceCollection(clients.rekognition(), settings.collectionId()),
                new DynamoLikenessMatches(clients.dynamo(), casesTable), alerts, settings, new ImageDecoder(), clock,
                log, budget);
    }

    /** The registration function's registry, from its environment. */
    public static LikenessRegistry registry(FunctionEnvironment environment) {
        LikenessSettings settings = environment.likenessSettings();
        if (settings == null) {
            throw new IllegalStateException("the likeness function needs LIKENESS_COLLECTION");
        }
        return registry(settings, environment.clients(), environment.variable("HASH_BANK_TABLE"),
                environment.variable("CASES_TABLE"), environment.clock());
    }

    /** The registration function's routes, from its environment. */
    public static Router router(FunctionEnvironment environment, LikenessRegistry registry) {
        return router(registry, environment.likenessSettings(), environment.clients(),
                environment.variable("VERDICTS_TABLE"), environment.variable("CASES_TABLE"), environment.log(),
                environment.clock());
    }

    /** The registration function's registry: enrolment, hashes, withdrawal and the scheduled expiry. */
    public static LikenessRegistry registry(LikenessSettings settings, AwsClients clients, String hashBankTable,
                                            String casesTable, Clock clock) {
        if (settings.table() == null || hashBankTable == null || casesTable == null) {
            throw new IllegalStateException("the likeness function needs LIKENESS_TABLE, HASH_BANK_TABLE and "
                    + "CASES_TABLE");
        }
        // No topic, no alerts: then nothing is subscribed either.
        AlertSubscriptions subscriptions = settings.alertsTopic() == null ? AlertSubscriptions.none()
                : new SnsAlertSubscriptions(clients.sns(), settings.alertsTopic());
        return new LikenessRegistry(new RekognitionFaceCollection(clients.rekognition(), settings.collectionId()),
                new DynamoLikenessStore(clients.dynamo(), settings.table()),
                new DynamoHashBank(clients.dynamo(), hashBankTable, Duration.ofMinutes(5), clock),
                new DynamoCaseStore(clients.dynamo(), casesTable), subscriptions, settings, clock);
    }

    /** The registration function's routes. */
    public static Router router(LikenessRegistry registry, LikenessSettings settings, AwsClients clients,
                                String verdictTable, String casesTable, StructuredLog log, Clock clock) {
        return new LikenessRoutes(registry, new DynamoLikenessMatches(clients.dynamo(), casesTable),
                new DynamoVerdictStore(clients.dynamo(), verdictTable), new DynamoCaseStore(clients.dynamo(),
                casesTable), clock).register(new Router(log));
    }
}
