package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.aws.SampleEvents;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.scan.S3Notifications;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.store.VerdictTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Each function's deployment jar as Lambda gets it (functions/&lt;module&gt;/target/&lt;module&gt;.jar): it carries
 * the SDK service clients its code calls and no other, no HTTP client but url-connection-client, and started
 * alone in a new JVM it answers a sample event from events/ against the local servers. A jar that lacks a class
 * its code path needs fails here with NoClassDefFoundError, which no test on a module's own (complete) class path
 * can see. It needs the jars of the package phase: in {@code mvn verify} every function module is packaged before
 * local/runner, which depends on them all, runs its tests.
 */
class LeanFunctionJarsTest {

    /** The uploads bucket the sample events name. */
    private static final String UPLOADS = "sentinel-uploads-example";
    private static final String QUARANTINE = "lean-quarantine";
    /** Where an HTTP client's classes would be: the SDK's own clients and the stacks they wrap. */
    private static final Pattern HTTP_CLIENT = Pattern.compile(
            "(software/amazon/awssdk/http/(?!auth/|async/)[a-z0-9]+|org/apache/hc|org/apache/http|io/netty"
                    + "|software/amazon/awssdk/crt[a-z]*)/.*");
    private static final Pattern SERVICE = Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/.*");

    private static final Path REPO = SampleEvents.directory().getParent();
    private static LocalAws servers;
    private static AwsClients clients;
    private static Map<String, String> environment;

    @TempDir
    static Path work;

    @BeforeAll
    static void deployLocally() throws IOException {
        servers = LocalAws.shared();
        clients = AwsClients.create(new AwsClients.Settings(Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("lean", "lean")), servers.s3Endpoint(),
                servers.dynamoEndpoint(), servers.rekognitionEndpoint(), true, 1,
                AwsClients.Settings.DEFAULT_REKOGNITION_ATTEMPT_TIMEOUT, servers.sqsEndpoint()));
        for (String bucket : List.of(UPLOADS, QUARANTINE)) {
            clients.s3().createBucket(b -> b.bucket(bucket));
            clients.s3().putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        VerdictTable.createIfMissing(clients.dynamo(), "lean-verdicts");
        CaseTable.createIfMissing(clients.dynamo(), "lean-cases");
        CaseTable.createIfMissing(clients.dynamo(), "lean-bank");
        String deadLetters = clients.sqs().createQueue(b -> b.queueName("lean-dlq")).queueUrl();
        String scans = clients.sqs().createQueue(b -> b.queueName("lean-scan")).queueUrl();
        // Rekognition reads S3Object images from the buckets, as the real service does, and finds nothing.
        RekognitionStandIn standIn = servers.rekognition();
        standIn.reset();
        standIn.readS3With(at -> clients.s3().getObjectAsBytes(b -> b.bucket(at.bucket()).key(at.name())
                .versionId(at.version())).asByteArray());
        standIn.respondWith(request -> request.operation().equals("DetectFaces")
                ? RekognitionStandIn.faces(List.of()) : RekognitionStandIn.moderationLabels(List.of()));

        environment = new LinkedHashMap<>();
        environment.put("AWS_REGION", "us-east-1");
        environment.put("AWS_ACCESS_KEY_ID", "lean");
        environment.put("AWS_SECRET_ACCESS_KEY", "lean");
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        environment.put("AWS_ENDPOINT_URL_S3", servers.s3Endpoint().toString());
        environment.put("AWS_ENDPOINT_URL_DYNAMODB", servers.dynamoEndpoint().toString());
        environment.put("AWS_ENDPOINT_URL_REKOGNITION", servers.rekognitionEndpoint().toString());
        environment.put("AWS_ENDPOINT_URL_SQS", servers.sqsEndpoint().toString());
        environment.put("UPLOAD_BUCKETS", UPLOADS);
        environment.put("QUARANTINE_BUCKET", QUARANTINE);
        environment.put("VERDICTS_TABLE", "lean-verdicts");
        environment.put("CASES_TABLE", "lean-cases");
        environment.put("HASH_BANK_TABLE", "lean-bank");
        environment.put("MODERATION_ENGINE", "rekognition");
        environment.put("SCAN_QUEUE_URL", scans);
        environment.put("SCAN_DEAD_LETTER_QUEUE_URL", deadLetters);
    }

