package dev.sentinel.local.iam;

import dev.sentinel.local.iam.AwsCallAuthorizations.Plan;
import dev.sentinel.local.iam.PolicyEvaluator.Decision;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.rekognition.model.AccessDeniedException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * Makes the local servers answer a function's calls as AWS would under the function's deployed role. A test gives
 * the code under test clients signed with {@link #credentialsFor(String) a function's credentials}; this interceptor
 * (registered for every SDK client of the test JVM through the SDK's global interceptor list) then judges each call
 * by the SAM-transformed template: a call the role may not make fails with AWS's AccessDenied error before it reaches
 * the server, a read of a missing key is answered 403 rather than 404 unless the role may list the bucket, and every
 * call with its decisions goes to the {@link CallLog}. Calls signed with any other credentials (tests setting up and
 * checking state) pass untouched.
 */
public final class FunctionRoles implements ExecutionInterceptor {

    private static final ExecutionAttribute<StackAuthorizer.Principal> CALLER =
            new ExecutionAttribute<>("sentinel.iam.caller");
    private static final ExecutionAttribute<Plan> PLAN = new ExecutionAttribute<>("sentinel.iam.plan");
    private static final ExecutionAttribute<Boolean> ANSWERED_403 = new ExecutionAttribute<>("sentinel.iam.403");
    private static final ExecutionAttribute<SdkRequest> AS_CALLED = new ExecutionAttribute<>("sentinel.iam.request");
    private static final String ACCESS_KEY_PREFIX = "FN";
    private static final String APPLICATION_KEY_PREFIX = "APP";
    private static final Map<String, StackAuthorizer.Principal> APPLICATIONS = new ConcurrentHashMap<>();
    /** {@code -Dsentinel.iam.enforce=false} records and judges every call but refuses none: to see every gap at once. */
    private static final boolean ENFORCE = !"false".equals(System.getProperty("sentinel.iam.enforce"));

    private static volatile StackAuthorizer authorizer;
    private static volatile String stackName = CallLog.REPOSITORY_STACK;
    private static final Map<URI, S3Client> TAG_READERS = new ConcurrentHashMap<>();

    /** The stack the template deploys, transformed once per JVM. */
    public static StackAuthorizer authorizer() {
        if (authorizer == null) {
            synchronized (FunctionRoles.class) {
                if (authorizer == null) {
                    authorizer = new StackAuthorizer(DeployedStack.of(SamTransform.repositoryTemplate()));
                }
            }
        }
        return authorizer;
    }

    /** Judges by another stack from now on (tests of this package, on templates written for one rule). */
    static synchronized void judgeBy(DeployedStack stack, String name) {
        authorizer = new StackAuthorizer(stack);
        stackName = name;
    }

    /**
     * Credentials that make calls count as the function's: the access key names the function, as a role session's
     * key names its role in CloudTrail. The local servers do not check signatures.
     */
    public static StaticCredentialsProvider credentialsFor(String function) {
        if (!authorizer().stack().functions().contains(function)) {
            throw new IllegalArgumentException("template.yaml has no function " + function + "; it has "
                    + authorizer().stack().functions());
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_PREFIX + function, "local"));
    }

    /** The request as the code made it: the SDK's own interceptors rewrite some (a copy's source becomes a header). */
    /**
     * Credentials of an application outside the stack (an uploader, a CDN's reader role) whose role allows what
     * {@code identityPolicy} says: its calls are judged by the same bucket policies, so a test shows what the
     * buckets' Denies stop whatever an application's own role grants. Not recorded: it is not the stack's code.
     */
    public static StaticCredentialsProvider credentialsForApplication(String name, String identityPolicy) {
        try {
            APPLICATIONS.put(name, StackAuthorizer.application(name, PolicyDocument.parse(name,
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(identityPolicy), null)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("the identity policy of " + name + " is not JSON", e);
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(APPLICATION_KEY_PREFIX + name, "local"));
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(AS_CALLED, context.request());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        StackAuthorizer.Principal caller = callerOf(context.httpRequest().firstMatchingHeader("Authorization")
                .orElse(""));
        if (caller == null) {
            return;
        }
        SdkRequest request = attributes.getAttribute(AS_CALLED);
        String service = serviceOf(request);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        StackAuthorizer judge = authorizer();
        Plan plan = judge.calls().plan(service, operation, request);
        URI endpoint = context.httpRequest().getUri();
        List<CallLog.Checked> checks = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Authorization needed : plan.required()) {
            Map<String, String> seen = new LinkedHashMap<>();
            Decision decision = judge.decide(caller, needed, key -> existingTag(endpoint, needed, key, seen));
            checks.add(new CallLog.Checked(needed, seen, decision.outcome().name()));
            if (!decision.allowed()) {
                refused.add(describe(needed, decision));
            }
        }
        if (caller.function() != null) {
            CallLog.append(new CallLog.Call(stackName, caller.function(), service + ":" + operation, testName(),
                    checks));
        }
        if (!refused.isEmpty() && ENFORCE) {
            throw accessDenied(service, caller.arn() + " (" + caller.name() + ") is not authorized: "
                    + String.join("; ", refused));
        }
        attributes.putAttribute(CALLER, caller);
        attributes.putAttribute(PLAN, plan);
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        StackAuthorizer.Principal caller = attributes.getAttribute(CALLER);
        Plan plan = attributes.getAttribute(PLAN);
        SdkHttpResponse response = context.httpResponse();
        if (caller == null || plan == null || plan.ifMissing() == null || response.statusCode() != 404) {
            return response;
        }
        Decision decision = authorizer().decide(caller, plan.ifMissing(), key -> Optional.empty());
        if (caller.function() != null) {
            CallLog.append(new CallLog.Call(stackName, caller.function(), serviceOf(context.request()) + ":"
                    + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + " of a missing key",
                    testName(), List.of(new CallLog.Checked(plan.ifMissing(), Map.of(), decision.outcome().name()))));
        }
        if (decision.allowed() || !ENFORCE) {
            return response;
        }
        attributes.putAttribute(ANSWERED_403, true);
        return response.toBuilder().statusCode(403).statusText("Forbidden").build();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        if (Boolean.TRUE.equals(attributes.getAttribute(ANSWERED_403)) && context.responseBody().isPresent()) {
            return Optional.of(new ByteArrayInputStream(("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                    + "AccessDenied</Code><Message>Access Denied</Message></Error>").getBytes(StandardCharsets.UTF_8)));
        }
        return context.responseBody();
    }

    /** The function or application a request is signed as; null for anyone else (tests' own clients). */
    private static StackAuthorizer.Principal callerOf(String authorization) {
        int start = authorization.indexOf("Credential=");
        if (start < 0) {
            return null;
        }
        String accessKey = authorization.substring(start + "Credential=".length()).split("/", 2)[0];
        if (accessKey.startsWith(APPLICATION_KEY_PREFIX)) {
            return APPLICATIONS.get(accessKey.substring(APPLICATION_KEY_PREFIX.length()));
        }
        String function = accessKey.startsWith(ACCESS_KEY_PREFIX) ? accessKey.substring(ACCESS_KEY_PREFIX.length())
                : null;
        return function != null && authorizer().stack().functions().contains(function)
                ? authorizer().function(function) : null;
    }

    /** software.amazon.awssdk.services.s3.model.HeadObjectRequest -> s3. */
    private static String serviceOf(Object request) {
        String name = request.getClass().getPackageName();
        return name.substring("software.amazon.awssdk.services.".length(), name.lastIndexOf(".model"));
    }

    /** The object's current tags, read only when a policy condition asks for one. */
    private static Optional<String> existingTag(URI endpoint, Authorization needed, String key,
                                                Map<String, String> seen) {
        String prefix = "s3:existingobjecttag/";
        if (needed.object() == null || !StackAuthorizer.normalise(key).startsWith(prefix)) {
            return Optional.empty();
        }
        Authorization.ObjectAddress object = needed.object();
        Map<String, String> tags = new LinkedHashMap<>();
        try {
            tagReader(endpoint).getObjectTagging(b -> b.bucket(object.bucket()).key(object.key())
                    .versionId(object.versionId())).tagSet().forEach(t -> tags.put(t.key(), t.value()));
        } catch (S3Exception missing) {
            // A missing object has no tags; the call itself will say it is missing.
        }
        String value = tags.get(key.substring(key.indexOf('/') + 1));
        seen.put(key, value == null ? "(absent)" : value);
        return Optional.ofNullable(value);
    }

    private static S3Client tagReader(URI requestUri) {
        URI endpoint = URI.create(requestUri.getScheme() + "://" + requestUri.getAuthority());
        return TAG_READERS.computeIfAbsent(endpoint, e -> S3Client.builder().endpointOverride(e)
                .region(Region.of(DeployedStack.REGION)).forcePathStyle(true)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("iam-evaluator", "x")))
                .build());
    }

    private static String describe(Authorization needed, Decision decision) {
        return needed.action() + " on " + needed.resourceArn() + (needed.why().isEmpty() ? "" : " for " + needed.why())
                + (decision.deniedBy() != null ? ", denied explicitly by " + decision.deniedBy()
                : ", no statement of its role allows it"
                + (needed.resource() == null && !needed.resourceArn().equals("*")
                ? " (that name stands for no resource of the stack: give it to the function in its environment)"
                : ""));
    }

    /** AWS's own error for the service, so the code under test sees exactly what it would see in AWS. */
    private static AwsServiceException accessDenied(String service, String message) {
        int status = service.equals("s3") || service.equals("sqs") ? 403 : 400;
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(service.equals("s3") ? "AccessDenied"
                : "AccessDeniedException").errorMessage(message).serviceName(service)
                // The SDK's own handling of S3 errors reads the response: HEAD errors carry no body.
                .sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build();
        return switch (service) {
            case "s3" -> S3Exception.builder().statusCode(status).awsErrorDetails(details).message(message).build();
            case "dynamodb" -> DynamoDbException.builder().statusCode(status).awsErrorDetails(details).message(message)
                    .build();
            case "rekognition" -> AccessDeniedException.builder().statusCode(status).awsErrorDetails(details)
                    .message(message).build();
            case "sqs" -> SqsException.builder().statusCode(status).awsErrorDetails(details).message(message).build();
            default -> AwsServiceException.builder().statusCode(status).awsErrorDetails(details).message(message)
                    .build();
        };
    }

    /** The test class and method that made the call, for messages. */
    private static String testName() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().startsWith("dev.sentinel.")
                        && (f.getClassName().endsWith("Test") || f.getClassName().contains("Test$")))
                .reduce((first, second) -> second)
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("(no test on the stack)"));
    }
}
