package dev.sentinel.local.iam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A transformed template as CloudFormation would deploy it into one account and region: parameters at their
 * defaults, conditions decided, intrinsic functions resolved, and the names CloudFormation generates for resources
 * that do not name themselves. Names are made up but stable, so a role's ARN in a bucket policy and the same role's
 * identity agree exactly as they would on AWS.
 */
public final class DeployedStack {

    public static final String ACCOUNT = "123456789012";
    public static final String REGION = "us-east-1";
    public static final String PARTITION = "aws";
    /** The stack name a stack gets unless another is chosen ({@link #of(JsonNode, Map, String)}). */
    public static final String STACK_NAME = "sentinel";
    /** CloudFormation's own limit on a stack name. */
    public static final int MAX_STACK_NAME = 128;
    /**
     * Generated physical names are cut to this: CloudFormation shortens the stack name and logical id it builds them
     * from so they fit the resource's limit, and 64 is the smallest of those here (IAM roles, Lambda functions).
     */
    private static final int MAX_GENERATED_NAME = 64;

    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private final JsonNode template;
    private final String stackName;
    private final Map<String, String> parameterValues;
    /** What a real deployment named its resources; empty for the names made up here. */
    private PhysicalIds physical = PhysicalIds.NONE;
    /** Answers already worked out: the stack never changes, and every judged call asks the same few questions. */
    private final Map<String, Object> memo = new java.util.concurrent.ConcurrentHashMap<>();

    private DeployedStack(JsonNode template, Map<String, String> parameterOverrides, String stackName) {
        if (!stackName.matches("[A-Za-z][A-Za-z0-9-]{0," + (MAX_STACK_NAME - 1) + "}")) {
            throw new IllegalArgumentException("CloudFormation refuses the stack name '" + stackName + "': a letter, "
                    + "then letters, digits and hyphens, at most " + MAX_STACK_NAME + " characters");
        }
        this.template = template;
        this.stackName = stackName;
        this.parameterValues = new LinkedHashMap<>();
        template.path("Parameters").fields().forEachRemaining(p -> parameterValues.put(p.getKey(),
                p.getValue().path("Default").asText("")));
        parameterValues.putAll(parameterOverrides);
    }

    /** The stack a transformed template makes with its parameters' defaults. */
    public static DeployedStack of(JsonNode transformedTemplate) {
        return new DeployedStack(transformedTemplate, Map.of(), STACK_NAME);
    }

    public static DeployedStack of(JsonNode transformedTemplate, Map<String, String> parameters) {
        return new DeployedStack(transformedTemplate, parameters, STACK_NAME);
    }

    /** The stack deployed under another name, as {@code sam deploy --stack-name} would. */
    public static DeployedStack of(JsonNode transformedTemplate, Map<String, String> parameters, String stackName) {
        return new DeployedStack(transformedTemplate, parameters, stackName);
    }

    public String stackName() {
        return stackName;
    }

    /**
     * The names a deployment gave (an emulator's CloudFormation, or AWS): what {@code Ref} answers per logical id or
     * pseudo parameter ({@code AWS::AccountId}, {@code AWS::StackName}), and what {@code Fn::GetAtt} answers per
     * {@code LogicalId.Attribute}. Whatever is not given is made up as before.
     */
    public record PhysicalIds(Map<String, String> refs, Map<String, String> attributes) {
        static final PhysicalIds NONE = new PhysicalIds(Map.of(), Map.of());

        public PhysicalIds {
            refs = Map.copyOf(refs);
            attributes = Map.copyOf(attributes);
        }
    }

    /** This stack with the names a deployment gave its resources: every reference resolves to them. */
    public DeployedStack withPhysicalIds(PhysicalIds ids) {
        DeployedStack deployed = new DeployedStack(template, parameterValues, stackName);
        deployed.physical = ids;
        return deployed;
    }

    /** The parameters as deployed: defaults, then the values given. */
    public Map<String, String> parameters() {
        return java.util.Collections.unmodifiableMap(parameterValues);
    }