    @AfterAll
    static void closeClients() {
        clients.close();
    }

    @Test
    void scanUploadCarriesS3DynamoDbAndRekognitionAndScansAnUpload() throws Exception {
        JsonNode event = SampleEvents.withFacts(SampleEvents.load("s3-put-jpeg.json"),
                (bucket, key) -> upload(bucket, key, "street-q0291.jpg"));
        long asked = servers.rekognition().count("DetectModerationLabels");

        List<JsonNode> answers = run("scan-upload", "dev.sentinel.functions.scan.ScanUploadHandler",
                Set.of("s3", "dynamodb", "rekognition", "sns"), event);

        assertEquals(0, answers.get(0).path("batchItemFailures").size(), answers.get(0).toString());
        assertEquals("approved", clients.s3().getObjectTagging(b -> b.bucket(UPLOADS).key("users/alice/holiday.jpg"))
                .tagSet().stream().filter(t -> t.key().equals("moderation")).findFirst().orElseThrow().value());
        assertEquals(asked + 1, servers.rekognition().count("DetectModerationLabels"));
    }

    @Test
    void moderationApiCarriesS3DynamoDbRekognitionAndSqsAndChecksAnObject() throws Exception {
        upload(UPLOADS, "3f9a7d2e-image-generator/generated/2026/11/output-0042.png", "street-q2821.jpg");
        long asked = servers.rekognition().count("DetectModerationLabels");

        JsonNode answer = run("moderation-api", "dev.sentinel.functions.moderation.ModerationApiHandler",
                Set.of("s3", "dynamodb", "rekognition", "sqs"), SampleEvents.load("api-post-moderation-s3.json"))
                .get(0);

        assertEquals(201, answer.path("statusCode").asInt(), answer.toString());
        assertEquals("ALLOW", body(answer).path("verdict").path("action").asText(), answer.toString());
        assertEquals(asked + 1, servers.rekognition().count("DetectModerationLabels"));
    }

    @Test
    void likenessApiCarriesDynamoDbAndRekognitionOnlyAndAnswersARead() throws Exception {
        CaseTable.createIfMissing(clients.dynamo(), "lean-likeness");
        clients.rekognition().createCollection(b -> b.collectionId("lean-faces"));
        environment.put("LIKENESS_COLLECTION", "lean-faces");
        environment.put("LIKENESS_TABLE", "lean-likeness");
        try {
            // No S3 client in the jar: reference photos cannot be stored by this function even by mistake.
            JsonNode answer = run("likeness-api", "dev.sentinel.functions.likeness.LikenessApiHandler",
                    Set.of("dynamodb", "rekognition"), SampleEvents.load("api-get-likeness-registration.json")).get(0);
            assertEquals(404, answer.path("statusCode").asInt(), answer.toString());
        } finally {
            environment.remove("LIKENESS_COLLECTION");
            environment.remove("LIKENESS_TABLE");
        }
    }

    @Test
    void reviewApiCarriesS3AndDynamoDbAndListsTheQueue() throws Exception {
        JsonNode answer = run("review-api", "dev.sentinel.functions.review.ReviewApiHandler", Set.of("s3", "dynamodb"),
                SampleEvents.load("api-get-reviews.json")).get(0);

        assertEquals(200, answer.path("statusCode").asInt(), answer.toString());
        assertTrue(body(answer).path("items").isArray(), answer.toString());
    }

