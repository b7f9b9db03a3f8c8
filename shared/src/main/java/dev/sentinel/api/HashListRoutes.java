package dev.sentinel.api;

import dev.sentinel.hash.BankEntry;
import dev.sentinel.hash.HashLists;
import dev.sentinel.store.DynamoHashBank;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Admins import shared hash lists into the bank and export it. */
public final class HashListRoutes {

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
        for (BankEntry entry : parsed.entries()) {
            bank.addToBank(entry);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("imported", parsed.entries().size());
        report.put("skipped", parsed.problems());
        return ApiResponse.json(parsed.problems().isEmpty() ? 201 : 207, report);
    }

    private ApiResponse exportList(ApiRequest request) {
        List<BankEntry> entries = bank.entries();
        return ApiResponse.json(200, Map.of("count", entries.size(), "csv", HashLists.toCsv(entries)));
    }
}
