package dev.sentinel.store;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The cases table: notices, appeals, child-safety reports and the audit trail, one table with a composite key.
 *
 * <pre>
 *   pk                     sk                      item
 *   notice#&lt;id&gt;            notice                  a takedown notice
 *   appeal#&lt;id&gt;            appeal                  an appeal (revision-checked updates)
 *   audit#&lt;subject&gt;        &lt;time&gt;#&lt;random&gt;         one audit entry, append-only
 *   report#&lt;verdict&gt;       child-safety            a child-safety report record for the legal team
 * </pre>
 */
public final class CaseTable {

    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String DOCUMENT = "document";
    public static final String REVISION = "revision";

    private CaseTable() {
    }

    public static void createIfMissing(DynamoDbClient dynamo, String tableName) {
        try {
            dynamo.createTable(b -> b.tableName(tableName)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build()));
            dynamo.waiter().waitUntilTableExists(b -> b.tableName(tableName));
        } catch (ResourceInUseException alreadyThere) {
            // Same schema from an earlier run.
        }
    }
}
