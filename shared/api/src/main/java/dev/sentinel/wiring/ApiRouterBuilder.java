package dev.sentinel.wiring;

import dev.sentinel.api.ApiProblem;
import dev.sentinel.api.ApiRequest;
import dev.sentinel.api.ApiResponse;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.api.AppealRoutes;
import dev.sentinel.api.ConsoleAssets;
import dev.sentinel.api.Groups;
import dev.sentinel.api.HashListRoutes;
import dev.sentinel.api.ModerationRoutes;
import dev.sentinel.api.NoticeRoutes;
import dev.sentinel.api.OperationsRoutes;
import dev.sentinel.api.ReportRoutes;
import dev.sentinel.api.ReviewRoutes;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.cases.AppealService;
import dev.sentinel.cases.NoticeService;
import dev.sentinel.cases.OnDemandModeration;
import dev.sentinel.cases.ReviewPreviews;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.likeness.LikenessMatches;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.S3ObjectStore;
import dev.sentinel.quarantine.Quarantine;
import dev.sentinel.queue.QueuedRescans;
import dev.sentinel.store.DynamoCaseStore;
import dev.sentinel.store.DynamoHashBank;
import dev.sentinel.store.DynamoLikenessMatches;
import dev.sentinel.store.DynamoVerdictStore;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the API functions' routers from settings and SDK clients: what each API function builds once per container,
 * and what the local runner and the tests build the same way.
 */
public final class ApiRouterBuilder {

    private final ScanSettings scan;
    private final ApiSettings api;
    private final AwsClients clients;
    private final StructuredLog log;
    private final Clock clock;
    private final S3ObjectStore objects;
    private final DynamoVerdictStore verdicts;
    private final DynamoCaseStore cases;

    public ApiRouterBuilder(ScanSettings scan, ApiSettings api, AwsClients clients, StructuredLog log, Clock clock) {
        this.scan = scan;
        this.api = api;
        this.clients = clients;
        this.log = log;
        this.clock = clock;
        this.objects = new S3ObjectStore(clients.s3());
        this.verdicts = new DynamoVerdictStore(clients.dynamo(), scan.verdictTable());
        this.cases = new DynamoCaseStore(clients.dynamo(), api.casesTable());
    }

    /** As each API function builds it, from its environment. */
    public static ApiRouterBuilder forFunction(FunctionEnvironment environment) {
        return new ApiRouterBuilder(environment.scanSettings(), environment.apiSettings(), environment.clients(),
                environment.log(), environment.clock());
    }

    public ScanSettings scanSettings() {
        return scan;
    }

    public ApiSettings apiSettings() {
        return api;
    }

    public AwsClients clients() {
        return clients;
    }

    public StructuredLog log() {
        return log;
    }

    public Clock clock() {
        return clock;
    }

    /** The cases table, which also holds the audit trail. */
    public DynamoCaseStore cases() {
        return cases;
    }

    /**
     * {@code POST /moderations} and reading verdicts, and the hash lists. The checks come from the scan module
     * ({@code ScanServiceBuilder.onDemand}), which builds them from this builder's settings and clients; only the
     * functions that take checks carry it.
     */
    public Router moderationRouter(OnDemandModeration moderation) {
        Router router = new ModerationRoutes(moderation, verdicts, cases, api.appealWindow()).register(new Router(log));
        if (hashMatching(scan, clients, clock) instanceof DynamoHashBank bank) {
            new HashListRoutes(bank, clock).register(router);
        } else {
            router.add("POST /hash-lists", java.util.List.of(Groups.ADMIN), noBank())
                    .add("GET /hash-lists", java.util.List.of(Groups.ADMIN), noBank());
        }
        return router;
    }

