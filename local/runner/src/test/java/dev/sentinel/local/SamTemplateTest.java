package dev.sentinel.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sentinel.store.VerdictTable;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads template.yaml as SAM would and checks what a broken deploy or a security slip would come from: handlers
 * that do not exist, code that is not built, policies naming resources that are not there, and the gates that
 * keep unscanned or quarantined images from being read.
 */
class SamTemplateTest {

    private static Path repo;
    private static JsonNode template;
    private static JsonNode resources;

    @BeforeAll
    static void readTemplate() throws IOException {
        repo = dev.sentinel.local.aws.SampleEvents.directory().getParent();
        // CloudFormation's short tags (!Ref, !Sub, !GetAtt) are read as plain scalars; the values are what we check.
        template = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("template.yaml").toFile());
        resources = template.get("Resources");
    }

    @Test
    void everyFunctionHandlerExistsAndSamBuildsItsModuleWithTheRootMakefile() throws Exception {
        List<String> functions = resourcesOfType("AWS::Serverless::Function");
        assertFalse(functions.isEmpty());
        // build-<LogicalId>: then $(call lambda,<module>): the module whose shaded jar the target lays out.
        Map<String, String> targets = new java.util.HashMap<>();
        Matcher target = Pattern.compile("(?m)^build-(\\w+):\\s*\\n\\t\\$\\(call lambda,([a-z0-9-]+)\\)")
                .matcher(Files.readString(repo.resolve("Makefile")));
        while (target.find()) {
            targets.put(target.group(1), target.group(2));
        }
        for (String name : functions) {
            JsonNode props = resources.get(name).get("Properties");
            String handler = props.get("Handler").asText();
            String[] parts = handler.split("::");
            Class<?> type = Class.forName(parts[0]);
            Method method = type.getMethod(parts[1], java.io.InputStream.class, java.io.OutputStream.class,
                    com.amazonaws.services.lambda.runtime.Context.class);
            assertEquals(void.class, method.getReturnType(), handler);
            type.getConstructor();

            // SAM copies the CodeUri folder and runs its Makefile: the project root, where the reactor is.
            assertEquals(".", props.get("CodeUri").asText(), name + " CodeUri");
            assertEquals("makefile", resources.get(name).at("/Metadata/BuildMethod").asText(), name);
            String module = targets.get(name);
            assertTrue(module != null, "the Makefile has no build-" + name + " target");
            Path pom = repo.resolve("functions").resolve(module).resolve("pom.xml");
            String pomText = Files.readString(pom);
            // The parent shades every function module to target/<artifactId>.jar; the target unpacks that jar.
            assertTrue(pomText.contains("<artifactId>" + module + "</artifactId>")
                    && pomText.contains("<artifactId>maven-shade-plugin</artifactId>"),
                    pom + " must be artifact " + module + " and shade to the jar the Makefile unpacks");
            assertTrue(Files.readString(repo.resolve("pom.xml")).contains(
                    "<outputFile>${project.build.directory}/${project.artifactId}.jar</outputFile>"));
            assertTrue(Files.readString(repo.resolve("pom.xml")).contains("<module>functions/" + module
                    + "</module>"), "the root build must build " + module);
            Path source = repo.resolve("functions").resolve(module).resolve("src/main/java")
                    .resolve(parts[0].replace('.', '/') + ".java");
            assertTrue(Files.isRegularFile(source), "build-" + name + " builds " + module
                    + ", so the handler source must live there: " + source);
        }
        assertEquals(new java.util.TreeSet<>(functions), new java.util.TreeSet<>(targets.keySet()),
                "one Makefile target per function");
    }

    @Test
    void everyFunctionLogsToItsOwnGroupWithTheRetentionParameter() {
        Set<String> groups = new HashSet<>();
        for (String function : resourcesOfType("AWS::Serverless::Function")) {
            String group = resources.get(function).at("/Properties/LoggingConfig/LogGroup").asText();
            assertEquals("AWS::Logs::LogGroup", resources.path(group).path("Type").asText(), function
                    + " LoggingConfig must name its log group in this template");
            assertEquals("LogRetentionDays", resources.get(group).at("/Properties/RetentionInDays").asText(), group);
            assertTrue(groups.add(group), group + " is shared");
        }
        for (String group : resourcesOfType("AWS::Logs::LogGroup")) {
            assertEquals("LogRetentionDays", resources.get(group).at("/Properties/RetentionInDays").asText(), group);
        }
    }

    @Test
    void dataThatOutlivesTheStackIsRetainedTogether() {
        // The evidence, its key, the images, the verdicts and cases, the users; and the bucket policies, without
        // which a retained bucket would lose its read gate.
        List<String> kept = new ArrayList<>();
        for (String type : List.of("AWS::KMS::Key", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::DynamoDB::Table",
                "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolGroup")) {
            kept.addAll(resourcesOfType(type));
        }
        assertTrue(kept.containsAll(List.of("QuarantineKey", "QuarantineBucket", "UploadsBucket", "VerdictsTable",
                "CasesTable", "HashBankTable", "UserPool")), kept.toString());
        for (String name : kept) {
            assertEquals("Retain", resources.get(name).path("DeletionPolicy").asText(), name + " DeletionPolicy");
            assertEquals("Retain", resources.get(name).path("UpdateReplacePolicy").asText(),
                    name + " UpdateReplacePolicy");
        }
    }

    @Test
    void everyPolicyNamesOnlyResourcesOfThisTemplate() {
        Set<String> names = new HashSet<>();
        resources.fieldNames().forEachRemaining(names::add);
        template.path("Parameters").fieldNames().forEachRemaining(names::add);
        // SAM makes <Function>Role for each function.
        for (String function : resourcesOfType("AWS::Serverless::Function")) {
            names.add(function + "Role");
        }
        List<String> referenced = new ArrayList<>();
        for (String function : resourcesOfType("AWS::Serverless::Function")) {
            collectReferences(resources.get(function).get("Properties").get("Policies"), referenced);
        }
        for (String bucketPolicy : resourcesOfType("AWS::S3::BucketPolicy")) {
            collectReferences(resources.get(bucketPolicy), referenced);
        }
        assertFalse(referenced.isEmpty());
        for (String ref : referenced) {
            if (!ref.startsWith("AWS::")) {
                assertTrue(names.contains(ref), "policy references " + ref + ", which this template does not define");
            }
        }
    }

    @Test
    void everyFunctionNamesItsResourcesAndTouchesOnlyTablesItIsConfiguredFor() {
        Pattern table = Pattern.compile("([A-Za-z]+Table)\\.Arn");
        for (String function : resourcesOfType("AWS::Serverless::Function")) {
            JsonNode props = resources.get(function).get("Properties");
            String environment = props.path("Environment").toString() + template.path("Globals").path("Function")
                    .path("Environment").toString();
            checkStatements(function, props.get("Policies"));
            Matcher tables = table.matcher(props.get("Policies").toString());
            while (tables.find()) {
                assertTrue(environment.contains("\"" + tables.group(1) + "\""), function + " may use "
                        + tables.group(1) + " but is not configured with it");
            }
        }
    }

    @Test
    void everyApiRouteNeedsTheJwtAuthorizerExceptTheConsolesStaticFiles() {
        JsonNode auth = resources.get("Api").get("Properties").get("Auth");
        assertEquals("CognitoJwt", auth.get("DefaultAuthorizer").asText());
        Set<String> open = new java.util.TreeSet<>();
        resources.forEach(resource -> resource.path("Properties").path("Events").forEach(event -> {
            JsonNode properties = event.path("Properties");
            if (event.path("Type").asText().equals("HttpApi") && properties.has("Auth")) {
                assertEquals("NONE", properties.path("Auth").path("Authorizer").asText(), properties.toString());
                open.add(properties.path("Method").asText() + " " + properties.path("Path").asText());
            }
        }));
        assertEquals(Set.of("GET /console", "GET /console/{asset}"), open);
        assertEquals(open, dev.sentinel.api.ConsoleAssets.bundled()
                .register(new dev.sentinel.api.Router(dev.sentinel.log.StructuredLog.discard())).openRouteKeys(),
                "the routes the code answers without a caller");
    }

    @Test
    void alarmsWatchTheMetricsTheCodeEmitsAndNotifyTheEncryptedTopic() {
        assertEquals("alias/aws/sns", resources.get("AlarmTopic").at("/Properties/KmsMasterKeyId").asText());
        Map<String, String> alarmMetrics = new java.util.TreeMap<>();
        resources.fields().forEachRemaining(entry -> {
            if (entry.getValue().path("Type").asText().equals("AWS::CloudWatch::Alarm")) {
                JsonNode properties = entry.getValue().get("Properties");
                assertEquals("AlarmTopic", properties.at("/AlarmActions/0").asText(), entry.getKey());
                alarmMetrics.put(entry.getKey(), properties.has("MetricName") ? properties.get("MetricName").asText()
                        : properties.get("Metrics").findValuesAsText("MetricName").toString());
            }
        });
        assertEquals("ApproximateNumberOfMessagesVisible", alarmMetrics.get("DeadLetterQueueNotEmptyAlarm"));
        assertTrue(resources.at("/DeadLetterQueueNotEmptyAlarm/Properties/Dimensions/0/Value").asText()
                .contains("ScanDeadLetterQueue"));
        assertEquals(dev.sentinel.cases.DeadlineWatch.AT_RISK, alarmMetrics.get("NoticeDeadlineAtRiskAlarm"));
        assertEquals(dev.sentinel.cases.DeadlineWatch.OVERDUE, alarmMetrics.get("NoticeDeadlineMissedAlarm"));
        assertEquals(dev.sentinel.cases.DeadlineWatch.QUEUE_DEPTH, alarmMetrics.get("DeadlineWatchSilentAlarm"));
        assertEquals(List.of("Errors", dev.sentinel.scan.ScanMetrics.SCAN_FAILURES, dev.sentinel.scan.ScanMetrics.SCANS)
                .toString(), alarmMetrics.get("ScanErrorRateAlarm"));
    }

    @Test
    void dashboardIsValidJsonAndShowsOnlyMetricsTheCodeEmits() throws Exception {
        JsonNode sub = resources.at("/OperationsDashboard/Properties/DashboardBody");
        // !Sub [body, variables]: fill the placeholders as CloudFormation would, then it must be JSON.
        String body = sub.get(0).asText().replaceAll("\\$\\{[A-Za-z:]+}", "x");
        JsonNode dashboard = new ObjectMapper().readTree(body);
        Set<String> emitted = Set.of(dev.sentinel.scan.ScanMetrics.SCANS, dev.sentinel.scan.ScanMetrics.DECISIONS,
                dev.sentinel.scan.ScanMetrics.HELD, dev.sentinel.scan.ScanMetrics.ENGINE_LATENCY,
                dev.sentinel.scan.ScanMetrics.ENGINE_ERRORS, dev.sentinel.scan.ScanMetrics.DUPLICATES_REUSED,
                dev.sentinel.scan.ScanMetrics.SCAN_FAILURES, dev.sentinel.queue.QueueDepths.SCAN_QUEUE_DEPTH,
                dev.sentinel.queue.QueueDepths.DEAD_LETTER_DEPTH, dev.sentinel.cases.DeadlineWatch.QUEUE_DEPTH,
                dev.sentinel.cases.DeadlineWatch.AT_RISK, dev.sentinel.cases.DeadlineWatch.OVERDUE,
                dev.sentinel.cases.DeadlineWatch.OLDEST_WAITING);
        Set<String> shown = new java.util.TreeSet<>();
        for (JsonNode widget : dashboard.get("widgets")) {
            for (JsonNode metric : widget.at("/properties/metrics")) {
                if (metric.get(0).isTextual() && metric.get(0).asText().equals("Sentinel")) {
                    shown.add(metric.get(1).asText());
                } else if (metric.get(0).has("expression")) {
                    Matcher name = Pattern.compile("MetricName=\"(\\w+)\"").matcher(metric.get(0).get("expression").asText());
                    assertTrue(name.find(), metric.toString());
                    shown.add(name.group(1));
                }
            }
        }
        assertTrue(emitted.containsAll(shown), shown + " not all in " + emitted);
        assertTrue(shown.containsAll(Set.of("Decisions", "EngineLatency", "EngineErrors", "DeadLetterDepth",
                "NoticeDeadlinesAtRisk")), shown.toString());
    }

    @Test
    void defaultMemoryOfTheEngineFunctionsIsTheMeasuredRecommendation() throws Exception {
        assertEquals("auto", template.at("/Parameters/ScanMemorySize/Default").asText());
        JsonNode recommended = new ObjectMapper().readTree(repo.resolve("bench/results/results.json").toFile())
                .at("/costModel/recommended");
        JsonNode mapping = template.at("/Mappings/RecommendedScanMemory");
        for (String engine : List.of("rekognition", "cascade", "embedded")) {
            assertEquals(recommended.path(engine).asInt(), mapping.path(engine).path("MemorySize").asInt(), engine);
        }
        for (String function : List.of("ScanUploadFunction", "ModerationApiFunction")) {
            assertTrue(resources.at("/" + function + "/Properties/MemorySize").toString()
                    .contains("RecommendedScanMemory"), function);
        }
    }

    @Test
    void theEngineFunctionsJvmOptionsStartAJvmOnTheVectorKernels() throws Exception {
        for (String function : List.of("ScanUploadFunction", "ModerationApiFunction")) {
            String options = resources.at("/" + function + "/Properties/Environment/Variables/JAVA_TOOL_OPTIONS")
                    .asText();
            // A JVM started the way Lambda starts it logs which kernels the engine chose.
            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"),
                    "dev.sentinel.engine.embedded.KernelSelectionTest")
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            child.environment().put("JAVA_TOOL_OPTIONS", options);
            Process process = child.start();
            String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), function + " with JAVA_TOOL_OPTIONS=" + options + ":\n" + out);
            assertTrue(out.contains("\"event\":\"embedded-kernels-selected\",\"path\":\"vector\""),
                    function + " with JAVA_TOOL_OPTIONS=" + options + " did not choose the vector kernels:\n" + out);
        }
    }

    @Test
    void reviewAndOperationsFunctionsRunTheirChecksOnASchedule() {
        assertEquals("Schedule", resources.at("/ReviewApiFunction/Properties/Events/DeadlineWatch/Type").asText());
        assertEquals("Schedule", resources.at("/OperationsApiFunction/Properties/Events/QueueDepths/Type").asText());
    }

    @Test
    void operationsFunctionOnlyListsAndQueues() {
        String policies = resources.get("OperationsApiFunction").get("Properties").get("Policies").toString();
        assertFalse(policies.contains("s3:GetObject") || policies.contains("s3:PutObject")
                || policies.contains("s3:Delete") || policies.contains("dynamodb") || policies.contains("DynamoDB"),
                policies);
        assertTrue(policies.contains("sqs:StartMessageMoveTask"), policies);
    }

    /**
     * An on-demand check answers inside the moderation function's timeout: its two engine calls at their budget
     * and a decode at its time box leave room for the reads and writes, and what does not fit has a queue to go to.
     */
    @Test
    void onDemandChecksFitTheModerationFunctionsTimeout() {
        JsonNode moderation = resources.get("ModerationApiFunction").get("Properties");
        JsonNode variables = moderation.at("/Environment/Variables");
        Map<String, String> environment = new java.util.HashMap<>(Map.of("CASES_TABLE", "cases"));
        variables.fields().forEachRemaining(v -> {
            if (v.getKey().startsWith("CHECK_")) {
                environment.put(v.getKey(), v.getValue().asText());
            }
        });
        java.time.Duration call = dev.sentinel.api.ApiSettings.fromEnvironment(environment).checks().rekognition()
                .callTimeout();
        assertTrue(variables.has("CHECK_REKOGNITION_CALL_TIMEOUT_MS") && variables.has("CHECK_INLINE_MAX_BYTES"));
        long decodeSeconds = dev.sentinel.image.ImageDecoder.DEFAULT_TIME_LIMIT.toSeconds();
        long timeout = moderation.get("Timeout").asLong();
        assertTrue(2 * call.toSeconds() + decodeSeconds + 3 <= timeout, "two engine calls of " + call
                + " and a decode of " + decodeSeconds + " s leave too little of " + timeout + " s");
        assertTrue(timeout <= 29, "API Gateway stops waiting for an integration at 30 s");
        assertEquals("ScanQueue", variables.path("SCAN_QUEUE_URL").asText());
        assertTrue(moderation.get("Policies").toString().contains("sqs:SendMessage"));
    }

    @Test
    void scanFunctionHoldsOnTheLastDeliveryTheQueueAllows() {
        String maxReceives = resources.get("ScanQueue").get("Properties").get("RedrivePolicy").get("maxReceiveCount")
                .asText();
        String holdAfter = resources.get("ScanUploadFunction").get("Properties").get("Environment").get("Variables")
                .get("SCAN_HOLD_AFTER_ATTEMPTS").asText();
        assertEquals(maxReceives, holdAfter);
        assertTrue(template.get("Parameters").has(maxReceives), "both come from one parameter: " + maxReceives);
    }

    /** The batch deadline is planned for the timeout the function really has, and the queue waits past it. */
    @Test
    void scanFunctionPlansItsBatchesForItsOwnTimeout() {
        JsonNode function = resources.get("ScanUploadFunction").get("Properties");
        int timeout = function.has("Timeout") ? function.get("Timeout").asInt()
                : template.at("/Globals/Function/Timeout").asInt();
        JsonNode variables = function.at("/Environment/Variables");
        assertEquals(timeout, variables.get("SCAN_FUNCTION_TIMEOUT_SECONDS").asInt(),
                "SCAN_FUNCTION_TIMEOUT_SECONDS must be the function's Timeout");
        Map<String, String> env = new java.util.HashMap<>(Map.of("QUARANTINE_BUCKET", "quarantine",
                "VERDICTS_TABLE", "verdicts"));
        for (String name : List.of("SCAN_FUNCTION_TIMEOUT_SECONDS", "SCAN_RESERVE_SECONDS", "REKOGNITION_MAX_ATTEMPTS",
                "REKOGNITION_ATTEMPT_TIMEOUT_MS", "REKOGNITION_CALL_TIMEOUT_MS")) {
            assertTrue(variables.has(name), "the template sets " + name);
            env.put(name, variables.get(name).asText());
        }
        // The template turns likeness protection on, so a scan may add a face search round.
        env.put("LIKENESS_COLLECTION", "likeness");
        var settings = dev.sentinel.config.ScanSettings.fromEnvironment(env);
        assertTrue(settings.longestScan().toSeconds() < timeout, "one scan fits the timeout: " + settings.deadlines());
        // Lambda's advice for SQS sources: a visibility timeout of six times the function's timeout.
        assertTrue(resources.at("/ScanQueue/Properties/VisibilityTimeout").asInt() >= 6 * timeout);
    }

    /**
     * The safeguard, written into the roles: only the scan function may search the face collection, only
     * the likeness function may index or delete faces, no function may list faces or search by face id, and the
     * likeness function, which receives reference photos, has no S3 permission at all.
     */
    @Test
    void onlyTheScanFunctionSearchesTheCollectionAndOnlyTheLikenessFunctionIndexesOrDeletes() {
        for (String function : resourcesOfType("AWS::Serverless::Function")) {
            String policies = resources.get(function).get("Properties").get("Policies").toString();
            assertEquals(function.equals("ScanUploadFunction"), policies.contains("rekognition:SearchFacesByImage"),
                    function);
            assertEquals(function.equals("LikenessApiFunction"), policies.contains("rekognition:IndexFaces"), function);
            assertEquals(function.equals("LikenessApiFunction"), policies.contains("rekognition:DeleteFaces"),
                    function);
            for (String never : List.of("rekognition:SearchFaces\"", "rekognition:ListFaces",
                    "rekognition:DeleteCollection", "rekognition:SearchUsers")) {
                assertFalse(policies.contains(never), function + " may use " + never);
            }
        }
        String likeness = resources.get("LikenessApiFunction").get("Properties").get("Policies").toString();
        assertFalse(likeness.contains("s3:"), "reference photos are never stored: " + likeness);
        assertEquals("AWS::Rekognition::Collection", resources.at("/LikenessCollection/Type").asText());
    }

    @Test
    void noticeFunctionCannotDeleteOrMoveObjects() {
        String actions = resources.get("NoticeApiFunction").get("Properties").get("Policies").toString();
        assertFalse(actions.contains("s3:DeleteObject"), actions);
        assertFalse(actions.contains("s3:PutObject\""), "notices hold objects by tag; they never write them");
    }

    private static final Pattern COLLECTION_ACTIONS = Pattern.compile(
            "rekognition:(IndexFaces|SearchFacesByImage|SearchFaces|DeleteFaces|ListFaces|\\w*Collection)");

    private static void checkStatements(String function, JsonNode policies) {
        for (JsonNode policy : policies) {
            for (JsonNode statement : policy.path("Statement")) {
                String resource = statement.get("Resource").toString();
                String action = statement.get("Action").toString();
                if (action.contains("rekognition:") && !COLLECTION_ACTIONS.matcher(action).find()) {
                    assertEquals("\"*\"", resource, "Rekognition image actions have no resource-level permissions");
                    continue;
                }
                if (action.contains("rekognition:")) {
                    assertEquals("\"LikenessCollection.Arn\"", resource, function + " statement "
                            + statement.path("Sid") + ": face-collection actions name the collection");
                    continue;
                }
                if (action.equals("\"sns:Unsubscribe\"")) {
                    // Its request names a subscription only: no topic to scope by (see the template's comment).
                    assertEquals("\"*\"", resource, function + ": sns:Unsubscribe alone in its statement");
                    continue;
                }
                assertFalse(resource.equals("\"*\""), function + " statement " + statement.path("Sid")
                        + " must name its resource");
                assertFalse(action.contains("*"), function + " statement " + statement.path("Sid")
                        + " must name its actions");
            }
        }
    }

    @Test
    void scanFunctionMayTouchOnlyTheUploadsAndQuarantineBucketsTheKeyAndItsTables() {
        JsonNode policies = resources.get("ScanUploadFunction").get("Properties").get("Policies");
        List<String> own = List.of("-uploads-", "-quarantine-", "QuarantineKey.Arn", "VerdictsTable.Arn",
                "HashBankTable.Arn", "CasesTable.Arn", "LikenessTable.Arn", "LikenessAlertsTopic");
        for (JsonNode policy : policies) {
            for (JsonNode statement : policy.path("Statement")) {
                String action = statement.get("Action").toString();
                if (action.contains("rekognition:")) {
                    assertTrue(Set.of("\"rekognition:DetectModerationLabels\"", "\"rekognition:DetectFaces\"",
                            "\"rekognition:SearchFacesByImage\"").contains(action), action);
                    continue;
                }
                for (JsonNode resource : statement.get("Resource").isArray() ? statement.get("Resource")
                        : List.of(statement.get("Resource"))) {
                    assertTrue(own.stream().anyMatch(resource.asText()::contains), statement.path("Sid") + " names "
                            + resource);
                }
            }
        }
    }

    @Test
    void uploadsBucketDeniesReadsOfObjectsNotTaggedApproved() {
        JsonNode statement = statement("UploadsBucketPolicy", "DenyReadingUnapprovedObjects");
        assertEquals("Deny", statement.get("Effect").asText());
        assertEquals("*", statement.get("Principal").asText());
        assertTrue(statement.get("Action").toString().contains("s3:GetObject"));
        assertEquals("approved", statement.get("Condition").get("StringNotEquals")
                .get("s3:ExistingObjectTag/moderation").asText());
        JsonNode preTagged = statement("UploadsBucketPolicy", "DenyUploadsCarryingTheModerationTag");
        assertEquals("false", preTagged.get("Condition").get("Null").get("s3:RequestObjectTag/moderation").asText());
        assertAllPublicAccessBlocked("UploadsBucket");
        assertEquals("Enabled", resources.get("UploadsBucket").get("Properties").get("VersioningConfiguration")
                .get("Status").asText());
    }

    @Test
    void quarantineBucketIsPrivateEncryptedVersionedAndLockable() {
        JsonNode props = resources.get("QuarantineBucket").get("Properties");
        assertAllPublicAccessBlocked("QuarantineBucket");
        assertTrue(props.get("ObjectLockEnabled").asBoolean());
        assertEquals("Enabled", props.get("VersioningConfiguration").get("Status").asText());
        JsonNode sse = props.get("BucketEncryption").get("ServerSideEncryptionConfiguration").get(0)
                .get("ServerSideEncryptionByDefault");
        assertEquals("aws:kms", sse.get("SSEAlgorithm").asText());
        assertEquals("Retain", resources.get("QuarantineBucket").get("DeletionPolicy").asText());
        assertEquals("Deny", statement("QuarantineBucketPolicy", "DenyReadsByAnyoneElse").get("Effect").asText());
    }

    @Test
    void verdictTableMatchesTheSchemaTheCodeUses() {
        JsonNode props = resources.get("VerdictsTable").get("Properties");
        assertEquals(VerdictTable.ID, props.get("KeySchema").get(0).get("AttributeName").asText());
        Set<String> indexes = new HashSet<>();
        for (JsonNode index : props.get("GlobalSecondaryIndexes")) {
            indexes.add(index.get("IndexName").asText() + ":" + index.get("KeySchema").get(0).get("AttributeName")
                    .asText() + ":" + index.get("KeySchema").get(1).get("AttributeName").asText());
        }
        assertEquals(Set.of(VerdictTable.BY_OBJECT + ":" + VerdictTable.OBJECT_KEY + ":" + VerdictTable.DECIDED_AT,
                VerdictTable.BY_REVIEW + ":" + VerdictTable.REVIEW_STATUS + ":" + VerdictTable.DECIDED_AT), indexes);
        assertTrue(props.get("SSESpecification").get("SSEEnabled").asBoolean());
    }

    @Test
    void scanQueueReportsPartialFailuresAndRedrivesToADeadLetterQueue() {
        JsonNode event = resources.get("ScanUploadFunction").get("Properties").get("Events").get("Uploads");
        assertEquals("SQS", event.get("Type").asText());
        assertEquals("ReportBatchItemFailures", event.get("Properties").get("FunctionResponseTypes").get(0).asText());
        JsonNode queue = resources.get("ScanQueue").get("Properties");
        assertTrue(queue.get("RedrivePolicy").get("deadLetterTargetArn").asText().contains("ScanDeadLetterQueue"));
        int timeout = template.get("Globals").get("Function").get("Timeout").asInt();
        assertTrue(queue.get("VisibilityTimeout").asInt() >= 6 * timeout,
                "visibility timeout must exceed six times the function timeout");
    }

    private void assertAllPublicAccessBlocked(String bucket) {
        JsonNode block = resources.get(bucket).get("Properties").get("PublicAccessBlockConfiguration");
        for (String flag : List.of("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                "RestrictPublicBuckets")) {
            assertTrue(block.get(flag).asBoolean(), bucket + " " + flag);
        }
    }

    private JsonNode statement(String policyResource, String sid) {
        for (JsonNode statement : resources.get(policyResource).get("Properties").get("PolicyDocument")
                .get("Statement")) {
            if (sid.equals(statement.path("Sid").asText())) {
                return statement;
            }
        }
        return fail(policyResource + " has no statement " + sid);
    }

    private List<String> resourcesOfType(String type) {
        List<String> found = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                found.add(e.getKey());
            }
        });
        return found;
    }

    private static final Pattern SUB_REFERENCE = Pattern.compile("\\$\\{([A-Za-z0-9:]+)(\\.[A-Za-z]+)?}");

    /** Collects the resource and parameter names a fragment refers to, in ${X}, ${X.Attr}, Ref X or X.Arn forms. */
    private static void collectReferences(JsonNode node, List<String> into) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            String text = node.asText();
            Matcher sub = SUB_REFERENCE.matcher(text);
            while (sub.find()) {
                into.add(sub.group(1));
            }
            if (text.matches("[A-Z][A-Za-z0-9]+\\.Arn")) {
                into.add(text.substring(0, text.indexOf('.')));
            }
            return;
        }
        node.fields().forEachRemaining(e -> {
            if (e.getKey().equals("TableName") || e.getKey().equals("Bucket")) {
                into.add(e.getValue().asText());
            }
            collectReferences(e.getValue(), into);
        });
        node.elements().forEachRemaining(child -> collectReferences(child, into));
    }
}
