package dev.sentinel.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sentinel.hash.BankEntry;
import dev.sentinel.local.aws.FaultProxy;
import dev.sentinel.local.aws.LocalAws;
import dev.sentinel.testing.TestAws;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hash lists go into the bank 25 to a BatchWriteItem, what DynamoDB leaves unprocessed is sent again, and the bank
 * comes out a page at a time. DynamoDB Local sits behind a proxy that counts the operations and can answer a batch
 * as DynamoDB does under throttling: all of it unprocessed.
 */
class DynamoHashBankTest {

    private static FaultProxy proxy;
    private static TestAws aws;
    private static final Map<String, AtomicInteger> OPERATIONS = new ConcurrentHashMap<>();
    private static volatile int batchesLeftUnprocessed;

    private final String table = "bank-test-" + System.nanoTime();

    @BeforeAll
    static void proxyInFrontOfDynamo() {
        LocalAws servers = LocalAws.shared();
        proxy = FaultProxy.inFrontOf(servers.dynamoEndpoint());
        proxy.injectingFor(request -> {
            OPERATIONS.computeIfAbsent(request.operation(), o -> new AtomicInteger()).incrementAndGet();
            if (request.operation().equals("BatchWriteItem") && batchesLeftUnprocessed > 0) {
                batchesLeftUnprocessed--;
                return FaultProxy.dynamoNothingProcessed(request.body());
            }
            return null;
        });
        aws = TestAws.over(servers, proxy.endpoint(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void closeProxy() {
        proxy.close();
    }

    @Test
    void aListIsWrittenTwentyFiveEntriesToABatchNotOnePutEach() {
        DynamoHashBank bank = bank();
        List<BankEntry> entries = entries(60, "list-a");
        entries.add(entries.get(0));
        OPERATIONS.clear();

        DynamoHashBank.Written written = bank.addAllToBank(entries, Duration.ofSeconds(10));

        assertEquals(new DynamoHashBank.Written(60, 0), written, "the repeated entry is one item");
        assertEquals(3, count("BatchWriteItem"), OPERATIONS.toString());
        assertEquals(0, count("PutItem"), OPERATIONS.toString());
        assertEquals(keys(entries), keys(bank.entries()));
    }

    @Test
    void whatDynamoDbLeavesUnprocessedIsSentAgain() {
        DynamoHashBank bank = bank();
        List<BankEntry> entries = entries(50, "list-b");
        OPERATIONS.clear();
        batchesLeftUnprocessed = 3;

        DynamoHashBank.Written written = bank.addAllToBank(entries, Duration.ofSeconds(10));

        assertEquals(new DynamoHashBank.Written(50, 0), written);
        assertEquals(5, count("BatchWriteItem"), "two batches, three answers with nothing processed");
        assertEquals(keys(entries), keys(bank.entries()));
    }

    @Test
    void aBatchDynamoDbNeverTakesEndsAtTheDeadlineAndSaysHowMuchIsLeft() {
        DynamoHashBank bank = bank();
        batchesLeftUnprocessed = Integer.MAX_VALUE;
        try {
            long started = System.nanoTime();

            DynamoHashBank.Written written = bank.addAllToBank(entries(30, "list-c"), Duration.ofMillis(400));

            assertTrue(System.nanoTime() - started < Duration.ofSeconds(3).toNanos(), "it stops, not retries on");
            assertEquals(new DynamoHashBank.Written(0, 30), written);
        } finally {
            batchesLeftUnprocessed = 0;
        }
    }

    @Test
    void theBankIsExportedAPageAtATimeWithoutTheContentIndex() {
        DynamoHashBank bank = bank();
        List<BankEntry> entries = entries(130, "list-d");
        bank.addAllToBank(entries, Duration.ofSeconds(10));
        for (int i = 0; i < 40; i++) {
            bank.recordContent(hex(64, 9_000 + i), "vd-" + hex(32, i));
        }

        List<BankEntry> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            DynamoHashBank.Page page = bank.entries(50, cursor);
            assertTrue(page.entries().size() <= 50, "a page holds at most the limit");
            seen.addAll(page.entries());
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 20);

        assertNull(cursor);
        assertEquals(entries.size(), seen.size(), "every entry once");
        assertEquals(keys(entries), keys(seen));
        assertThrows(IllegalArgumentException.class, () -> bank.entries(50, "bm90LWEtY3Vyc29y"));
        assertThrows(IllegalArgumentException.class, () -> bank.entries(0, null));
    }

    private DynamoHashBank bank() {
        CaseTable.createIfMissing(aws.clients().dynamo(), table);
        return new DynamoHashBank(aws.clients().dynamo(), table, Duration.ofMinutes(5), Clock.systemUTC());
    }

    private static List<BankEntry> entries(int n, String source) {
        List<BankEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(new BankEntry(hex(64, i), i % 2 == 0 ? BankEntry.PDQ : BankEntry.SHA256, "test", source,
                    "admin", Instant.EPOCH, null));
        }
        return entries;
    }

    private static String hex(int digits, int seed) {
        return String.format(Locale.ROOT, "%0" + digits + "x", seed);
    }

    private static Set<String> keys(List<BankEntry> entries) {
        Set<String> keys = new HashSet<>();
        entries.forEach(e -> keys.add(e.kind() + "#" + e.hash() + "#" + e.source()));
        return keys;
    }

    private static int count(String operation) {
        AtomicInteger n = OPERATIONS.get(operation);
        return n == null ? 0 : n.get();
    }
}
