package dev.sentinel.local;

import static dev.sentinel.testing.ApiFixture.explicit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sentinel.api.ApiSettings;
import dev.sentinel.api.Groups;
import dev.sentinel.api.Router;
import dev.sentinel.aws.AwsClients;
import dev.sentinel.cases.Actor;
import dev.sentinel.cases.ReviewService;
import dev.sentinel.config.ScanSettings;
import dev.sentinel.functions.appeal.AppealApiHandler;
import dev.sentinel.functions.likeness.LikenessApiHandler;
import dev.sentinel.functions.moderation.ModerationApiHandler;
import dev.sentinel.functions.notice.NoticeApiHandler;
import dev.sentinel.functions.operations.OperationsApiHandler;
import dev.sentinel.functions.review.ReviewApiHandler;
import dev.sentinel.image.JpegCopies;
import dev.sentinel.json.Json;
import dev.sentinel.local.aws.MarkedFaces;
import dev.sentinel.local.aws.RekognitionStandIn;
import dev.sentinel.local.iam.FunctionRoles;
import dev.sentinel.log.StructuredLog;
import dev.sentinel.objects.ETag;
import dev.sentinel.objects.ObjectRef;
import dev.sentinel.scan.ObjectEvent;
import dev.sentinel.scan.ScanServiceBuilder;
import dev.sentinel.store.CaseTable;
import dev.sentinel.store.DynamoVerdictStore;
import dev.sentinel.testing.ApiFixture;
import dev.sentinel.testing.ApiFixture.StreamHandler;
import dev.sentinel.testing.HttpApiEvent;
import dev.sentinel.testing.TestAws;
import dev.sentinel.testing.TestImages;
import dev.sentinel.verdict.Verdict;
import dev.sentinel.wiring.ApiRouterBuilder;
import dev.sentinel.wiring.LikenessWiring;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Who may do what, route by route: every route of docs/openapi.yaml called through the real API functions, as each
 * kind of caller, on real data made by the real pipelines (local S3, DynamoDB, SQS and the Rekognition stand-in),
 * each function calling AWS with its deployed role. What every call must answer is written once, in {@link #MATRIX}.
 */
class AuthorizationMatrixTest {

    /**
     * One row per route and what is asked for, one column per caller. The data belongs to application A (keys under
     * its sub, its checks, its appeals) and to notifier N1 (its notice); B (another application) and N2 (another
     * notifier) ask for what is not theirs; rev is a reviewer, adm an admin, none a caller in no group, anon a caller
     * without a token. In each cell:
     * <ul>
     *   <li>2xx: allowed, and answered with the data;</li>
     *   <li>403: denied, with a problem document of type, title, status and detail only, naming nothing of what was
     *   asked for (no id, key, version, hash or label);</li>
     *   <li>404: not found, with a problem document as bare.</li>
     * </ul>
     * Without a token, the JWT authorizer refuses every route but the console's (open: no authorizer) before any
     * function, and the function refuses it again. Every route of docs/openapi.yaml has a row, and no other route.
     */
    private static final String MATRIX = """
            route                                     | asked for           | A    | B    | rev  | adm  | N1   | N2   | none | anon | reg  | P1   | P2
            POST /moderations                         | A's object          | 2xx  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /moderations                         | A's object, dry run | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /moderations                         | an inline image     | 2xx  | 2xx  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /moderations/{id}                     | A's check           | 2xx  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /moderations/{id}                     | A's inline check    | 2xx  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /moderations/{id}                     | A's queued check    | 2xx  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /moderations/{id}                     | A's upload          | 2xx  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /moderations/{id}                     | an unknown id       | 403  | 403  | 404  | 404  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /moderations/{id}/audit               | A's check           | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /verdicts/{bucket}/{key+}             | A's object          | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /reviews                              | the queue           | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /reviews/{id}/decision               | A's pending verdict | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /reviews/{id}/preview                 | A's quarantine copy | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /reviews/{id}/preview                 | a child-safety item | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /child-safety-reports/{id}            | a child-safety item | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /reports/transparency                 | the last 30 days    | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /notices                             | A's object          | 403  | 403  | 2xx  | 2xx  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403
            GET /notices/{id}                         | N1's notice         | 403  | 403  | 2xx  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403
            POST /appeals                             | A's restriction     | 2xx  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /appeals                             | an unknown id       | 403  | 403  | 403  | 404  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /appeals/{id}                         | A's appeal          | 2xx  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /appeals/{id}/decision               | A's appeal          | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /hash-lists                          | one sha256 line     | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /hash-lists                           | the bank            | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /admin/rescans                       | A's prefix          | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            POST /admin/redrives                      | the dead letters    | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /admin/redrives                       | the redrives        | 403  | 403  | 403  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            GET /console                              | the page            | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx
            GET /console/{asset}                      | its script          | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx  | 2xx
            GET /console/{asset}                      | an unknown name     | 404  | 404  | 404  | 404  | 404  | 404  | 404  | 404  | 404  | 404  | 404
            POST /likeness/registrations              | a person's photos   | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 2xx  | 2xx  | 2xx
            GET /likeness/registrations/{id}          | P1's registration   | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 2xx  | 2xx  | 403
            GET /likeness/registrations/{id}          | an unknown id       | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 404  | 403  | 403
            POST /likeness/registrations/{id}/hashes  | P1's registration   | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 2xx  | 2xx  | 403
            POST /likeness/registrations/{id}/renewal | P1's registration   | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 2xx  | 2xx  | 403
            DELETE /likeness/registrations/{id}       | P1's registration   | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 403  | 2xx  | 2xx  | 403
            POST /likeness/matches/{id}/finding       | a likeness match    | 403  | 403  | 2xx  | 2xx  | 403  | 403  | 403  | 403  | 403  | 403  | 403
            """;

    private enum Expected {
        ALLOW("2xx"), DENY("403"), NOT_FOUND("404");

        final String cell;

        Expected(String cell) {
            this.cell = cell;
        }

        static Expected of(String cell) {
            return java.util.Arrays.stream(values()).filter(e -> e.cell.equals(cell)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("not an answer of the matrix: " + cell));
        }
    }

    /** The callers, in the matrix's column order. */
    private enum Caller {
        A("A", "app-a", Groups.UPLOADER_APP),
        B("B", "app-b", Groups.UPLOADER_APP),
        REVIEWER("rev", "rev-1", Groups.REVIEWER),
        ADMIN("adm", "admin-1", Groups.ADMIN),
        N1("N1", "notifier-1", Groups.NOTIFIER),
        N2("N2", "notifier-2", Groups.NOTIFIER),
        NO_GROUP("none", "nobody-1"),
        ANONYMOUS("anon", null),
        REGISTRAR("reg", "registrar-1", Groups.LIKENESS_REGISTRAR),
        P1("P1", "person-1", Groups.PROTECTED_PERSON),
        P2("P2", "person-2", Groups.PROTECTED_PERSON);

        final String column;
        final String subject;
        final String[] groups;

        Caller(String column, String subject, String... groups) {
            this.column = column;
            this.subject = subject;
            this.groups = groups;
        }
    }

    private record Row(String route, String askedFor, List<Expected> expected) {
        String name() {
            return route + " | " + askedFor;
        }
    }

    private record Answer(int status, String contentType, String body) { }

    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final byte[] PHOTO = TestAws.photo("reg-test-input_labelme-subset_q1050.jpg");
    private static final byte[] BENIGN = TestAws.photo("reg-test-input_labelme-subset_q0003.jpg");
    private static final byte[] MINOR = TestAws.photo("reg-test-input_labelme-subset_q0291.jpg");

    private final ApiFixture fx = new ApiFixture();
    private final Map<String, StreamHandler> functions = new HashMap<>();
    /** Everything a refusal must not name: ids, keys, versions, hashes and labels of the data made here. */
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> made = new HashMap<>();
    private final Map<String, Supplier<HttpApiEvent>> requests = requests();
    private int fresh;
    private SqsClient queues;
    private String deadLetters;
    private String deadLettersArn;

    AuthorizationMatrixTest() {
        fx.labels(PHOTO, explicit(96));
        fx.faces(MINOR, new int[] {9, 13});
        serve(fx.moderationRouter(ApiSettings.Checks.DEFAULT), router -> new ModerationApiHandler(router));
        serve(fx.pipelineAs(ApiFixture.REVIEW).reviewRouter(), router -> new ReviewApiHandler(router, () -> { }));
        serve(fx.pipelineAs(ApiFixture.NOTICE).noticeRouter(), router -> new NoticeApiHandler(router));
        serve(fx.pipelineAs(ApiFixture.APPEAL).appealRouter(), router -> new AppealApiHandler(router));
        serve(operationsRouter(), router -> new OperationsApiHandler(router, () -> { }));
        serve(likenessRouter(), router -> new LikenessApiHandler(router, () -> { }));
        secrets.addAll(List.of(fx.uploads, fx.quarantine));
    }

    @Test
    void everyDocumentedRouteHasARowAndEveryRowADocumentedRoute() throws IOException {
        Set<String> documented = new TreeSet<>();
        JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(REPO.resolve("docs/openapi.yaml").toFile())
                .path("paths");
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method ->
                documented.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey())));
        Set<String> tabled = new TreeSet<>();
        rows().forEach(row -> tabled.add(row.route()));

        assertEquals(documented, tabled, "docs/openapi.yaml and the matrix's rows");
        assertEquals(documented, new TreeSet<>(functions.keySet()), "docs/openapi.yaml and the functions' routes");
        assertEquals(new TreeSet<>(requests.keySet()), new TreeSet<>(rows().stream().map(Row::name).toList()),
                "a request for every row, a row for every request");
    }

    @TestFactory
    Stream<DynamicContainer> everyRouteAnswersEachCallerAsTheMatrixSays() {
        return rows().stream().map(row -> DynamicContainer.dynamicContainer(row.name(),
                java.util.Arrays.stream(Caller.values()).map(caller -> DynamicTest.dynamicTest(caller.column,
                        () -> check(row, caller, row.expected().get(caller.ordinal()))))));
    }

    private void check(Row row, Caller caller, Expected expected) {
        Supplier<HttpApiEvent> request = requests.get(row.name());
        assertTrue(request != null, "no request for " + row.name());
        HttpApiEvent event = request.get();
        Answer answer = call(row.route(), caller, event, expected);
        String said = row.name() + " as " + caller.column + " -> " + answer.status() + " " + answer.body();
        switch (expected) {
            case ALLOW -> {
                assertTrue(answer.status() >= 200 && answer.status() < 300, said);
                assertNotEquals("application/problem+json", answer.contentType(), said);
            }
            case DENY -> assertBareProblem(403, answer, said);
            case NOT_FOUND -> assertBareProblem(404, answer, said);
        }
    }

    /** The status, a problem document with the four members of RFC 9457 and nothing of the data asked for. */
    private void assertBareProblem(int status, Answer answer, String said) {
        assertEquals(status, answer.status(), said);
        assertEquals("application/problem+json", answer.contentType(), said);
        JsonNode problem = json(answer.body());
        List<String> members = new ArrayList<>();
        problem.fieldNames().forEachRemaining(members::add);
        assertEquals(Set.of("type", "title", "status", "detail"), Set.copyOf(members), said);
        assertEquals(status, problem.path("status").asInt(), said);
        for (String secret : secrets) {
            assertFalse(answer.body().contains(secret), "names '" + secret + "': " + said);
        }
    }

    /**
     * Calls the function that serves {@code route} as {@code caller}. Without a token, a route behind the JWT
     * authorizer never reaches a function (HttpApiEvent refuses to build such a request): the function is then
     * called with the authorizer's part taken out, as a second line.
     */
    private Answer call(String route, Caller caller, HttpApiEvent event, Expected expected) {
        ObjectNode json;
        if (caller != Caller.ANONYMOUS) {
            json = event.by(caller.subject, caller.groups).json();
        } else if (expected == Expected.DENY) {
            assertThrows(IllegalStateException.class, event::json, route + " is behind the JWT authorizer");
            json = event.by("anonymous").json();
            ((ObjectNode) json.get("requestContext")).remove("authorizer");
            ((ObjectNode) json.get("headers")).remove("authorization");
        } else {
            json = event.json();
        }
        StreamHandler function = functions.get(route);
        assertTrue(function != null, "no function serves " + route);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            function.handle(new ByteArrayInputStream(Json.mapper().writeValueAsBytes(json)), out);
            JsonNode response = Json.mapper().readTree(out.toByteArray());
            return new Answer(response.path("statusCode").asInt(), response.at("/headers/content-type").asText(),
                    response.path("body").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What each row asks for, made on first use; a request that changes what it names gets its own data. */
    private Map<String, Supplier<HttpApiEvent>> requests() {
        Map<String, Supplier<HttpApiEvent>> r = new LinkedHashMap<>();
        r.put("POST /moderations | A's object", () -> HttpApiEvent.of("POST /moderations")
                .body(Map.of("s3", Map.of("bucket", fx.uploads, "key", benignObject()))));
        r.put("POST /moderations | A's object, dry run", () -> HttpApiEvent.of("POST /moderations")
                .body(Map.of("s3", Map.of("bucket", fx.uploads, "key", benignObject()), "dryRun", true)));
        r.put("POST /moderations | an inline image", () -> HttpApiEvent.of("POST /moderations")
                .body(Map.of("image", Base64.getEncoder().encodeToString(BENIGN))));
        r.put("GET /moderations/{id} | A's check", () -> HttpApiEvent.of("GET /moderations/{id}", ownCheck()));
        r.put("GET /moderations/{id} | A's inline check", () -> HttpApiEvent.of("GET /moderations/{id}",
                inlineCheck()));
        r.put("GET /moderations/{id} | A's queued check", () -> HttpApiEvent.of("GET /moderations/{id}",
                queuedCheck()));
        r.put("GET /moderations/{id} | A's upload", () -> HttpApiEvent.of("GET /moderations/{id}",
                once("upload", () -> scanned("app-a/uploaded.jpg", PHOTO, explicit(96))).verdictId()));
        r.put("GET /moderations/{id} | an unknown id", () -> HttpApiEvent.of("GET /moderations/{id}",
                "vd-" + "0".repeat(32)));
        r.put("GET /moderations/{id}/audit | A's check", () -> HttpApiEvent.of("GET /moderations/{id}/audit",
                ownCheck()));
        r.put("GET /verdicts/{bucket}/{key+} | A's object", () -> HttpApiEvent.of("GET /verdicts/{bucket}/{key+}",
                fx.uploads, verdict(ownCheck()).object().key()));
        r.put("GET /reviews | the queue", () -> {
            ownCheck();
            return HttpApiEvent.of("GET /reviews");
        });
        r.put("POST /reviews/{id}/decision | A's pending verdict", () -> HttpApiEvent.of(
                "POST /reviews/{id}/decision", freshQuarantined().verdictId())
                .body(Map.of("decision", ReviewService.CONFIRM, "reason", "Explicit; stays down.")));
        r.put("GET /reviews/{id}/preview | A's quarantine copy", () -> HttpApiEvent.of("GET /reviews/{id}/preview",
                ownCheck()));
        r.put("GET /reviews/{id}/preview | a child-safety item", () -> HttpApiEvent.of("GET /reviews/{id}/preview",
                childSafety()));
        r.put("GET /child-safety-reports/{id} | a child-safety item", () -> HttpApiEvent.of(
                "GET /child-safety-reports/{id}", childSafety()));
        r.put("GET /reports/transparency | the last 30 days", () -> {
            ownCheck();
            return HttpApiEvent.of("GET /reports/transparency");
        });
        r.put("POST /notices | A's object", () -> HttpApiEvent.of("POST /notices").body(notice()));
        r.put("GET /notices/{id} | N1's notice", () -> HttpApiEvent.of("GET /notices/{id}", noticeOfN1()));
        r.put("POST /appeals | A's restriction", () -> HttpApiEvent.of("POST /appeals")
                .body(appeal(freshConfirmed().verdictId())));
        r.put("POST /appeals | an unknown id", () -> HttpApiEvent.of("POST /appeals")
                .body(appeal("vd-" + "0".repeat(32))));
        r.put("GET /appeals/{id} | A's appeal", () -> HttpApiEvent.of("GET /appeals/{id}",
                once("appeal", this::freshAppeal)));
        r.put("POST /appeals/{id}/decision | A's appeal", () -> HttpApiEvent.of("POST /appeals/{id}/decision",
                freshAppeal()).body(Map.of("decision", "UPHOLD", "reason", "Explicit; the restriction stands.")));
        r.put("POST /hash-lists | one sha256 line", () -> HttpApiEvent.of("POST /hash-lists").body(Map.of(
                "format", "csv", "source", "matrix", "content", "hash,kind,category,source\n"
                        + ApiFixture.sha256("matrix".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        + ",sha256,test,matrix\n")));
        r.put("GET /hash-lists | the bank", () -> HttpApiEvent.of("GET /hash-lists"));
        r.put("POST /admin/rescans | A's prefix", () -> {
            benignObject();
            return HttpApiEvent.of("POST /admin/rescans").body(Map.of("bucket", fx.uploads, "prefix", "app-a/",
                    "limit", 1));
        });
        r.put("POST /admin/redrives | the dead letters", () -> {
            // Something to redrive, and no task still running: each call starts one.
            deadLetter();
            return HttpApiEvent.of("POST /admin/redrives");
        });
        r.put("GET /admin/redrives | the redrives", () -> HttpApiEvent.of("GET /admin/redrives"));
        r.put("POST /likeness/registrations | a person's photos", () -> HttpApiEvent.of(
                "POST /likeness/registrations").body(enrolment()));
        r.put("GET /likeness/registrations/{id} | P1's registration", () -> HttpApiEvent.of(
                "GET /likeness/registrations/{id}", once("registration", this::registrationOfP1)));
        r.put("GET /likeness/registrations/{id} | an unknown id", () -> HttpApiEvent.of(
                "GET /likeness/registrations/{id}", "lk-" + "0".repeat(32)));
        r.put("POST /likeness/registrations/{id}/hashes | P1's registration", () -> HttpApiEvent.of(
                "POST /likeness/registrations/{id}/hashes", once("registration", this::registrationOfP1))
                .body(Map.of("hashes", List.of("ab".repeat(32)))));
        r.put("POST /likeness/registrations/{id}/renewal | P1's registration", () -> HttpApiEvent.of(
                "POST /likeness/registrations/{id}/renewal", once("registration", this::registrationOfP1))
                .body(Map.of("consent", enrolment().get("consent"))));
        // Each withdrawal closes a registration of its own.
        r.put("DELETE /likeness/registrations/{id} | P1's registration", () -> HttpApiEvent.of(
                "DELETE /likeness/registrations/{id}", registrationOfP1()));
        r.put("POST /likeness/matches/{id}/finding | a likeness match", () -> HttpApiEvent.of(
                "POST /likeness/matches/{id}/finding", once("likeness-match", this::likenessMatch))
                .body(Map.of("samePerson", false, "reason", "A different person.")));
        r.put("GET /console | the page", () -> HttpApiEvent.of("GET /console"));
        r.put("GET /console/{asset} | its script", () -> HttpApiEvent.of("GET /console/{asset}", "console.js"));
        r.put("GET /console/{asset} | an unknown name", () -> HttpApiEvent.of("GET /console/{asset}",
                "index.html"));
        return r;
    }

    // ---- The data, made through the real pipelines --------------------------------------------------------------

    /** An image of A's in the uploads bucket, not checked yet (a check publishes it: it stays in place). */
    private String benignObject() {
        return once("benign", () -> {
            fx.upload("app-a/benign.jpg", BENIGN);
            secrets.add("app-a/benign.jpg");
            return "app-a/benign.jpg";
        });
    }

    /** A's on-demand check of its own upload: quarantined, waiting for a person. */
    private String ownCheck() {
        return once("check", () -> {
            fx.upload("app-a/checked.jpg", PHOTO);
            JsonNode answer = asA(HttpApiEvent.of("POST /moderations").body(Map.of("s3", Map.of("bucket",
                    fx.uploads, "key", "app-a/checked.jpg"))), 201);
            return remember(answer.at("/verdict/verdictId").asText()).verdictId();
        });
    }

    private String inlineCheck() {
        return once("inline", () -> {
            JsonNode answer = asA(HttpApiEvent.of("POST /moderations").body(Map.of("image",
                    Base64.getEncoder().encodeToString(PHOTO))), 201);
            return remember(answer.at("/verdict/verdictId").asText()).verdictId();
        });
    }

    /** A's check of an object larger than the checks read, queued for the scan function: no verdict yet. */
    private String queuedCheck() {
        return once("queued", () -> {
            fx.upload("app-a/large.jpg", PHOTO);
            secrets.add("app-a/large.jpg");
            Router smallReads = fx.moderationRouter(new ApiSettings.Checks(
                    ApiSettings.Checks.DEFAULT.rekognition(), 1_000));
            ModerationApiHandler function = new ModerationApiHandler(smallReads);
            JsonNode answer = call((in, out) -> function.handleRequest(in, out, null),
                    HttpApiEvent.of("POST /moderations").body(Map.of("s3", Map.of("bucket", fx.uploads,
                            "key", "app-a/large.jpg"))).by(Caller.A.subject, Caller.A.groups), 202);
            String id = answer.path("verdictId").asText();
            secrets.add(id);
            return id;
        });
    }

    private String childSafety() {
        return once("child-safety", () -> {
            Verdict verdict = scanned("app-a/beach.jpg", MINOR, explicit(90));
            assertEquals("CHILD_SAFETY", verdict.action().name());
            return verdict.verdictId();
        });
    }

    private Map<String, Object> notice() {
        String key = once("noticed", () -> scanned("app-a/noticed.jpg", BENIGN).object().key());
        return Map.of("category", "ILLEGAL_CONTENT", "object", Map.of("bucket", fx.uploads, "key", key),
                "notifier", Map.of("name", "Matrix Tester", "email", "tester@example.org"),
                "explanation", "Shows something illegal.", "goodFaith", true);
    }

    private String noticeOfN1() {
        return once("notice", () -> {
            JsonNode answer = call(functions.get("POST /notices"), HttpApiEvent.of("POST /notices").body(notice())
                    .by(Caller.N1.subject, Caller.N1.groups), 202);
            String id = answer.path("noticeId").asText();
            secrets.add(id);
            return id;
        });
    }

    /** An upload of A's with bytes of its own (a verdict of its own, not one reused), quarantined and pending. */
    private Verdict freshQuarantined() {
        int n = ++fresh;
        BufferedImage image = TestImages.decode(PHOTO);
        image.setRGB(n % image.getWidth(), 0, 0xFF0000 + n);
        byte[] bytes = TestImages.encode(image, "png");
        Verdict verdict = scanned("app-a/fresh-" + n + ".png", bytes, explicit(96));
        assertEquals("QUARANTINED", verdict.placement().state().name());
        return verdict;
    }

    /** A restriction a person confirmed: what an appeal contests. */
    private Verdict freshConfirmed() {
        Verdict quarantined = freshQuarantined();
        return fx.pipelineAs(ApiFixture.REVIEW).reviews().decide(quarantined.verdictId(), ReviewService.CONFIRM,
                "Explicit; stays down.", new Actor(Caller.REVIEWER.subject, List.of(Caller.REVIEWER.groups)));
    }

    /** A's appeal of a confirmed restriction of its own, lodged through the appeal function. */
    private String freshAppeal() {
        JsonNode answer = asA(HttpApiEvent.of("POST /appeals").body(appeal(freshConfirmed().verdictId())), 201);
        String id = answer.at("/appeal/appealId").asText();
        secrets.add(id);
        return id;
    }

    private static Map<String, Object> appeal(String verdictId) {
        return Map.of("verdictId", verdictId, "statement", "A marble statue, not nudity.");
    }

    private Verdict scanned(String key, byte[] bytes, RekognitionStandIn.Label... labels) {
        Verdict verdict = fx.uploadAndScan(key, bytes, labels);
        remember(verdict.verdictId());
        return verdict;
    }

    /** Reads the verdict as stored and adds what it names to what a refusal must never say. */
    private Verdict remember(String verdictId) {
        Verdict verdict = verdict(verdictId);
        secrets.add(verdictId);
        secrets.add(verdict.object().key());
        secrets.add(verdict.object().sha256());
        if (verdict.object().versionId() != null) {
            secrets.add(verdict.object().versionId());
        }
        if (verdict.placement().location() != null) {
            secrets.add(verdict.placement().location().key());
        }
        verdict.labels().forEach(label -> secrets.add(label.name()));
        return verdict;
    }

    private Verdict verdict(String verdictId) {
        return new DynamoVerdictStore(fx.aws.clients().dynamo(), fx.verdictTable).find(verdictId).orElseThrow();
    }

    /** A's request, which must succeed with {@code status}: setting up, not under test. */
    private JsonNode asA(HttpApiEvent event, int status) {
        HttpApiEvent byA = event.by(Caller.A.subject, Caller.A.groups);
        return call(functions.get(byA.json().path("routeKey").asText()), byA, status);
    }

    private static JsonNode call(StreamHandler function, HttpApiEvent event, int status) {
        ApiFixture.Answer answer = ApiFixture.call(function, event.json());
        assertEquals(status, answer.status(), answer.body().toString());
        return answer.body();
    }

    @SuppressWarnings("unchecked")
    private <T> T once(String name, Supplier<T> make) {
        if (!made.containsKey(name)) {
            made.put(name, make.get());
        }
        return (T) made.get(name);
    }

    // ---- Likeness protection ------------------------------------------------------------------------------------

    private static final long P1_FACE = 0x91L;
    private final String collection = "faces-" + fx.uploads;
    private final String likenessTable = "likeness-" + fx.uploads;
    /** Every withdrawal row closes a fresh registration of P1's: more enrolments than a day allows by default. */
    private final dev.sentinel.likeness.LikenessSettings likeness = new dev.sentinel.likeness.LikenessSettings(
            collection, likenessTable, 98, 10, null, java.time.Period.ofYears(1), 100);

    /** A person enrolling themselves: one reference photo with one clear face, consent just given. */
    private Map<String, Object> enrolment() {
        BufferedImage canvas = JpegCopies.scaleOntoWhite(TestImages.decode(BENIGN), 400, 400);
        byte[] photo = JpegCopies.encode(MarkedFaces.draw(canvas, 100, 80, 200, P1_FACE), 0.92f);
        return Map.of("photos", List.of(Base64.getEncoder().encodeToString(photo)),
                "consent", Map.of("consentedBy", "Person One", "onBehalfOf", "SELF", "scope", "likeness-protection",
                        "noticeVersion", "notice-1", "consentedAt", java.time.Instant.now().minusSeconds(60).toString()),
                "contact", "person-1@example.org");
    }

    /** P1's own registration, enrolled with P1's token. */
    private String registrationOfP1() {
        JsonNode answer = call(functions.get("POST /likeness/registrations"), HttpApiEvent.of(
                "POST /likeness/registrations").body(enrolment()).by(Caller.P1.subject, Caller.P1.groups), 201);
        String id = answer.path("registrationId").asText();
        secrets.add(id);
        return id;
    }

    /** A sexual image of the registered P1, quarantined by the scan function with a likeness match. */
    private String likenessMatch() {
        once("registration", this::registrationOfP1);
        BufferedImage canvas = JpegCopies.scaleOntoWhite(TestImages.decode(PHOTO), 700, 500);
        byte[] bytes = JpegCopies.encode(MarkedFaces.draw(canvas, 300, 150, 160, P1_FACE), 0.9f);
        fx.labels(bytes, new RekognitionStandIn.Label("Swimwear or Underwear", "", 1, 90));
        fx.detectFaces(bytes, RekognitionStandIn.markedFaces(bytes, 25, 33));
        var put = fx.upload("app-a/likeness.jpg", bytes);
        ScanSettings settings = fx.scanSettings.withLikeness(likeness);
        var outcome = ScanServiceBuilder.of(settings, fx.aws.asFunction(ApiFixture.SCAN, TestAws.environmentOf(
                settings)), StructuredLog.discard(), java.time.Clock.systemUTC()).service()
                .scan(new ObjectEvent(new ObjectRef(
                fx.uploads, "app-a/likeness.jpg", put.versionId()), ETag.unquoted(put.eTag()),
                (long) bytes.length, "ObjectCreated:Put", java.time.Instant.now()));
        Verdict verdict = ((dev.sentinel.scan.ScanOutcome.Decided) outcome).verdict();
        assertTrue(verdict.reasons().stream().anyMatch(r -> r.code().name().equals("LIKENESS_MATCH")),
                verdict.reasons().toString());
        return remember(verdict.verdictId()).verdictId();
    }

    /** The likeness function over this deployment's collection and tables, with its own role. */
    private Router likenessRouter() {
        CaseTable.createIfMissing(fx.aws.clients().dynamo(), likenessTable);
        fx.aws.clients().rekognition().createCollection(b -> b.collectionId(collection));
        Map<String, String> environment = new HashMap<>();
        environment.put("VERDICTS_TABLE", fx.verdictTable);
        environment.put("HASH_BANK_TABLE", fx.hashBankTable);
        environment.put("CASES_TABLE", fx.casesTable);
        environment.put("LIKENESS_COLLECTION", collection);
        environment.put("LIKENESS_TABLE", likenessTable);
        AwsClients clients = fx.aws.asFunction("LikenessApiFunction", environment);
        var registry = LikenessWiring.registry(likeness, clients, fx.hashBankTable, fx.casesTable,
                java.time.Clock.systemUTC());
        return LikenessWiring.router(registry, likeness, clients, fx.verdictTable, fx.casesTable,
                StructuredLog.discard(), java.time.Clock.systemUTC());
    }

    // ---- The functions ------------------------------------------------------------------------------------------

    private void serve(Router router, java.util.function.Function<Router,
            com.amazonaws.services.lambda.runtime.RequestStreamHandler> function) {
        var handler = function.apply(router);
        for (String route : router.routeKeys()) {
            assertFalse(functions.containsKey(route), route + " is served twice");
            functions.put(route, (in, out) -> handler.handleRequest(in, out, null));
        }
    }

    /** The operations function over a scan queue and its dead-letter queue in ElasticMQ, with its own role. */
    private Router operationsRouter() {
        queues = AwsClients.sqs(Region.US_EAST_1, StaticCredentialsProvider.create(AwsBasicCredentials.create(
                "test", "test")), fx.aws.servers().sqsEndpoint());
        deadLetters = queues.createQueue(b -> b.queueName("authz-dlq-" + fx.uploads)).queueUrl();
        deadLettersArn = queues.getQueueAttributes(b -> b.queueUrl(deadLetters)
                .attributeNamesWithStrings("QueueArn")).attributesAsStrings().get("QueueArn");
        String scanQueue = queues.createQueue(b -> b.queueName("authz-scan-" + fx.uploads).attributesWithStrings(
                Map.of("RedrivePolicy", "{\"deadLetterTargetArn\":\"" + deadLettersArn
                        + "\",\"maxReceiveCount\":\"2\"}"))).queueUrl();
        Map<String, String> environment = new HashMap<>(TestAws.environmentOf(fx.scanSettings));
        environment.put("SCAN_QUEUE_URL", scanQueue);
        environment.put("SCAN_DEAD_LETTER_QUEUE_URL", deadLetters);
        AwsClients operations = fx.aws.asFunction(ApiFixture.OPERATIONS, environment);
        SqsClient operationsSqs = AwsClients.sqs(Region.US_EAST_1, FunctionRoles.credentialsFor(
                ApiFixture.OPERATIONS), fx.aws.servers().sqsEndpoint());
        return ApiRouterBuilder.operationsRouter(fx.scanSettings, operations, operationsSqs, scanQueue, deadLetters,
                StructuredLog.discard());
    }

    private void deadLetter() {
        String body = ApiFixture.sample("sqs-s3-put-jpeg.json").at("/Records/0/body").asText();
        queues.sendMessage(b -> b.queueUrl(deadLetters).messageBody(body));
        // A move task from an earlier call must have finished, or the next start is refused as running.
        for (int i = 0; i < 100; i++) {
            var tasks = queues.listMessageMoveTasks(b -> b.sourceArn(deadLettersArn)).results();
            if (tasks.stream().noneMatch(t -> "RUNNING".equals(t.status()))) {
                return;
            }
            sleep(50);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- The matrix ---------------------------------------------------------------------------------------------

    private static List<Row> rows() {
        Iterator<String> lines = MATRIX.lines().filter(line -> !line.isBlank()).iterator();
        List<String> header = cells(lines.next());
        List<String> columns = java.util.Arrays.stream(Caller.values()).map(c -> c.column).toList();
        assertEquals(columns, header.subList(2, header.size()), "the matrix's columns");
        List<Row> rows = new ArrayList<>();
        while (lines.hasNext()) {
            List<String> cells = cells(lines.next());
            assertEquals(header.size(), cells.size(), String.join(" | ", cells));
            rows.add(new Row(cells.get(0), cells.get(1), cells.subList(2, cells.size()).stream()
                    .map(Expected::of).toList()));
        }
        return rows;
    }

    private static List<String> cells(String line) {
        return java.util.Arrays.stream(line.split("\\|")).map(String::trim).toList();
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
