package dev.sentinel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sentinel.json.Json;
import dev.sentinel.verdict.ReviewStatus;
import dev.sentinel.verdict.Verdict;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * {@link VerdictStore} on one DynamoDB table (schema in {@link VerdictTable}). The verdict itself is kept as a JSON
 * document; the few attributes that keys, indexes and conditions need are copied beside it.
 */
public final class DynamoVerdictStore implements VerdictStore {

    /** Fixed width so that index range keys sort by time as strings do. */
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectReader VERDICT_READER =
            Json.mapper().readerFor(Verdict.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Claims share the table under their own ids; they carry no index attributes, so no index sees them. */
    private static final String CLAIM = "claim#";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoVerdictStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public boolean create(Verdict verdict) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(toItem(verdict))
                    .conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", VerdictTable.ID)));
            return true;
        } catch (ConditionalCheckFailedException alreadyThere) {
            return false;
        }
    }

    @Override
    public boolean claim(String verdictId, java.time.Duration ttl, String owner) {
        long now = java.time.Instant.now().getEpochSecond();
        try {
            dynamo.putItem(b -> b.tableName(table).item(Map.of(
                    VerdictTable.ID, s(CLAIM + verdictId),
                    VerdictTable.CLAIM_EXPIRES_AT, n(now + Math.max(1, ttl.toSeconds())),
                    "owner", s(owner)))
                    .conditionExpression("attribute_not_exists(#id) OR #exp < :now")
                    .expressionAttributeNames(Map.of("#id", VerdictTable.ID, "#exp", VerdictTable.CLAIM_EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":now", n(now))));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    @Override
    public void release(String verdictId, String owner) {
        try {
            dynamo.deleteItem(b -> b.tableName(table).key(Map.of(VerdictTable.ID, s(CLAIM + verdictId)))
                    .conditionExpression("#owner = :me")
                    .expressionAttributeNames(Map.of("#owner", "owner"))
                    .expressionAttributeValues(Map.of(":me", s(owner))));
        } catch (ConditionalCheckFailedException taken) {
            // Expired and taken over by someone else: theirs to release.
        }
    }

    @Override
    public Optional<Verdict> find(String verdictId) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(VerdictTable.ID, s(verdictId)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    @Override
    public void update(Verdict current, Verdict next) {
        if (!current.verdictId().equals(next.verdictId())) {
            throw new IllegalArgumentException("an update cannot change the verdict id");
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(toItem(next))
                    .conditionExpression("#rev = :expected")
                    .expressionAttributeNames(Map.of("#rev", VerdictTable.REVISION))
                    .expressionAttributeValues(Map.of(":expected", n(current.revision()))));
        } catch (ConditionalCheckFailedException e) {
            throw new ConcurrentUpdateException("verdict " + current.verdictId() + " changed since revision "
                    + current.revision() + " was read");
        }
    }

    @Override
    public List<Verdict> historyOf(String bucket, String key) {
        List<Verdict> history = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table).indexName(VerdictTable.BY_OBJECT)
                    .keyConditionExpression("#o = :o")
                    .expressionAttributeNames(Map.of("#o", VerdictTable.OBJECT_KEY))
                    .expressionAttributeValues(Map.of(":o", s(objectKey(bucket, key))))
                    .scanIndexForward(false)
                    .exclusiveStartKey(from));
            page.items().forEach(item -> history.add(fromItem(item)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return history;
    }

    @Override
    public Page<Verdict> listByReview(ReviewStatus status, int limit, String cursor) {
        if (limit < 1 || limit > 100) {
            throw new IllegalArgumentException("limit must be from 1 to 100");
        }
        Map<String, AttributeValue> start = DynamoCursor.decode(cursor, java.util.Set.of(VerdictTable.ID,
                VerdictTable.REVIEW_STATUS, VerdictTable.DECIDED_AT));
        QueryResponse page = dynamo.query(b -> b.tableName(table).indexName(VerdictTable.BY_REVIEW)
                .keyConditionExpression("#r = :r")
                .expressionAttributeNames(Map.of("#r", VerdictTable.REVIEW_STATUS))
                .expressionAttributeValues(Map.of(":r", s(status.name())))
                .scanIndexForward(true)
                .limit(limit)
                .exclusiveStartKey(start));
        List<Verdict> items = page.items().stream().map(DynamoVerdictStore::fromItem).toList();
        String next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                ? DynamoCursor.encode(page.lastEvaluatedKey()) : null;
        return new Page<>(items, next);
    }

    /**
     * Every verdict in the table, read page by page as the stream is consumed (claim items are left out).
     *
     * <p>This is a Scan: it reads, and is billed for, the whole table. That is acceptable for an occasional job such
     * as the transparency report, never on a request path. No filter on {@code decidedAt} narrows it, because a
     * report also counts what people decided in its period about verdicts made earlier, and a filter would not make
     * the Scan cheaper anyway (DynamoDB charges for the items it reads, not the ones it returns).
     */
    public Stream<Verdict> scanAll() {
        return dynamo.scanPaginator(b -> b.tableName(table)
                        .filterExpression("attribute_exists(#doc)")
                        .expressionAttributeNames(Map.of("#doc", VerdictTable.DOCUMENT)))
                .items().stream()
                .map(DynamoVerdictStore::fromItem);
    }

    static String objectKey(String bucket, String key) {
        return bucket + "/" + key;
    }

    static String sortable(Instant instant) {
        return SORTABLE.format(instant);
    }

    private static Map<String, AttributeValue> toItem(Verdict verdict) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(VerdictTable.ID, s(verdict.verdictId()));
        item.put(VerdictTable.OBJECT_KEY, s(objectKey(verdict.object().bucket(), verdict.object().key())));
        item.put(VerdictTable.DECIDED_AT, s(sortable(verdict.decidedAt())));
        item.put(VerdictTable.REVISION, n(verdict.revision()));
        if (verdict.review() != ReviewStatus.NOT_NEEDED) {
            item.put(VerdictTable.REVIEW_STATUS, s(verdict.review().name()));
        }
        try {
            item.put(VerdictTable.DOCUMENT, s(Json.mapper().writeValueAsString(verdict)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("verdict " + verdict.verdictId() + " could not be written as JSON", e);
        }
        return item;
    }

    private static Verdict fromItem(Map<String, AttributeValue> item) {
        try {
            return VERDICT_READER.readValue(item.get(VerdictTable.DOCUMENT).s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored verdict " + item.get(VerdictTable.ID).s() + " is not readable", e);
        }
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