    @Test
    void noticeApiCarriesS3AndDynamoDbAndHidesTheNamedObject() throws Exception {
        upload(UPLOADS, "users/bob/generated.jpg", "wee.jpg");

        JsonNode answer = run("notice-api", "dev.sentinel.functions.notice.NoticeApiHandler", Set.of("s3", "dynamodb"),
                SampleEvents.load("api-post-notice.json")).get(0);

        assertEquals(202, answer.path("statusCode").asInt(), answer.toString());
        assertEquals("held", clients.s3().getObjectTagging(b -> b.bucket(UPLOADS).key("users/bob/generated.jpg"))
                .tagSet().stream().filter(t -> t.key().equals("moderation")).findFirst().orElseThrow().value());
    }

    @Test
    void appealApiCarriesS3AndDynamoDbAndLodgesAnAppeal() throws Exception {
        // Only a restriction a person confirmed can be appealed: quarantined here, confirmed in process.
        servers.rekognition().respondWith(request -> request.operation().equals("DetectFaces")
                ? RekognitionStandIn.faces(List.of())
                : RekognitionStandIn.moderationLabels(List.of(new RekognitionStandIn.Label("Explicit", "", 1, 97))));
        String verdictId;
        try {
            // Under the prefix of the sample's caller (its sub): an application appeals only its own objects.
            verdictId = scanInProcess("3f9a7d2e-image-generator/appealed.jpg");
        } finally {
            servers.rekognition().respondWith(request -> request.operation().equals("DetectFaces")
                    ? RekognitionStandIn.faces(List.of()) : RekognitionStandIn.moderationLabels(List.of()));
        }
        new dev.sentinel.wiring.ApiRouterBuilder(ScanSettings.fromEnvironment(environment),
                dev.sentinel.api.ApiSettings.fromEnvironment(environment), clients, StructuredLog.discard(),
                Clock.systemUTC()).reviews().decide(verdictId, dev.sentinel.cases.ReviewService.CONFIRM,
                "Explicit.", new dev.sentinel.cases.Actor("rev-1", List.of("reviewer")));
        ObjectNode event = (ObjectNode) SampleEvents.load("api-post-appeal.json");
        ObjectNode body = (ObjectNode) Json.mapper().readTree(event.get("body").asText());
        event.put("body", body.put("verdictId", verdictId).toString());

        JsonNode answer = run("appeal-api", "dev.sentinel.functions.appeal.AppealApiHandler", Set.of("s3", "dynamodb"),
                event).get(0);

        assertEquals(201, answer.path("statusCode").asInt(), answer.toString());
        assertEquals(verdictId, body(answer).path("appeal").path("verdictId").asText(), answer.toString());
    }

    @Test
    void operationsApiCarriesS3AndSqsAndQueuesARescan() throws Exception {
        upload(UPLOADS, "users/dave/again.jpg", "bridge-512.jpg");
        // The sample rescans users/ in the samples' uploads bucket; other tests here may have uploaded there too.
        long current = clients.s3().listObjectVersions(b -> b.bucket(UPLOADS).prefix("users/")).versions().stream()
                .filter(v -> Boolean.TRUE.equals(v.isLatest())).count();

        List<JsonNode> answers = run("operations-api", "dev.sentinel.functions.operations.OperationsApiHandler",
                Set.of("s3", "sqs"), SampleEvents.load("api-get-redrives.json"),
                SampleEvents.load("api-post-rescan.json"));

        assertEquals(200, answers.get(0).path("statusCode").asInt(), answers.get(0).toString());
        assertEquals(202, answers.get(1).path("statusCode").asInt(), answers.get(1).toString());
        assertEquals(current, body(answers.get(1)).path("enqueued").asInt(), answers.get(1).toString());
        String messages = clients.sqs().getQueueAttributes(b -> b.queueUrl(environment.get("SCAN_QUEUE_URL"))
                .attributeNamesWithStrings("ApproximateNumberOfMessages")).attributesAsStrings()
                .get("ApproximateNumberOfMessages");
        assertEquals(String.valueOf(current), messages);
    }

