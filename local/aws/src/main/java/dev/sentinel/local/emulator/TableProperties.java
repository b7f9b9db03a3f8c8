package dev.sentinel.local.emulator;

import static dev.sentinel.local.emulator.DeclaredProperty.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.PointInTimeRecoveryStatus;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.SSEStatus;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * {@code AWS::DynamoDB::Table} properties. Keys, attribute definitions and indexes are fixed when a table is made:
 * CloudFormation must have made them as declared. The rest can be set afterwards.
 */
final class TableProperties {

    private TableProperties() {
    }

    static List<DeclaredProperty> table(DynamoDbClient dynamo) {
        return List.of(
                DeclaredProperty.of("TableName", r -> Optional.of(TextNode.valueOf(describe(dynamo, r).tableName())),
                        null),
                DeclaredProperty.of("BillingMode", r -> Optional.of(TextNode.valueOf(billingMode(describe(dynamo, r)))),
                        (r, declared) -> dynamo.updateTable(b -> b.tableName(r.physicalId())
                                .billingMode(declared.asText()))),
                DeclaredProperty.of("AttributeDefinitions", r -> {
                    ArrayNode definitions = JSON.createArrayNode();
                    describe(dynamo, r).attributeDefinitions().forEach(d -> definitions.addObject()
                            .put("AttributeName", d.attributeName()).put("AttributeType", d.attributeTypeAsString()));
                    return Optional.of(definitions);
                }, null).normalizedBy(definitions -> DeclaredProperty.sortedBy(definitions, "AttributeName")),
                DeclaredProperty.of("KeySchema", r -> Optional.of(keySchema(describe(dynamo, r).keySchema())), null),
                DeclaredProperty.of("GlobalSecondaryIndexes", r -> {
                    TableDescription table = describe(dynamo, r);
                    if (!table.hasGlobalSecondaryIndexes() || table.globalSecondaryIndexes().isEmpty()) {
                        return Optional.empty();
                    }
                    ArrayNode indexes = JSON.createArrayNode();
                    table.globalSecondaryIndexes().forEach(index -> {
                        ObjectNode cfn = indexes.addObject().put("IndexName", index.indexName());
                        cfn.set("KeySchema", keySchema(index.keySchema()));
                        cfn.set("Projection", projection(index.projection()));
                        if (billingMode(table).equals("PROVISIONED")) {
                            cfn.putObject("ProvisionedThroughput")
                                    .put("ReadCapacityUnits", index.provisionedThroughput().readCapacityUnits())
                                    .put("WriteCapacityUnits", index.provisionedThroughput().writeCapacityUnits());
                        }
                    });
                    return Optional.of(indexes);
                }, null).normalizedBy(indexes -> DeclaredProperty.sortedBy(indexes, "IndexName")),
                DeclaredProperty.of("LocalSecondaryIndexes", r -> {
                    TableDescription table = describe(dynamo, r);
                    if (!table.hasLocalSecondaryIndexes() || table.localSecondaryIndexes().isEmpty()) {
                        return Optional.empty();
                    }
                    ArrayNode indexes = JSON.createArrayNode();
                    table.localSecondaryIndexes().forEach(index -> {
                        ObjectNode cfn = indexes.addObject().put("IndexName", index.indexName());
                        cfn.set("KeySchema", keySchema(index.keySchema()));
                        cfn.set("Projection", projection(index.projection()));
                    });
                    return Optional.of(indexes);
                }, null).normalizedBy(indexes -> DeclaredProperty.sortedBy(indexes, "IndexName")),
                DeclaredProperty.of("TimeToLiveSpecification", r -> {
                    var ttl = dynamo.describeTimeToLive(b -> b.tableName(r.physicalId())).timeToLiveDescription();
                    boolean on = ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLED
                            || ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLING;
                    ObjectNode cfn = JSON.createObjectNode().put("Enabled", on);
                    if (on) {
                        cfn.put("AttributeName", ttl.attributeName());
                    }
                    return Optional.of(cfn);
                }, (r, declared) -> dynamo.updateTimeToLive(b -> b.tableName(r.physicalId())
                        .timeToLiveSpecification(t -> t.attributeName(declared.path("AttributeName").asText())
                                .enabled(declared.path("Enabled").asBoolean())))),
                DeclaredProperty.of("PointInTimeRecoverySpecification", r -> Optional.of(JSON.createObjectNode()
                        .put("PointInTimeRecoveryEnabled", dynamo.describeContinuousBackups(b -> b.tableName(
                                r.physicalId())).continuousBackupsDescription().pointInTimeRecoveryDescription()
                                .pointInTimeRecoveryStatus() == PointInTimeRecoveryStatus.ENABLED)),
                        (r, declared) -> dynamo.updateContinuousBackups(b -> b.tableName(r.physicalId())
                                .pointInTimeRecoverySpecification(p -> p.pointInTimeRecoveryEnabled(
                                        declared.path("PointInTimeRecoveryEnabled").asBoolean()))))
                        .normalizedBy(pitr -> {
                            ObjectNode copy = pitr.deepCopy();
                            copy.remove("RecoveryPeriodInDays");
                            return copy;
                        }),
                DeclaredProperty.of("SSESpecification", r -> {
                    var sse = describe(dynamo, r).sseDescription();
                    boolean on = sse != null && (sse.status() == SSEStatus.ENABLED || sse.status() == SSEStatus.ENABLING);
                    return Optional.of(JSON.createObjectNode().put("SSEEnabled", on));
                }, (r, declared) -> dynamo.updateTable(b -> b.tableName(r.physicalId()).sseSpecification(s -> s
                        .enabled(declared.path("SSEEnabled").asBoolean())))),
                DeclaredProperty.of("DeletionProtectionEnabled", r -> Optional.of(BooleanNode.valueOf(
                        Boolean.TRUE.equals(describe(dynamo, r).deletionProtectionEnabled()))),
                        (r, declared) -> dynamo.updateTable(b -> b.tableName(r.physicalId())
                                .deletionProtectionEnabled(declared.asBoolean()))),
                DeclaredProperty.of("StreamSpecification", r -> {
                    var stream = describe(dynamo, r).streamSpecification();
                    return stream == null || !Boolean.TRUE.equals(stream.streamEnabled()) ? Optional.empty()
                            : Optional.of(JSON.createObjectNode().put("StreamViewType",
                                    stream.streamViewTypeAsString()));
                }, (r, declared) -> dynamo.updateTable(b -> b.tableName(r.physicalId()).streamSpecification(s -> s
                        .streamEnabled(true).streamViewType(declared.path("StreamViewType").asText())))));
    }

    private static TableDescription describe(DynamoDbClient dynamo, DeclaredProperty.Resource r) {
        return dynamo.describeTable(b -> b.tableName(r.physicalId())).table();
    }

    private static String billingMode(TableDescription table) {
        return table.billingModeSummary() == null || table.billingModeSummary().billingMode() == null
                ? BillingMode.PROVISIONED.toString() : table.billingModeSummary().billingModeAsString();
    }

    private static ArrayNode keySchema(List<KeySchemaElement> keys) {
        ArrayNode schema = JSON.createArrayNode();
        keys.forEach(k -> schema.addObject().put("AttributeName", k.attributeName()).put("KeyType", k.keyTypeAsString()));
        return schema;
    }

    private static JsonNode projection(Projection projection) {
        ObjectNode cfn = JSON.createObjectNode().put("ProjectionType", projection.projectionTypeAsString());
        if (projection.hasNonKeyAttributes() && !projection.nonKeyAttributes().isEmpty()) {
            ArrayNode attributes = cfn.putArray("NonKeyAttributes");
            projection.nonKeyAttributes().stream().sorted().forEach(attributes::add);
        }
        return cfn;
    }
}
