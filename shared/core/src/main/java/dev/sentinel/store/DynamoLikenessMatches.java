package dev.sentinel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.sentinel.json.Json;
import dev.sentinel.likeness.LikenessMatch;
import dev.sentinel.likeness.LikenessMatches;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Likeness matches in the cases table, beside notices and appeals: a match names the image by its SHA-256 and the
 * registration by its id, nothing of the person, so the review function can count them for the transparency report
 * without any access to registrations.
 *
 * <pre>
 *   pk                          sk                   item
 *   likeness-match#&lt;sha256&gt;    &lt;registration id&gt;    a registered likeness found in these bytes
 * </pre>
 */
public final class DynamoLikenessMatches implements LikenessMatches {

    private static final String MATCH = "likeness-match#";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoLikenessMatches(DynamoDbClient dynamo, String casesTable) {
        this.dynamo = dynamo;
        this.table = casesTable;
    }

    @Override
    public boolean recordFirst(LikenessMatch match) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(itemOf(match)).conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", CaseTable.PK)));
            return true;
        } catch (ConditionalCheckFailedException alreadyMatched) {
            return false;
        }
    }

    @Override
    public void forget(String imageSha256, String registrationId) {
        dynamo.deleteItem(b -> b.tableName(table).key(key(imageSha256, registrationId)));
    }

    @Override
    public List<LikenessMatch> ofImage(String imageSha256) {
        return dynamo.query(b -> b.tableName(table).consistentRead(true).keyConditionExpression("#pk = :pk")
                        .expressionAttributeNames(Map.of("#pk", CaseTable.PK))
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(MATCH + imageSha256))))
                .items().stream().map(DynamoLikenessMatches::read).toList();
    }

    @Override
    public void update(LikenessMatch match) {
        dynamo.putItem(b -> b.tableName(table).item(itemOf(match)));
    }

    /** A Scan of the whole cases table: for the transparency report, not for request paths. */
    @Override
    public List<LikenessMatch> matchedBetween(Instant from, Instant to) {
        return dynamo.scanPaginator(b -> b.tableName(table).filterExpression(
                        "begins_with(#pk, :prefix) AND #at >= :from AND #at < :to")
                        .expressionAttributeNames(Map.of("#pk", CaseTable.PK, "#at", "matchedAt"))
                        .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(MATCH),
                                ":from", AttributeValue.fromN(Long.toString(from.toEpochMilli())),
                                ":to", AttributeValue.fromN(Long.toString(to.toEpochMilli())))))
                .items().stream().map(DynamoLikenessMatches::read).toList();
    }

    private static Map<String, AttributeValue> key(String imageSha256, String registrationId) {
        return Map.of(CaseTable.PK, AttributeValue.fromS(MATCH + imageSha256),
                CaseTable.SK, AttributeValue.fromS(registrationId));
    }

    private static Map<String, AttributeValue> itemOf(LikenessMatch match) {
        Map<String, AttributeValue> item = new HashMap<>(key(match.imageSha256(), match.registrationId()));
        try {
            item.put(CaseTable.DOCUMENT, AttributeValue.fromS(Json.mapper().writeValueAsString(match)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Milliseconds: a report period ending this second still counts a match made in it.
        item.put("matchedAt", AttributeValue.fromN(Long.toString(match.matchedAt().toEpochMilli())));
        return item;
    }

    private static LikenessMatch read(Map<String, AttributeValue> item) {
        try {
            return Json.mapper().readerFor(LikenessMatch.class)
                    .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(item.get(CaseTable.DOCUMENT).s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable likeness match", e);
        }
    }
}
