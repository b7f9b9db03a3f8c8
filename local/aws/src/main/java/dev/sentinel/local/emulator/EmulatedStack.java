package dev.sentinel.local.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sentinel.local.emulator.DeclaredProperty.Resource;
import dev.sentinel.local.iam.DeployedStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.ResourceStatus;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.cloudformation.model.StackResourceSummary;
import software.amazon.awssdk.services.cloudformation.model.StackStatus;

/**
 * The template's data plane deployed into an emulator: its KMS key, queues, tables and buckets created through the
 * emulator's CloudFormation from the SAM-transformed template, then every property the template declares for them
 * read back from the services' own APIs. A property the emulator's CloudFormation did not set is set with the SDK as
 * declared and read back again; one that cannot be set, or does not hold, fails the deployment, unless the emulator
 * is known not to keep it or to act on it wrongly (listed in {@link #notEmulated}: not set, and reported). The bucket
 * and queue policies are put with the SDK: they name the functions' roles, which no emulator here creates. Nothing
 * about a resource is written here: names, keys, indexes and settings all come from the template, and
 * {@link #stack()} resolves every reference to the names the emulator gave.
 */
public final class EmulatedStack {

    /** Created through the emulator's CloudFormation, in this order of checking (a bucket's encryption names the key). */
    public static final List<String> CLOUDFORMATION_TYPES = List.of("AWS::KMS::Key", "AWS::SQS::Queue",
            "AWS::DynamoDB::Table", "AWS::S3::Bucket");
    /** Put with the SDK after the resources they govern. */
    public static final List<String> SDK_TYPES = List.of("AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy");

    private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(3);

    /** How a declared property came to hold in the emulator. */
    public enum How {
        CLOUDFORMATION("emulator's CloudFormation"), SDK("set with the SDK"), NOT_EMULATED("not kept by the emulator");

        private final String text;