    /**
     * Every route and schedule of each API function, from the sample events, answered by the function's jar alone
     * in one new JVM: a class the jar leaves out (an image decoder, the embedded engine, a part of an SDK module)
     * shows as a crashed request (500) or as the child's error. The ids the samples name mostly do not exist
     * here, so 4xx answers are expected; no answer may be 5xx. The review preview decodes and re-encodes a real
     * stored image. The rescan route has its own test (its messages would be counted there).
     */
    @Test
    void everyRouteOfEachApiFunctionAnswersFromItsOwnJar() throws Exception {
        String previewed = scanInProcess("users/erin/preview.jpg");
        ObjectNode preview = (ObjectNode) SampleEvents.load("api-get-review-preview.json");
        preview.put("rawPath", "/reviews/" + previewed + "/preview");
        ((ObjectNode) preview.get("pathParameters")).put("id", previewed);
        ObjectNode console = (ObjectNode) SampleEvents.load("api-get-reviews.json");
        console.put("routeKey", "GET /console/{asset}").put("rawPath", "/console/console.js").remove("rawQueryString");
        console.putObject("pathParameters").put("asset", "console.js");

        Map<String, List<JsonNode>> answers = new LinkedHashMap<>();
        answers.put("review-api", run("review-api", "dev.sentinel.functions.review.ReviewApiHandler",
                Set.of("s3", "dynamodb"), events("api-get-reviews.json", "api-post-review-decision.json",
                        "api-get-child-safety-report.json", "api-get-transparency-report.json",
                        "schedule-review-deadlines.json", preview, console)));
        answers.put("notice-api", run("notice-api", "dev.sentinel.functions.notice.NoticeApiHandler",
                Set.of("s3", "dynamodb"), events("api-get-notice.json", "api-post-notice.json")));
        answers.put("appeal-api", run("appeal-api", "dev.sentinel.functions.appeal.AppealApiHandler",
                Set.of("s3", "dynamodb"), events("api-get-appeal.json", "api-post-appeal.json",
                        "api-post-appeal-decision.json")));
        answers.put("operations-api", run("operations-api", "dev.sentinel.functions.operations.OperationsApiHandler",
                Set.of("s3", "sqs"), events("api-get-redrives.json", "api-post-redrive.json",
                        "schedule-queue-depths.json")));
        answers.put("moderation-api", run("moderation-api", "dev.sentinel.functions.moderation.ModerationApiHandler",
                Set.of("s3", "dynamodb", "rekognition", "sqs"), events("api-get-moderation.json",
                        "api-get-moderation-audit.json", "api-get-object-verdicts.json", "api-get-hash-lists.json",
                        "api-post-hash-list.json", "api-post-moderation-inline.json")));

        assertAll(answers.entrySet().stream().flatMap(function -> function.getValue().stream()
                .map(answer -> () -> assertTrue(answer.path("statusCode").asInt(200) < 500,
                        function.getKey() + " answered " + answer))));
        JsonNode previewAnswer = answers.get("review-api").get(5);
        assertEquals(200, previewAnswer.path("statusCode").asInt(), previewAnswer.toString());
        assertEquals("image/jpeg", body(previewAnswer).path("contentType").asText(), previewAnswer.toString());
    }

    /** Sample events by file name, or events already made. */
    private static JsonNode[] events(Object... samples) {
        return java.util.Arrays.stream(samples).map(sample -> sample instanceof JsonNode event ? event
                : SampleEvents.load((String) sample)).toArray(JsonNode[]::new);
    }