    /**
     * Checks queued on the scan queue ({@code SCAN_QUEUE_URL}) as rescan requests: the scan function scans an object
     * that has no verdict as its upload would have been, with its own time, retries and dead-letter queue.
     */
    public static OnDemandModeration.CheckQueue scanQueue(SqsClient sqs, String queueUrl) {
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new dev.sentinel.config.ConfigurationException("on-demand checks need SCAN_QUEUE_URL, the scan "
                    + "queue that takes the checks an API request has no time for");
        }
        return ref -> {
            QueuedRescans queued = new QueuedRescans(sqs, queueUrl);
            queued.submit(ref);
            queued.flush();
        };
    }

    private static java.util.function.Function<ApiRequest, ApiResponse> noBank() {
        return request -> ApiResponse.problem(new ApiProblem(501, "urn:sentinel:problem:no-hash-bank",
                "No hash bank", "this deployment has no HASH_BANK_TABLE"));
    }

    /** The review routes, with the transparency report counting likeness matches from the cases table. */
    public Router reviewRouter() {
        return reviewRouter(new DynamoLikenessMatches(clients.dynamo(), api.casesTable()));
    }

    /** @param likeness counts likeness matches for the transparency report; null leaves that section out */
    public Router reviewRouter(LikenessMatches likeness) {
        Router router = new ReviewRoutes(reviews(), verdicts, cases, new ReviewPreviews(verdicts, objects,
                new dev.sentinel.image.ImageDecoder(), scan.maxObjectBytes())).register(new Router(log));
        // The transparency report reads the same two tables; the console is served by the API it mostly uses.
        new ReportRoutes(new dev.sentinel.report.TransparencyReports(verdicts, cases, clock, likeness), clock)
                .register(router);
        return ConsoleAssets.bundled().register(router);
    }

    /**
     * The review function's scheduled check of the review queue and notice deadlines.
     *
     * @param atRiskWithin how close a deadline counts as at risk
     */
    public dev.sentinel.cases.DeadlineWatch deadlineWatch(dev.sentinel.metrics.Metrics metrics,
                                                          java.time.Duration atRiskWithin) {
        return new dev.sentinel.cases.DeadlineWatch(verdicts, metrics, clock, atRiskWithin, log);
    }

    public Router noticeRouter() {
        return new NoticeRoutes(new NoticeService(verdicts, objects, cases, cases, api.deadlines(), clock))
                .register(new Router(log));
    }

    public Router appealRouter() {
        return new AppealRoutes(new AppealService(reviews(), cases, cases, clock), api.appealWindow())
                .register(new Router(log));
    }

    /**
     * {@code POST /admin/rescans} and the dead-letter redrive routes, over the scan queue and its dead-letter queue.
     */
    public static Router operationsRouter(ScanSettings scan, AwsClients clients, SqsClient sqs, String scanQueueUrl,
                                          String deadLetterQueueUrl, StructuredLog log) {
        if (scanQueueUrl == null || scanQueueUrl.isBlank() || deadLetterQueueUrl == null
                || deadLetterQueueUrl.isBlank()) {
            throw new dev.sentinel.config.ConfigurationException("operations need SCAN_QUEUE_URL and "
                    + "SCAN_DEAD_LETTER_QUEUE_URL");
        }
        return new OperationsRoutes(scan, new S3ObjectStore(clients.s3()), sqs, scanQueueUrl, deadLetterQueueUrl)
                .register(new Router(log));
    }

    public ReviewService reviews() {
        return new ReviewService(verdicts, objects, new Quarantine(objects, scan.quarantineBucket()), cases, clock,
                api.appealWindow(), hashMatching(scan, clients, clock));
    }

    /**
     * The hash bank when one is configured, for reviews here and for the scan path (ScanServiceBuilder); it is
     * loaded on first use and refreshed every five minutes.
     */
    public static HashMatching hashMatching(ScanSettings settings, AwsClients clients, Clock clock) {
        return settings.hashBankTable() == null ? HashMatching.none()
                : new DynamoHashBank(clients.dynamo(), settings.hashBankTable(), Duration.ofMinutes(5), clock);
    }
}