    /** The template this stack was deployed from (transformed); copy it before changing it. */
    public JsonNode template() {
        return template;
    }

    public JsonNode resource(String logicalId) {
        JsonNode resource = template.path("Resources").path(logicalId);
        if (resource.isMissingNode()) {
            throw new IllegalArgumentException("the stack has no resource " + logicalId);
        }
        return resource;
    }

    public boolean has(String logicalId) {
        return template.path("Resources").has(logicalId);
    }

    public String type(String logicalId) {
        return resource(logicalId).path("Type").asText();
    }

    public List<String> resourcesOfType(String type) {
        List<String> found = new ArrayList<>();
        template.path("Resources").fields().forEachRemaining(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                found.add(e.getKey());
            }
        });
        return found;
    }

    /** A resource's property with every intrinsic function in it resolved; a missing node when absent. */
    public JsonNode property(String logicalId, String name) {
        JsonNode value = resource(logicalId).path("Properties").path(name);
        return value.isMissingNode() ? value : resolve(value);
    }

    // ------------------------------------------------------------------ names CloudFormation gives

    /** What {@code Ref} answers for a resource. */
    public String ref(String logicalId) {
        return remembered("ref:" + logicalId, () -> resolveRef(logicalId));
    }

    @SuppressWarnings("unchecked")
    private <T> T remembered(String question, java.util.function.Supplier<T> answer) {
        Object known = memo.get(question);
        if (known == null) {
            known = answer.get();
            memo.put(question, known);
        }
        return (T) known;
    }

    private String resolveRef(String logicalId) {
        if (parameterValues.containsKey(logicalId)) {
            return parameterValues.get(logicalId);
        }
        if (physical.refs().containsKey(logicalId)) {
            return physical.refs().get(logicalId);
        }
        switch (logicalId) {
            case "AWS::AccountId": return ACCOUNT;
            case "AWS::Region": return REGION;
            case "AWS::Partition": return PARTITION;
            case "AWS::StackName": return stackName;
            case "AWS::StackId":
                return "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + stackName + "/" + uuid("stack");
            case "AWS::URLSuffix": return "amazonaws.com";
            default: break;
        }
        return switch (type(logicalId)) {
            case "AWS::S3::Bucket" -> named(logicalId, "BucketName", true);
            case "AWS::DynamoDB::Table" -> named(logicalId, "TableName", false);
            case "AWS::SQS::Queue" -> "https://sqs." + REGION + ".amazonaws.com/" + ACCOUNT + "/" + queueName(logicalId);
            case "AWS::KMS::Key" -> uuid(logicalId);
            case "AWS::IAM::Role" -> named(logicalId, "RoleName", false);
            case "AWS::Lambda::Function" -> named(logicalId, "FunctionName", false);
            case "AWS::Logs::LogGroup" -> named(logicalId, "LogGroupName", false);
            case "AWS::SNS::Topic" -> "arn:aws:sns:" + REGION + ":" + ACCOUNT + ":" + named(logicalId, "TopicName", false);
            case "AWS::Events::Rule" -> named(logicalId, "Name", false);
            case "AWS::Rekognition::Collection" -> named(logicalId, "CollectionId", false);
            default -> logicalId + "-" + shortHash(logicalId);
        };
    }

    /** What {@code Fn::GetAtt} answers; only the attributes policies and names are built from are modelled. */
    public String getAtt(String logicalId, String attribute) {
        return remembered("getAtt:" + logicalId + "." + attribute, () -> resolveGetAtt(logicalId, attribute));
    }

    private String resolveGetAtt(String logicalId, String attribute) {
        String given = physical.attributes().get(logicalId + "." + attribute);
        if (given != null) {
            return given;
        }
        String type = type(logicalId);
        return switch (type + "." + attribute) {
            case "AWS::S3::Bucket.Arn" -> "arn:" + PARTITION + ":s3:::" + ref(logicalId);
            case "AWS::DynamoDB::Table.Arn" -> "arn:" + PARTITION + ":dynamodb:" + REGION + ":" + ACCOUNT + ":table/"
                    + ref(logicalId);
            case "AWS::SQS::Queue.Arn" -> "arn:" + PARTITION + ":sqs:" + REGION + ":" + ACCOUNT + ":"
                    + queueName(logicalId);
            case "AWS::SQS::Queue.QueueName" -> queueName(logicalId);
            case "AWS::KMS::Key.Arn" -> "arn:" + PARTITION + ":kms:" + REGION + ":" + ACCOUNT + ":key/" + ref(logicalId);
            case "AWS::IAM::Role.Arn" -> "arn:" + PARTITION + ":iam::" + ACCOUNT + ":role/" + ref(logicalId);
            case "AWS::Lambda::Function.Arn" -> "arn:" + PARTITION + ":lambda:" + REGION + ":" + ACCOUNT + ":function:"
                    + ref(logicalId);
            case "AWS::Logs::LogGroup.Arn" -> "arn:" + PARTITION + ":logs:" + REGION + ":" + ACCOUNT + ":log-group:"
                    + ref(logicalId) + ":*";
            case "AWS::SNS::Topic.TopicName" -> ref(logicalId).substring(ref(logicalId).lastIndexOf(':') + 1);
            case "AWS::Events::Rule.Arn" -> "arn:" + PARTITION + ":events:" + REGION + ":" + ACCOUNT + ":rule/"
                    + ref(logicalId);
            case "AWS::Rekognition::Collection.Arn" -> "arn:" + PARTITION + ":rekognition:" + REGION + ":" + ACCOUNT
                    + ":collection/" + ref(logicalId);
            // The first version a function publishes.
            case "AWS::Lambda::Version.Version" -> "1";
            case "AWS::CloudWatch::Alarm.Arn" -> "arn:" + PARTITION + ":cloudwatch:" + REGION + ":" + ACCOUNT
                    + ":alarm:" + named(logicalId, "AlarmName", false);
            default -> logicalId + "." + attribute;
        };
    }

    private String queueName(String logicalId) {
        return named(logicalId, "QueueName", false);
    }

    private String named(String logicalId, String nameProperty, boolean lowerCase) {
        JsonNode given = resource(logicalId).path("Properties").path(nameProperty);
        if (!given.isMissingNode()) {
            return resolve(given).asText();
        }
        String suffix = "-" + shortHash(logicalId);
        String stack = stackName;
        String logical = logicalId;
        // Shortened as CloudFormation does: the stack name first, then the logical id, never the unique suffix.
        int over = stack.length() + 1 + logical.length() + suffix.length() - MAX_GENERATED_NAME;
        if (over > 0) {
            int cut = Math.min(over, stack.length() - 1);
            stack = stack.substring(0, stack.length() - cut);
            logical = logical.substring(0, logical.length() - (over - cut));
        }
        String generated = stack + "-" + logical + suffix;
        return lowerCase ? generated.toLowerCase(java.util.Locale.ROOT) : generated;
    }

    private static String shortHash(String text) {
        return uuid(text).replace("-", "").substring(0, 12).toUpperCase(java.util.Locale.ROOT);
    }

    private static String uuid(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ------------------------------------------------------------------ intrinsic functions

    /** {@code value} with Ref, Fn::Sub, Fn::GetAtt, Fn::If, Fn::FindInMap, Fn::Join, Fn::Select resolved. */
    public JsonNode resolve(JsonNode value) {
        if (value.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (JsonNode item : value) {
                JsonNode resolved = resolve(item);
                if (!isNoValue(resolved)) {
                    out.add(resolved);
                }
            }
            return out;
        }
        if (!value.isObject()) {
            return value;
        }
        if (value.size() == 1) {
            String function = value.fieldNames().next();
            JsonNode argument = value.get(function);
            switch (function) {
                case "Ref":
                    return argument.asText().equals("AWS::NoValue") ? NO_VALUE : TextNode.valueOf(ref(argument.asText()));
                case "Fn::GetAtt":
                    return TextNode.valueOf(argument.isArray() ? getAtt(argument.get(0).asText(), argument.get(1).asText())
                            : getAtt(argument.asText().substring(0, argument.asText().indexOf('.')),
                                    argument.asText().substring(argument.asText().indexOf('.') + 1)));
                case "Fn::Sub":
                    return TextNode.valueOf(sub(argument));
                case "Fn::If":
                    return resolve(condition(argument.get(0).asText()) ? argument.get(1) : argument.get(2));
                case "Fn::FindInMap":
                    return resolve(template.path("Mappings").path(resolve(argument.get(0)).asText())
                            .path(resolve(argument.get(1)).asText()).path(resolve(argument.get(2)).asText()));
                case "Fn::Join": {
                    List<String> parts = new ArrayList<>();
                    resolve(argument.get(1)).forEach(p -> parts.add(p.asText()));
                    return TextNode.valueOf(String.join(argument.get(0).asText(), parts));
                }
                case "Fn::Select":
                    return resolve(argument.get(1)).get(Integer.parseInt(resolve(argument.get(0)).asText()));
                default:
                    if (function.startsWith("Fn::")) {
                        throw new IllegalArgumentException("intrinsic function " + function + " is not modelled");
                    }
            }
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode resolved = resolve(field.getValue());
            if (!isNoValue(resolved)) {
                out.set(field.getKey(), resolved);
            }
        }
        return out;
    }

    private static final JsonNode NO_VALUE = TextNode.valueOf("\u0000AWS::NoValue");

    private static boolean isNoValue(JsonNode node) {
        return node == NO_VALUE;
    }

    private String sub(JsonNode argument) {
        String text = argument.isArray() ? argument.get(0).asText() : argument.asText();
        Map<String, String> variables = new HashMap<>();
        if (argument.isArray()) {
            argument.get(1).fields().forEachRemaining(v -> variables.put(v.getKey(), resolve(v.getValue()).asText()));
        }
        Matcher matcher = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String replacement;
            if (variables.containsKey(name)) {
                replacement = variables.get(name);
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                replacement = getAtt(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1));
            } else {
                replacement = ref(name);
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString().replace("${!", "${");
    }

    public boolean condition(String name) {
        return remembered("condition:" + name, () -> {
            JsonNode definition = template.path("Conditions").path(name);
            if (definition.isMissingNode()) {
                throw new IllegalArgumentException("the template has no condition " + name);
            }
            return evaluate(definition);
        });
    }

    private boolean evaluate(JsonNode condition) {
        String function = condition.fieldNames().next();
        JsonNode argument = condition.get(function);
        return switch (function) {
            case "Fn::Equals" -> resolve(argument.get(0)).asText().equals(resolve(argument.get(1)).asText());
            case "Fn::Not" -> !evaluate(argument.get(0));
            case "Fn::And" -> {
                boolean all = true;
                for (JsonNode part : argument) {
                    all &= evaluate(part);
                }
                yield all;
            }
            case "Fn::Or" -> {
                boolean any = false;
                for (JsonNode part : argument) {
                    any |= evaluate(part);
                }
                yield any;
            }
            case "Condition" -> condition(argument.asText());
            default -> throw new IllegalArgumentException("condition function " + function + " is not modelled");
        };
    }

    // ------------------------------------------------------------------ what the policies say

    /** The Lambda functions of the stack (after the SAM transform). */
    public List<String> functions() {
        return remembered("functions", () -> List.copyOf(resourcesOfType("AWS::Lambda::Function")));
    }

    /** The logical id of the role a function runs as. */
    public String roleOf(String function) {
        JsonNode role = resource(function).path("Properties").path("Role");
        if (role.has("Fn::GetAtt")) {
            JsonNode target = role.get("Fn::GetAtt");
            return target.isArray() ? target.get(0).asText() : target.asText().split("\\.")[0];
        }
        throw new IllegalArgumentException(function + "'s role is not a role of this stack: " + role);
    }

    public String roleArn(String role) {
        return getAtt(role, "Arn");
    }

    /**
     * Everything that grants the role permissions: its inline policies, policies attached to it as resources, and
     * the AWS managed policies it names (known ones only: an unknown one fails, since nothing could be said of it).
     */
    public List<PolicyDocument> identityPolicies(String role) {
        return remembered("identity:" + role, () -> List.copyOf(readIdentityPolicies(role)));
    }

    private List<PolicyDocument> readIdentityPolicies(String role) {
        List<PolicyDocument> policies = new ArrayList<>();
        JsonNode inline = resource(role).path("Properties").path("Policies");
        for (int i = 0; i < inline.size(); i++) {
            JsonNode policy = inline.get(i);
            policies.add(PolicyDocument.parse(role + "/" + resolve(policy.path("PolicyName")).asText(),
                    resolve(policy.path("PolicyDocument")), new PolicyDocument.Origin(role, i)));
        }
        for (JsonNode arn : resolve(resource(role).path("Properties").path("ManagedPolicyArns"))) {
            policies.add(ManagedPolicies.get(arn.asText()));
        }
        for (String attached : resourcesOfType("AWS::IAM::Policy")) {
            JsonNode roles = resolve(resource(attached).path("Properties").path("Roles"));
            for (JsonNode named : roles) {
                if (named.asText().equals(ref(role))) {
                    policies.add(PolicyDocument.parse(attached, property(attached, "PolicyDocument"), null));
                }
            }
        }
        return policies;
    }

    /** The bucket policy of a bucket, if the stack gives it one. */
    public Optional<PolicyDocument> bucketPolicy(String bucket) {
        return remembered("bucketPolicy:" + bucket, () -> readBucketPolicy(bucket));
    }

    private Optional<PolicyDocument> readBucketPolicy(String bucket) {
        for (String policy : resourcesOfType("AWS::S3::BucketPolicy")) {
            if (property(policy, "Bucket").asText().equals(ref(bucket))) {
                return Optional.of(PolicyDocument.parse(policy, property(policy, "PolicyDocument"), null));
            }
        }
        return Optional.empty();
    }

    /** The queue policies that name a queue. */
    public List<PolicyDocument> queuePolicies(String queue) {
        return remembered("queuePolicies:" + queue, () -> List.copyOf(readQueuePolicies(queue)));
    }

    private List<PolicyDocument> readQueuePolicies(String queue) {
        List<PolicyDocument> found = new ArrayList<>();
        for (String policy : resourcesOfType("AWS::SQS::QueuePolicy")) {
            for (JsonNode url : property(policy, "Queues")) {
                if (url.asText().equals(ref(queue))) {
                    found.add(PolicyDocument.parse(policy, property(policy, "PolicyDocument"), null));
                }
            }
        }
        return found;
    }

    public PolicyDocument keyPolicy(String key) {
        return remembered("keyPolicy:" + key, () -> PolicyDocument.parse(key, property(key, "KeyPolicy"), null));
    }

    /** The KMS key (logical id) that encrypts a bucket's objects by default, if it is SSE-KMS with a stack key. */
    public Optional<String> bucketKey(String bucket) {
        return remembered("bucketKey:" + bucket, () -> readBucketKey(bucket));
    }

    private Optional<String> readBucketKey(String bucket) {
        JsonNode rules = resource(bucket).path("Properties").path("BucketEncryption")
                .path("ServerSideEncryptionConfiguration");
        for (JsonNode rule : rules) {
            JsonNode byDefault = rule.path("ServerSideEncryptionByDefault");
            if (byDefault.path("SSEAlgorithm").asText().startsWith("aws:kms")) {
                String keyArn = resolve(byDefault.path("KMSMasterKeyID")).asText();
                for (String key : resourcesOfType("AWS::KMS::Key")) {
                    if (getAtt(key, "Arn").equals(keyArn) || ref(key).equals(keyArn)) {
                        return Optional.of(key);
                    }
                }
                throw new IllegalArgumentException(bucket + " is encrypted with a key outside the stack: " + keyArn);
            }
        }
        return Optional.empty();
    }

    /** A function's environment as the template writes it, before resolution (so a {@code Ref} shows its target). */
    public JsonNode environment(String function) {
        return resource(function).path("Properties").path("Environment").path("Variables");
    }
}