    /**
     * Each jar holds the library modules its function depends on and no other: the API functions that take no
     * on-demand checks (review, notice, appeal, operations, likeness) hold sentinel-core and sentinel-api, with no
     * scan path, no embedded engine and its weights, and no provenance readers; of them only likeness, which enrols
     * faces, calls Rekognition, and only review (previews) and likeness (reference photos) read WebP. The two
     * functions that scan hold every module.
     */
    @Test
    void eachFunctionJarCarriesTheLibraryModulesItUses() throws IOException {
        Set<String> core = Set.of("aws", "config", "engine", "hash", "image", "json", "log", "metrics", "objects",
                "policy", "quarantine", "runtime", "safety", "store", "verdict", "likeness");
        Set<String> api = union(core, Set.of("api", "cases", "queue", "report", "wiring", "likeness.registry"));
        Set<String> scan = union(api, Set.of("scan", "engine.embedded"));
        Map<String, Set<String>> packages = new LinkedHashMap<>();
        packages.put("scan-upload", union(scan, Set.of("functions.scan")));
        packages.put("moderation-api", union(scan, Set.of("functions.moderation")));
        packages.put("review-api", union(api, Set.of("functions.review")));
        packages.put("notice-api", union(api, Set.of("functions.notice")));
        packages.put("appeal-api", union(api, Set.of("functions.appeal")));
        packages.put("operations-api", union(api, Set.of("functions.operations")));
        packages.put("likeness-api", union(api, Set.of("functions.likeness")));
        Set<String> scanning = Set.of("scan-upload", "moderation-api");
        Set<String> decoding = Set.of("scan-upload", "moderation-api", "review-api", "likeness-api");
        Set<String> rekognition = Set.of("scan-upload", "moderation-api", "likeness-api");

        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (Map.Entry<String, Set<String>> function : packages.entrySet()) {
            String module = function.getKey();
            Set<String> carried = new TreeSet<>();
            Set<String> services = new TreeSet<>();
            boolean weights;
            boolean provenance;
            boolean webp;
            try (ZipFile zip = new ZipFile(jar(module).toFile())) {
                zip.stream().map(java.util.zip.ZipEntry::getName).forEach(name -> {
                    if (name.startsWith("dev/sentinel/") && name.endsWith(".class")) {
                        carried.add(name.substring("dev/sentinel/".length(), name.lastIndexOf('/')).replace('/', '.'));
                    }
                    Matcher service = SERVICE.matcher(name);
                    if (service.matches()) {
                        services.add(service.group(1));
                    }
                });
                weights = zip.stream().anyMatch(entry -> entry.getName().startsWith("models/nsfwjs/"));
                provenance = zip.getEntry("com/drew/imaging/ImageMetadataReader.class") != null;
                webp = zip.stream().anyMatch(entry -> entry.getName()
                        .startsWith("com/twelvemonkeys/imageio/plugins/webp/"));
            }
            boolean scans = scanning.contains(module);
            checks.add(() -> assertEquals(new TreeSet<>(function.getValue()), carried,
                    "dev.sentinel packages in " + module + ".jar"));
            checks.add(() -> assertEquals(scans, weights, "the embedded engine's weights in " + module + ".jar"));
            checks.add(() -> assertEquals(scans, provenance, "the provenance readers in " + module + ".jar"));
            checks.add(() -> assertEquals(decoding.contains(module), webp, "the WebP reader in " + module + ".jar"));
            checks.add(() -> assertEquals(rekognition.contains(module), services.contains("rekognition"),
                    "the Rekognition client in " + module + ".jar: " + services));
        }
        assertAll(checks);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> both = new TreeSet<>(a);
        both.addAll(b);
        return both;
    }

    /** A function's deployment jar, checked to be newer than the classes it is made of. */
    private static Path jar(String module) throws IOException {
        Path jar = REPO.resolve("functions").resolve(module).resolve("target").resolve(module + ".jar");
        List<Path> classes = new ArrayList<>(List.of(REPO.resolve("functions").resolve(module)
                .resolve("target/classes")));
        for (String library : List.of("core", "engine-embedded", "api", "scan")) {
            classes.add(REPO.resolve("shared").resolve(library).resolve("target/classes"));
        }
        assertTrue(Files.isRegularFile(jar) && Files.getLastModifiedTime(jar).toMillis() >= newestClass(
                classes.toArray(Path[]::new)), jar + " is missing or older than the classes it is made of: this test "
                + "needs the jars of the package phase (mvn verify)");
        return jar;
    }

