package dev.sentinel.api;

import dev.sentinel.hash.HashLists;
import dev.sentinel.store.DynamoHashBank;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admins import shared hash lists into the bank and export it. Both fit one API request: an import takes at most
 * {@value #MAX_IMPORT_ENTRIES} entries (a longer list is sent in parts, each its own request; imports are
 * idempotent, so a part can be sent again), written in batches; an export is paged with a cursor.
 */
public final class HashListRoutes {

    /**
     * Entries one import request takes: {@value} / 25 BatchWriteItem calls take a few seconds, leaving room for
     * DynamoDB's throttling retries inside the API's 29 seconds.
     */
    public static final int MAX_IMPORT_ENTRIES = 5_000;
    /** How long an import keeps retrying what DynamoDB leaves unprocessed before it answers. */
    static final Duration WRITE_BUDGET = Duration.ofSeconds(20);
    static final int DEFAULT_EXPORT_PAGE = 1_000;

    /** {@code content} is the list itself, CSV or JSON as {@link HashLists} describes. */
    public record ImportRequest(String format, String source, String content) { }

    private final DynamoHashBank bank;
    private final Clock clock;

    public HashListRoutes(DynamoHashBank bank, Clock clock) {
        this.bank = bank;
        this.clock = clock;
    }

    public Router register(Router router) {
        return router
                .add("POST /hash-lists", List.of(Groups.ADMIN), this::importList)
                .add("GET /hash-lists", List.of(Groups.ADMIN), this::exportList);
    }

    private ApiResponse importList(ApiRequest request) {
        ImportRequest body = Router.body(request, ImportRequest.class);
        String format = Inputs.oneOf(body.format(), "format", "csv", "json");
        String source = Inputs.text(body.source(), "source", 100);
        String content = Inputs.text(body.content(), "content", HttpApiEvents.MAX_BODY_CHARS);
        HashLists.Parsed parsed = HashLists.parse(content, format, source, request.caller().subject(),
                clock.instant());
        int listed = parsed.entries().size() + parsed.problems().size();
        if (listed > MAX_IMPORT_ENTRIES) {
            throw ApiProblem.tooLarge("the list has " + listed + " entries; one request imports at most "
                    + MAX_IMPORT_ENTRIES + ": send it in parts of at most " + MAX_IMPORT_ENTRIES + " entries, each "
                    + "its own request (a CSV part starts with the header again); nothing was imported");
        }
        DynamoHashBank.Written written = bank.addAllToBank(parsed.entries(), WRITE_BUDGET);
        if (written.unwritten() > 0) {
            throw new ApiProblem(503, "urn:sentinel:problem:unavailable", "Try again later", written.written()
                    + " of " + parsed.entries().size() + " entries were imported; DynamoDB did not take the other "
                    + written.unwritten() + " in time (throttling). Send the same list again: entries already in "
                    + "the bank are written again unchanged.");
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("imported", parsed.entries().size());
        report.put("skipped", parsed.problems());
        return ApiResponse.json(parsed.problems().isEmpty() ? 201 : 207, report);
    }

    /** {@code ?limit=} (1 to 10,000, default 1,000) entries from {@code ?cursor=} (the previous page's nextCursor). */
    private ApiResponse exportList(ApiRequest request) {
        int limit = Inputs.limit(request.query().get("limit"), DEFAULT_EXPORT_PAGE, DynamoHashBank.MAX_PAGE);
        DynamoHashBank.Page page = CursorPages.atCursor(() -> bank.entries(limit, request.query().get("cursor")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", page.entries().size());
        body.put("csv", HashLists.toCsv(page.entries()));
        body.put("nextCursor", page.nextCursor());
        return ApiResponse.json(200, body);
    }
}
