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
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

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
    /** BatchWriteItem's most items per call. */
    static final int BATCH = 25;
    /** Largest export page: a CSV line is at most about 250 bytes, so a page stays far under Lambda's 6 MB. */
    public static final int MAX_PAGE = 10_000;
    /** Scan pages one export call reads at most, so a bank buried in a large content index still answers fast. */
    private static final int MAX_SCAN_READS_PER_PAGE = 10;
    private static final long FIRST_PAUSE_MILLIS = 50;
    private static final long MAX_PAUSE_MILLIS = 1_000;

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
        dynamo.putItem(b -> b.tableName(table).item(itemOf(entry)));
        Loaded bank = loaded;
        if (bank != null) {
            synchronized (this) {
                index(bank, entry);
            }
        }
    }

    /**
     * Removes one entry (a self-submitted hash whose registration was withdrawn or expired). This instance forgets
     * its loaded bank so it no longer matches it; other containers stop at their next refresh.
     */
    public void removeFromBank(BankEntry entry) {
        dynamo.deleteItem(b -> b.tableName(table).key(Map.of(
                CaseTable.PK, AttributeValue.fromS(BANK + entry.kind() + "#" + entry.hash()),
                CaseTable.SK, AttributeValue.fromS(entry.source()))));
        loaded = null;
    }

    /**
     * How a list went into the bank.
     *
     * @param written   entries DynamoDB took
     * @param unwritten entries it still had not taken when the time was up (throttling); sending the same list again
     *                  writes them, and rewrites the others unchanged
     */
    public record Written(int written, int unwritten) { }

    /** One page of the bank and where the next starts (null after the last). */
    public record Page(List<BankEntry> entries, String nextCursor) { }

    /**
     * Writes entries 25 to a BatchWriteItem (DynamoDB's most), sending again, with growing pauses, what DynamoDB
     * leaves unprocessed, until {@code budget} is spent. An entry listed twice is written once (a batch may not name
     * an item twice); an entry already in the bank is overwritten with the same key.
     */
    public Written addAllToBank(List<BankEntry> entries, Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        Map<String, WriteRequest> requests = new java.util.LinkedHashMap<>();
        for (BankEntry entry : entries) {
            Map<String, AttributeValue> item = itemOf(entry);
            requests.put(item.get(CaseTable.PK).s() + "\n" + item.get(CaseTable.SK).s(),
                    WriteRequest.builder().putRequest(put -> put.item(item)).build());
        }
        List<WriteRequest> all = new ArrayList<>(requests.values());
        int written = 0;
        for (int from = 0; from < all.size(); from += BATCH) {
            List<WriteRequest> batch = all.subList(from, Math.min(all.size(), from + BATCH));
            int left = writeBatch(batch, deadline);
            written += batch.size() - left;
            if (left > 0) {
                loaded = null;
                return new Written(written, all.size() - written);
            }
        }
        // Reloaded on the next lookup, so what was written is matched at once.
        loaded = null;
        return new Written(written, 0);
    }

    /** Writes one batch, retrying its unprocessed items; returns how many were still unprocessed at the deadline. */
    private int writeBatch(List<WriteRequest> batch, long deadline) {
        List<WriteRequest> pending = batch;
        long pause = FIRST_PAUSE_MILLIS;
        while (true) {
            List<WriteRequest> sending = pending;
            BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, sending)));
            pending = response.unprocessedItems().getOrDefault(table, List.of());
            if (pending.isEmpty()) {
                return 0;
            }
            long wait = java.util.concurrent.ThreadLocalRandom.current().nextLong(pause / 2, pause + 1);
            if (System.nanoTime() + wait * 1_000_000 >= deadline) {
                return pending.size();
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return pending.size();
            }
            pause = Math.min(pause * 2, MAX_PAUSE_MILLIS);
        }
    }

    /**
     * Up to {@code limit} bank entries from where {@code cursor} points (null: the start). The table also holds the
     * content index, which a Scan reads past; one call reads at most a few Scan pages and may return fewer entries
     * than {@code limit}, with a cursor to go on.
     *
     * @throws IllegalArgumentException for a limit outside 1..{@value #MAX_PAGE} or a cursor this bank did not give
     */
    public Page entries(int limit, String cursor) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_PAGE);
        }
        Map<String, AttributeValue> start = DynamoCursor.decode(cursor, java.util.Set.of(CaseTable.PK, CaseTable.SK));
        List<BankEntry> found = new ArrayList<>();
        for (int reads = 0; reads < MAX_SCAN_READS_PER_PAGE; reads++) {
            Map<String, AttributeValue> from = start;
            ScanResponse page = dynamo.scan(bankScan(from).limit(limit - found.size()).build());
            for (Map<String, AttributeValue> item : page.items()) {
                found.add(entryOf(item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
            if (start == null || found.size() == limit) {
                break;
            }
        }
        return new Page(found, start == null ? null : DynamoCursor.encode(start));
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
            ScanResponse page = dynamo.scan(bankScan(start).build());
            for (Map<String, AttributeValue> item : page.items()) {
                sink.accept(entryOf(item));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /** A Scan of the bank's entries (the content index is filtered out), from {@code start} (null: the start). */
    private ScanRequest.Builder bankScan(Map<String, AttributeValue> start) {
        return ScanRequest.builder().tableName(table)
                .filterExpression("begins_with(#pk, :bank)")
                .expressionAttributeNames(Map.of("#pk", CaseTable.PK))
                .expressionAttributeValues(Map.of(":bank", AttributeValue.fromS(BANK)))
                .exclusiveStartKey(start);
    }

    private static Map<String, AttributeValue> itemOf(BankEntry entry) {
        try {
            return Map.of(
                    CaseTable.PK, AttributeValue.fromS(BANK + entry.kind() + "#" + entry.hash()),
                    CaseTable.SK, AttributeValue.fromS(entry.source()),
                    CaseTable.DOCUMENT, AttributeValue.fromS(Json.mapper().writeValueAsString(entry)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BankEntry entryOf(Map<String, AttributeValue> item) {
        try {
            return Json.mapper().readerFor(BankEntry.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(item.get(CaseTable.DOCUMENT).s());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable bank entry " + item.get(CaseTable.PK).s(), e);
        }
    }
}
