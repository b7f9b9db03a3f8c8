package dev.sentinel.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.sentinel.hash.BankEntry;
import dev.sentinel.hash.ContentHashes;
import dev.sentinel.hash.HashMatching;
import dev.sentinel.hash.PdqHash;
import dev.sentinel.hash.PdqHasher;
import dev.sentinel.hash.PdqIndex;
import dev.sentinel.json.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The hash bank and content index in one DynamoDB table (keys {@code pk}, {@code sk}), searched in memory.
 *
 * <pre>
 *   pk                    sk                 item
 *   bank#pdq#&lt;hex&gt;        &lt;source&gt;           a bank entry (likewise bank#sha256#..., bank#md5#...)
 *   content#&lt;sha256&gt;      verdict            the verdict that first decided these bytes
 * </pre>
 *
 * Bank entries are loaded once per container into a {@link PdqIndex} and exact maps, and reloaded when older than
 * the refresh interval, so a lookup reads no table; entries added through this instance are searchable at once.
 * Content lookups are single GetItems.
 */
public final class DynamoHashBank implements HashMatching {

    private static final String CONTENT = "content#";
    private static final String BANK = "bank#";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Duration refresh;
    private final Clock clock;
    private volatile Loaded loaded;

    private record Loaded(PdqIndex pdq, List<BankEntry> byPosition, Map<String, BankEntry> exact, Instant at) { }

    public DynamoHashBank(DynamoDbClient dynamo, String table, Duration refresh, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.refresh = refresh;
        this.clock = clock;
    }

    @Override
    public Optional<String> verdictWithContent(String sha256) {
        Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of(
                CaseTable.PK, AttributeValue.fromS(CONTENT + sha256), CaseTable.SK, AttributeValue.fromS("verdict"))))
                .item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item.get("verdictId").s());
    }

    @Override
    public void recordContent(String sha256, String verdictId) {
        try {
            dynamo.putItem(b -> b.tableName(table).item(Map.of(
                    CaseTable.PK, AttributeValue.fromS(CONTENT + sha256), CaseTable.SK, AttributeValue.fromS("verdict"),
                    "verdictId", AttributeValue.fromS(verdictId)))
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", CaseTable.PK)));
        } catch (ConditionalCheckFailedException firstWins) {
            // The same bytes were decided before; that verdict stays the one reused.
        }
    }

    @Override
    public Optional<Match> knownContent(ContentHashes hashes) {
        Loaded bank = current();
        for (String exact : new String[] {BankEntry.SHA256 + "#" + hashes.sha256(), BankEntry.MD5 + "#" + hashes.md5()}) {
            BankEntry entry = bank.exact().get(exact);
            if (entry != null) {
                return Optional.of(new Match(entry, 0));
            }
        }
        if (hashes.pdq() == null || hashes.pdqQuality() == null
                || hashes.pdqQuality() < PdqHasher.MIN_MATCH_QUALITY) {
            return Optional.empty();
        }
        return bank.pdq().within(PdqHash.fromHex(hashes.pdq()), PdqHasher.MATCH_DISTANCE).stream().findFirst()
                .map(m -> new Match(bank.byPosition().get(m.position()), m.distance()));
    }

    @Override
    public void addToBank(BankEntry entry) {
        String document;
        try {
            document = Json.mapper().writeValueAsString(entry);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        dynamo.putItem(b -> b.tableName(table).item(Map.of(
                CaseTable.PK, AttributeValue.fromS(BANK + entry.kind() + "#" + entry.hash()),
                CaseTable.SK, AttributeValue.fromS(entry.source()),
                CaseTable.DOCUMENT, AttributeValue.fromS(document))));
        Loaded bank = loaded;
        if (bank != null) {
            synchronized (this) {
                index(bank, entry);
            }
        }
    }

    /** Every bank entry as stored, for export. */
    public List<BankEntry> entries() {
        List<BankEntry> all = new ArrayList<>();
        scan(all::add);
        return all;
    }

    private Loaded current() {
        Loaded bank = loaded;
        if (bank == null || bank.at().plus(refresh).isBefore(clock.instant())) {
            synchronized (this) {
                bank = loaded;
                if (bank == null || bank.at().plus(refresh).isBefore(clock.instant())) {
                    Loaded fresh = new Loaded(new PdqIndex(), new ArrayList<>(), new HashMap<>(), clock.instant());
                    scan(entry -> index(fresh, entry));
                    loaded = fresh;
                    bank = fresh;
                }
            }
        }
        return bank;
    }

    private static void index(Loaded bank, BankEntry entry) {
        if (entry.kind().equals(BankEntry.PDQ)) {
            int position = bank.pdq().add(PdqHash.fromHex(entry.hash()));
            bank.byPosition().add(position, entry);
        } else {
            bank.exact().putIfAbsent(entry.kind() + "#" + entry.hash(), entry);
        }
    }

    private void scan(java.util.function.Consumer<BankEntry> sink) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(b -> b.tableName(table)
                    .filterExpression("begins_with(#pk, :bank)")
                    .expressionAttributeNames(Map.of("#pk", CaseTable.PK))
                    .expressionAttributeValues(Map.of(":bank", AttributeValue.fromS(BANK)))
                    .exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : page.items()) {
                try {
                    sink.accept(Json.mapper().readerFor(BankEntry.class)
                            .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .readValue(item.get(CaseTable.DOCUMENT).s()));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("unreadable bank entry " + item.get(CaseTable.PK).s(), e);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }
}
