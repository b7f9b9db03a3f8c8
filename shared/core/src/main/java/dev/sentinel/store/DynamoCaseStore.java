package dev.sentinel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.sentinel.json.Json;
import dev.sentinel.safety.ChildSafetyReport;
import dev.sentinel.safety.ChildSafetyReports;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** Notices, appeals and the audit trail in the cases table (see {@link CaseTable}). */
public final class DynamoCaseStore implements NoticeStore, AppealStore, AuditTrail, ChildSafetyReports {

    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoCaseStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void create(Notice notice) {
        putNew("notice#" + notice.noticeId(), "notice", notice, 0);
    }

    @Override
    public Optional<Notice> findNotice(String noticeId) {
        return get("notice#" + noticeId, "notice", Notice.class);
    }

    @Override
    public void create(Appeal appeal) {
        putNew("appeal#" + appeal.appealId(), "appeal", appeal, appeal.revision());
    }

    @Override
    public Optional<Appeal> findAppeal(String appealId) {
        return get("appeal#" + appealId, "appeal", Appeal.class);
    }

    @Override
    public void update(Appeal current, Appeal next) {
        Map<String, AttributeValue> item = item("appeal#" + next.appealId(), "appeal", next, next.revision());
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("#rev = :expected")
                    .expressionAttributeNames(Map.of("#rev", CaseTable.REVISION))
                    .expressionAttributeValues(Map.of(":expected",
                            AttributeValue.fromN(Long.toString(current.revision())))));
        } catch (ConditionalCheckFailedException e) {
            throw new ConcurrentUpdateException("appeal " + current.appealId() + " changed since it was read");
        }
    }

    @Override
    public void create(ChildSafetyReport report) {
        try {
            putNew("report#" + report.verdictId(), "child-safety", report, 0);
        } catch (ConcurrentUpdateException alreadyThere) {
            // A retried scan of the same verdict: the first report stands.
        }
    }

    @Override
    public Optional<ChildSafetyReport> findReport(String verdictId) {
        return get("report#" + verdictId, "child-safety", ChildSafetyReport.class);
    }

    /**
     * Notices received in {@code [from, to)}. A Scan of the whole cases table: for occasional jobs such as the
     * transparency report, not for request paths.
     */
    public List<Notice> noticesReceivedBetween(Instant from, Instant to) {
        return scanDocuments("notice#", "notice", Notice.class, n -> within(n.receivedAt(), from, to));
    }

    /**
     * Appeals lodged in {@code [from, to)}, in whatever state they are now. A Scan of the whole cases table: for
     * occasional jobs such as the transparency report, not for request paths.
     */
    public List<Appeal> appealsLodgedBetween(Instant from, Instant to) {
        return scanDocuments("appeal#", "appeal", Appeal.class, a -> within(a.lodgedAt(), from, to));
    }

    @Override
    public void append(AuditEntry entry) {
        // Time first so entries sort chronologically; the random suffix keeps two entries of one instant apart.
        putNew("audit#" + entry.subject(), SORTABLE.format(entry.at()) + "#" + UUID.randomUUID(), entry, 0);
    }

    @Override
    public List<AuditEntry> of(String subject) {
        List<AuditEntry> entries = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamo.query(b -> b.tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", CaseTable.PK))
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("audit#" + subject)))
                    .exclusiveStartKey(from));
            page.items().forEach(i -> entries.add(read(i, AuditEntry.class)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return entries;
    }

    /** The documents of one kind of record; the time filter is applied here, as the time is inside the document. */
    private <T> List<T> scanDocuments(String pkPrefix, String sk, Class<T> type, Predicate<T> wanted) {
        List<T> found = new ArrayList<>();
        dynamo.scanPaginator(b -> b.tableName(table)
                        .filterExpression("begins_with(#pk, :prefix) AND #sk = :sk")
                        .expressionAttributeNames(Map.of("#pk", CaseTable.PK, "#sk", CaseTable.SK))
                        .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(pkPrefix),
                                ":sk", AttributeValue.fromS(sk))))
                .items().forEach(item -> {
                    T document = read(item, type);
                    if (wanted.test(document)) {
                        found.add(document);
                    }
                });
        return found;
    }

    private static boolean within(Instant at, Instant from, Instant to) {
        return at != null && !at.isBefore(from) && at.isBefore(to);
    }

    private void putNew(String pk, String sk, Object document, long revision) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(item(pk, sk, document, revision))
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", CaseTable.PK)));
        } catch (ConditionalCheckFailedException e) {
            throw new ConcurrentUpdateException(pk + " / " + sk + " already exists; records are never overwritten");
        }
    }

    private <T> Optional<T> get(String pk, String sk, Class<T> type) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(CaseTable.PK, AttributeValue.fromS(pk), CaseTable.SK, AttributeValue.fromS(sk)))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(item, type));
    }

    private static Map<String, AttributeValue> item(String pk, String sk, Object document, long revision) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(CaseTable.PK, AttributeValue.fromS(pk));
        item.put(CaseTable.SK, AttributeValue.fromS(sk));
        item.put(CaseTable.REVISION, AttributeValue.fromN(Long.toString(revision)));
        try {
            item.put(CaseTable.DOCUMENT, AttributeValue.fromS(Json.mapper().writeValueAsString(document)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + document.getClass().getSimpleName(), e);
        }
        return item;
    }

    private static <T> T read(Map<String, AttributeValue> item, Class<T> type) {
        try {
            return Json.mapper().readerFor(type).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(item.get(CaseTable.DOCUMENT).s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is not readable", e);
        }
    }
}
