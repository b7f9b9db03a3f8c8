package dev.sentinel.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The verdict table's schema, in one place: template.yaml declares the same keys and indexes for AWS, and local
 * runs and tests create the table from here.
 *
 * <ul>
 *   <li>{@code verdictId} (hash key): one item per verdict.</li>
 *   <li>{@code byObject} index: {@code objectKey} ("bucket/key") + {@code decidedAt}: an object's history.</li>
 *   <li>{@code byReview} index: {@code reviewStatus} + {@code decidedAt}: the review queue, oldest first. Sparse:
 *   verdicts that need no review carry no {@code reviewStatus}.</li>
 * </ul>
 */
public final class VerdictTable {

    public static final String ID = "verdictId";
    public static final String OBJECT_KEY = "objectKey";
    public static final String DECIDED_AT = "decidedAt";
    public static final String REVIEW_STATUS = "reviewStatus";
    public static final String REVISION = "revision";
    public static final String DOCUMENT = "document";
    /** Epoch seconds after which a scan claim lapses; the table's TTL attribute, set only on claim items. */
    public static final String CLAIM_EXPIRES_AT = "claimExpiresAt";
    public static final String BY_OBJECT = "byObject";
    public static final String BY_REVIEW = "byReview";

    private VerdictTable() {
    }

    /** Creates the table when it does not exist yet (local runs and tests; AWS gets it from template.yaml). */
    public static void createIfMissing(DynamoDbClient dynamo, String tableName) {
        try {
            dynamo.createTable(b -> b.tableName(tableName)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            attribute(ID), attribute(OBJECT_KEY), attribute(DECIDED_AT), attribute(REVIEW_STATUS))
                    .keySchema(KeySchemaElement.builder().attributeName(ID).keyType(KeyType.HASH).build())
                    .globalSecondaryIndexes(index(BY_OBJECT, OBJECT_KEY), index(BY_REVIEW, REVIEW_STATUS)));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(tableName));
        } catch (ResourceInUseException alreadyThere) {
            // Created by an earlier run or another test: same schema, nothing to do.
        }
    }

    private static AttributeDefinition attribute(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static GlobalSecondaryIndex index(String name, String hashKey) {
        return GlobalSecondaryIndex.builder().indexName(name)
                .keySchema(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(DECIDED_AT).keyType(KeyType.RANGE).build())
                .projection(Projection.builder().projectionType(ProjectionType.ALL).build())
                .build();
    }
}