    /**
     * Checks what the module's jar carries, then starts it alone with {@link FunctionInvoker} on {@code events}
     * and returns the handler's answers. The jar's contents and the child's exit are asserted together, so that a
     * missing client shows both as a wrong listing and as the child's error.
     */
    private static List<JsonNode> run(String module, String handler, Set<String> services, JsonNode... events)
            throws IOException, InterruptedException {
        Path jar = jar(module);
        Set<String> carried = new TreeSet<>();
        Set<String> httpClients = new TreeSet<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            zip.stream().map(java.util.zip.ZipEntry::getName).forEach(name -> {
                Matcher service = SERVICE.matcher(name);
                if (service.matches()) {
                    carried.add(service.group(1));
                }
                Matcher http = HTTP_CLIENT.matcher(name);
                if (http.matches()) {
                    httpClients.add(http.group(1));
                }
            });
        }

        Path dir = Files.createTempDirectory(work, module);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                invokerClasses() + java.io.File.pathSeparator + jar, FunctionInvoker.class.getName(), handler));
        for (int i = 0; i < events.length; i++) {
            Path file = dir.resolve("event-" + i + ".json");
            Json.mapper().writeValue(file.toFile(), events[i]);
            command.add(file.toString());
        }
        ProcessBuilder child = new ProcessBuilder(command).redirectOutput(dir.resolve("stdout").toFile())
                .redirectError(dir.resolve("stderr").toFile());
        child.environment().clear();
        child.environment().putAll(environment);
        Process process = child.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
        }
        String stderr = Files.readString(dir.resolve("stderr"));
        assertAll(module,
                () -> assertEquals(services, carried, "SDK service clients in " + jar),
                () -> assertEquals(Set.of("software/amazon/awssdk/http/urlconnection"), httpClients,
                        "HTTP clients in " + jar),
                () -> assertEquals(0, process.exitValue(), module + " failed alone in a new JVM:\n" + stderr));
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < events.length; i++) {
            answers.add(Json.mapper().readTree(dir.resolve("event-" + i + ".json.response").toFile()));
        }
        return answers;
    }

    private static long newestClass(Path... folders) throws IOException {
        long newest = 0;
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (var files = Files.walk(folder)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    newest = Math.max(newest, Files.getLastModifiedTime(file).toMillis());
                }
            }
        }
        return newest;
    }

    /** The invoker's class in a folder of its own, so the child sees no other class of this module. */
    private static Path invokerClasses() throws IOException {
        Path dir = work.resolve("invoker");
        String name = FunctionInvoker.class.getName().replace('.', '/') + ".class";
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            try (InputStream in = FunctionInvoker.class.getResourceAsStream("/" + name)) {
                Files.copy(in, file);
            }
        }
        return dir;
    }

    /**
     * Uploads a sample image from local/samples; each test uses its own, since a scan reuses the verdict of bytes
     * decided before and would then not call Rekognition.
     */
    private static SampleEvents.ObjectFacts upload(String bucket, String key, String sample) {
        byte[] image;
        try {
            image = Files.readAllBytes(REPO.resolve("local/samples").resolve(sample));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        PutObjectResponse put = clients.s3().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(image));
        return new SampleEvents.ObjectFacts(put.versionId(), put.eTag(), image.length);
    }

    /** A published verdict to appeal, made by the scan pipeline in this JVM. */
    private static String scanInProcess(String key) {
        JsonNode event = SampleEvents.s3Put(UPLOADS, key, upload(UPLOADS, key, "street-q0003.jpg"));
        ScanServiceBuilder.of(ScanSettings.fromEnvironment(environment), clients, StructuredLog.discard(),
                Clock.systemUTC()).batch().run(S3Notifications.parse(event));
        return new DynamoVerdictStore(clients.dynamo(), "lean-verdicts").historyOf(UPLOADS, key).get(0).verdictId();
    }

    private static JsonNode body(JsonNode answer) throws IOException {
        return Json.mapper().readTree(answer.path("body").asText());
    }
}