        How(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** One declared property of one resource, and how it came to hold. */
    public record Outcome(String logicalId, String type, String property, How how, String note) { }

    private final Emulator emulator;
    private final EmulatorClients clients;
    private final DeployedStack stack;
    private final String stackName;
    private final List<Outcome> outcomes;

    private EmulatedStack(Emulator emulator, EmulatorClients clients, DeployedStack stack, String stackName,
                          List<Outcome> outcomes) {
        this.emulator = emulator;
        this.clients = clients;
        this.stack = stack;
        this.stackName = stackName;
        this.outcomes = List.copyOf(outcomes);
    }

    /**
     * Deploys the data plane of {@code transformedTemplate} as stack {@code stackName}.
     *
     * @param parameters parameter values other than the defaults
     * @throws IllegalStateException naming every property that does not hold as declared
     */
    public static EmulatedStack deploy(Emulator emulator, EmulatorClients clients, JsonNode transformedTemplate,
                                       Map<String, String> parameters, String stackName) {
        DeployedStack paper = DeployedStack.of(transformedTemplate, parameters);
        Map<String, String> physical = createStack(clients, transformedTemplate, parameters, stackName);
        DeployedStack stack = paper.withPhysicalIds(physicalIds(emulator, clients, paper, physical, stackName));

        List<Outcome> outcomes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String type : CLOUDFORMATION_TYPES) {
            for (String logicalId : created(paper, type)) {
                settle(emulator, new Resource(logicalId, physical.get(logicalId), stack), type, propertiesOf(type,
                        clients), true, outcomes, problems);
            }
        }
        for (String type : SDK_TYPES) {
            for (String logicalId : created(paper, type)) {
                settle(emulator, new Resource(logicalId, null, stack), type, propertiesOf(type, clients), false,
                        outcomes, problems);
            }
        }
        problems.addAll(missingDestinations(clients, stack));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the template's data plane does not hold in " + emulator.name() + " as "
                    + "declared:\n  " + String.join("\n  ", problems));
        }
        return new EmulatedStack(emulator, clients, stack, stackName, outcomes);
    }

    /**
     * Properties an emulator is known to keep nowhere (neither from its CloudFormation nor from the service's API) or
     * to act on wrongly, with what that means for what runs on it. They are reported, and not set.
     */
    public static Map<String, String> notEmulated(Emulator emulator) {
        if (!emulator.isMoto()) {
            return Map.of();
        }
        String policy = "moto judges object calls by a bucket policy without the request's context (transport, "
                + "tags, caller) and takes every statement whose condition it cannot evaluate as a Deny: with this "
                + "policy it would refuse every upload and read, so it is not put; the read gate is proven by "
                + "LeastPrivilegeTest instead";
        return Map.of("AWS::DynamoDB::Table.SSESpecification", "moto's CloudFormation files SSEEnabled where its "
                + "DescribeTable looks for Enabled, and its UpdateTable ignores SSESpecification; encryption at rest "
                + "changes nothing a caller sees",
                "AWS::S3::BucketPolicy.PolicyDocument", policy);
    }

    /** The resource types of the template that are not deployed, each with how many resources it has. */
    public static Map<String, Integer> leftOut(JsonNode transformedTemplate) {
        Map<String, Integer> left = new TreeMap<>();
        transformedTemplate.path("Resources").forEach(resource -> {
            String type = resource.path("Type").asText();
            if (!CLOUDFORMATION_TYPES.contains(type) && !SDK_TYPES.contains(type)) {
                left.merge(type, 1, Integer::sum);
            }
        });
        return left;
    }

    // ------------------------------------------------------------------ CloudFormation

    private static Map<String, String> createStack(EmulatorClients clients, JsonNode template,
                                                   Map<String, String> parameters, String stackName) {
        ObjectNode part = DeclaredProperty.JSON.createObjectNode();
        for (String section : List.of("AWSTemplateFormatVersion", "Parameters", "Conditions", "Mappings")) {
            if (template.has(section)) {
                part.set(section, template.get(section));
            }
        }
        ObjectNode resources = part.putObject("Resources");
        template.path("Resources").fields().forEachRemaining(e -> {
            if (CLOUDFORMATION_TYPES.contains(e.getValue().path("Type").asText())) {
                resources.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        // What a kept resource waits for may not be kept (the uploads bucket waits for the queue policy).
        resources.forEach(resource -> {
            JsonNode dependsOn = resource.path("DependsOn");
            if (!dependsOn.isMissingNode()) {
                ArrayNode kept = DeclaredProperty.JSON.createArrayNode();
                (dependsOn.isArray() ? dependsOn : DeclaredProperty.JSON.createArrayNode().add(dependsOn))
                        .forEach(d -> {
                            if (resources.has(d.asText())) {
                                kept.add(d);
                            }
                        });
                ((ObjectNode) resource).set("DependsOn", kept);
            }
        });
        try {
            clients.cloudFormation().createStack(b -> b.stackName(stackName).templateBody(DeclaredProperty.write(part))
                    .parameters(parameters.entrySet().stream().map(p -> Parameter.builder().parameterKey(p.getKey())
                            .parameterValue(p.getValue()).build()).toList()));
        } catch (CloudFormationException e) {
            throw new IllegalStateException("CloudFormation refused stack " + stackName + ": "
                    + e.awsErrorDetails().errorMessage(), e);
        }
        Stack created = awaitCreated(clients, stackName);
        if (created.stackStatus() != StackStatus.CREATE_COMPLETE) {
            List<String> reasons = clients.cloudFormation().describeStackEvents(b -> b.stackName(stackName))
                    .stackEvents().stream().filter(e -> e.resourceStatusReason() != null)
                    .map(e -> e.logicalResourceId() + ": " + e.resourceStatusReason()).toList();
            throw new IllegalStateException("stack " + stackName + " ended " + created.stackStatusAsString() + ": "
                    + reasons);
        }
        Map<String, String> physical = new LinkedHashMap<>();
        for (StackResourceSummary summary : clients.cloudFormation().listStackResourcesPaginator(b -> b
                .stackName(stackName)).stackResourceSummaries()) {
            if (summary.resourceStatus() == ResourceStatus.CREATE_COMPLETE && summary.logicalResourceId() != null
                    && !summary.logicalResourceId().isEmpty()) {
                physical.put(summary.logicalResourceId(), summary.physicalResourceId());
            }
        }
        List<String> missing = new ArrayList<>(resources.size());
        resources.fieldNames().forEachRemaining(id -> {
            if (!physical.containsKey(id)) {
                missing.add(id);
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalStateException("stack " + stackName + " is complete but did not create " + missing);
        }
        return physical;
    }

    private static Stack awaitCreated(EmulatorClients clients, String stackName) {
        long deadline = System.nanoTime() + CREATE_TIMEOUT.toNanos();
        while (true) {
            Stack stack = clients.cloudFormation().describeStacks(b -> b.stackName(stackName)).stacks().get(0);
            if (!stack.stackStatusAsString().endsWith("_IN_PROGRESS") || System.nanoTime() > deadline) {
                return stack;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stack " + stackName + " was being created", e);
            }
        }
    }

    /** Ref and GetAtt answers for what CloudFormation made, and the account, region and stack they live in. */
    private static DeployedStack.PhysicalIds physicalIds(Emulator emulator, EmulatorClients clients,
                                                        DeployedStack paper, Map<String, String> physical,
                                                        String stackName) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (String queue : created(paper, "AWS::SQS::Queue")) {
            String url = QueueProperties.urlOf(clients.sqs(), physical.get(queue));
            attributes.put(queue + ".Arn", QueueProperties.attributes(clients.sqs(), url).get("QueueArn"));
            attributes.put(queue + ".QueueName", QueueProperties.queueName(url));
            attributes.put(queue + ".QueueUrl", url);
        }
        for (String table : created(paper, "AWS::DynamoDB::Table")) {
            var description = clients.dynamo().describeTable(b -> b.tableName(physical.get(table))).table();
            attributes.put(table + ".Arn", description.tableArn());
            if (description.latestStreamArn() != null) {
                attributes.put(table + ".StreamArn", description.latestStreamArn());
            }
        }
        String account = attributes.entrySet().stream().filter(e -> e.getKey().endsWith(".Arn"))
                .map(e -> e.getValue().split(":")[4]).findFirst()
                .orElseThrow(() -> new IllegalStateException("no queue or table to learn the emulator's account from"));
        for (String key : created(paper, "AWS::KMS::Key")) {
            // A key's ARN is built this way on AWS too; moto's DescribeKey fails until the policy is repaired.
            attributes.put(key + ".Arn", "arn:" + DeployedStack.PARTITION + ":kms:" + emulator.region() + ":"
                    + account + ":key/" + physical.get(key));
        }
        Map<String, String> refs = new LinkedHashMap<>(physical);
        refs.put("AWS::AccountId", account);
        refs.put("AWS::Region", emulator.region().id());
        refs.put("AWS::StackName", stackName);
        return new DeployedStack.PhysicalIds(refs, attributes);
    }

    private static List<String> created(DeployedStack stack, String type) {
        return stack.resourcesOfType(type).stream().filter(id -> !stack.resource(id).has("Condition")
                || stack.condition(stack.resource(id).get("Condition").asText())).toList();
    }

    private static List<DeclaredProperty> propertiesOf(String type, EmulatorClients clients) {
        return switch (type) {
            case "AWS::KMS::Key" -> KeyProperties.key(clients.kms());
            case "AWS::SQS::Queue" -> QueueProperties.queue(clients.sqs());
            case "AWS::DynamoDB::Table" -> TableProperties.table(clients.dynamo());
            case "AWS::S3::Bucket" -> BucketProperties.bucket(clients.s3());
            case "AWS::SQS::QueuePolicy" -> QueueProperties.queuePolicy(clients.sqs());
            case "AWS::S3::BucketPolicy" -> BucketProperties.bucketPolicy(clients.s3());
            default -> throw new IllegalArgumentException("no properties known for " + type);
        };
    }

    // ------------------------------------------------------------------ checking each property

    private static void settle(Emulator emulator, Resource resource, String type, List<DeclaredProperty> known,
                               boolean viaCloudFormation, List<Outcome> outcomes, List<String> problems) {
        String id = resource.logicalId();
        Set<String> knownNames = new java.util.HashSet<>();
        known.forEach(p -> knownNames.add(p.name()));
        resource.stack().resource(id).path("Properties").fieldNames().forEachRemaining(name -> {
            if (!knownNames.contains(name)) {
                problems.add(id + " (" + type + ") declares " + name + ", which is neither checked nor set here: "
                        + "teach " + DeclaredProperty.class.getPackageName() + " to read it");
            }
        });
        for (DeclaredProperty property : known) {
            JsonNode raw = resource.declared(property.name());
            if (raw.isMissingNode()) {
                continue;
            }
            JsonNode declared = property.normalize().apply(raw);
            String where = id + "." + property.name();
            String notKept = notEmulated(emulator).get(type + "." + property.name());
            try {
                Optional<JsonNode> before = property.read().apply(resource).map(property.normalize());
                if (before.isPresent() && DeclaredProperty.same(declared, before.get())) {
                    outcomes.add(new Outcome(id, type, property.name(), viaCloudFormation ? How.CLOUDFORMATION
                            : How.SDK, viaCloudFormation ? "" : "checked"));
                    continue;
                }
                if (notKept != null) {
                    outcomes.add(new Outcome(id, type, property.name(), How.NOT_EMULATED, notKept));
                    continue;
                }
                String found = before.map(JsonNode::toString).orElse("nothing");
                if (property.apply() == null) {
                    problems.add(where + " is fixed when the resource is made and is " + found + ", declared "
                            + declared);
                    continue;
                }
                property.apply().accept(resource, raw);
                Optional<JsonNode> after = property.read().apply(resource).map(property.normalize());
                if (after.isPresent() && DeclaredProperty.same(declared, after.get())) {
                    outcomes.add(new Outcome(id, type, property.name(), How.SDK, viaCloudFormation
                            ? "CloudFormation left " + clip(found) : ""));
                } else {
                    problems.add(where + " was set with the SDK to " + declared + " but reads "
                            + after.map(JsonNode::toString).orElse("nothing"));
                }
            } catch (SdkException | UnsupportedOperationException | IllegalStateException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
    }

    /**
     * What S3 and SQS refuse on AWS when a configuration is set and moto accepts: a notification to, or a redrive
     * into, a queue that does not exist.
     */
    private static List<String> missingDestinations(EmulatorClients clients, DeployedStack stack) {
        List<String> problems = new ArrayList<>();
        for (String bucket : created(stack, "AWS::S3::Bucket")) {
            for (JsonNode queue : stack.property(bucket, "NotificationConfiguration").path("QueueConfigurations")) {
                queueExists(clients, queue.path("Queue").asText()).ifPresent(p ->
                        problems.add(bucket + " notifies " + p));
            }
        }
        for (String queue : created(stack, "AWS::SQS::Queue")) {
            JsonNode target = stack.property(queue, "RedrivePolicy").path("deadLetterTargetArn");
            if (!target.isMissingNode()) {
                queueExists(clients, target.asText()).ifPresent(p -> problems.add(queue + " redrives into " + p));
            }
        }
        return problems;
    }

    private static Optional<String> queueExists(EmulatorClients clients, String arn) {
        try {
            String url = QueueProperties.urlOf(clients.sqs(), arn);
            String actual = QueueProperties.attributes(clients.sqs(), url).get("QueueArn");
            return actual.equals(arn) ? Optional.empty() : Optional.of(arn + ", but that name is " + actual);
        } catch (SdkException e) {
            return Optional.of(arn + ", which is no queue (" + e.getMessage() + ")");
        }
    }

    private static String clip(String text) {
        return text.length() <= 90 ? text : text.substring(0, 89) + "…";
    }

    // ------------------------------------------------------------------ the deployed stack

    public Emulator emulator() {
        return emulator;
    }

    public EmulatorClients clients() {
        return clients;
    }

    /** The template resolved with the names the emulator gave: {@code stack().ref("UploadsBucket")} is the bucket. */
    public DeployedStack stack() {
        return stack;
    }

    public String stackName() {
        return stackName;
    }

    public List<Outcome> outcomes() {
        return outcomes;
    }

    /** A queue's URL as the emulator answers it. */
    public String queueUrl(String logicalId) {
        return stack.getAtt(logicalId, "QueueUrl");
    }

    /** The URL of a queue named by its ARN (an event source mapping's, a redrive policy's target). */
    public String queueUrlOf(String arn) {
        return QueueProperties.urlOf(clients.sqs(), arn);
    }

    /** The report in a few lines: how many resources, how their properties came to hold, what was left out. */
    public String summary() {
        Map<How, Integer> by = new java.util.EnumMap<>(How.class);
        outcomes.forEach(o -> by.merge(o.how(), 1, Integer::sum));
        long resources = outcomes.stream().map(Outcome::logicalId).distinct().count();
        return String.format("Deployed %d resources of template.yaml into %s at %s (stack %s); of their declared "
                        + "properties %d held from the emulator's CloudFormation, %d were set with the SDK, %d are not "
                        + "kept by the emulator.%nNot deployed: %s.%n", resources, emulator.name(), emulator.endpoint(),
                stackName, by.getOrDefault(How.CLOUDFORMATION, 0), by.getOrDefault(How.SDK, 0),
                by.getOrDefault(How.NOT_EMULATED, 0), String.join(", ", leftOut(stack.template()).keySet()));
    }

    /** What was deployed, how each declared property came to hold, and which resource types were left out. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append("Deployed into ").append(emulator.name()).append(" at ").append(emulator.endpoint())
                .append(", stack ").append(stackName).append(" (template.yaml through the SAM translator):\n");
        String current = null;
        for (Outcome outcome : outcomes) {
            if (!outcome.logicalId().equals(current)) {
                current = outcome.logicalId();
                out.append(String.format("  %-22s %-22s %s%n", current, outcome.type(),
                        CLOUDFORMATION_TYPES.contains(outcome.type()) ? stack.ref(current) : ""));
            }
            out.append(String.format("      %-34s %-26s %s%n", outcome.property(), outcome.how(), outcome.note()));
        }
        Map<String, Integer> left = leftOut(stack.template());
        out.append("Left out (").append(left.size()).append(" resource types, not deployed into the emulator): ");
        List<String> named = new ArrayList<>();
        left.forEach((type, count) -> named.add(type + " (" + count + ")"));
        out.append(String.join(", ", named)).append('\n');
        return out.toString();
    }
}
