package dev.sentinel.hash;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sentinel.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hash lists in and out of the bank.
 *
 * <p>CSV (RFC 4180, as spreadsheets export it: quoted fields, CRLF, a byte-order mark): a header
 * {@code hash,kind,category,source}, then one hash per record; {@code kind} is {@code pdq} (64 hex digits),
 * {@code sha256} (64) or {@code md5} (32); {@code source} may be empty (the import's name is used); blank lines and
 * lines starting with {@code #} are skipped. JSON: an array of objects with the same fields. Every invalid record is
 * reported with the line it starts on and skipped; the valid ones are imported.
 */
public final class HashLists {

    private static final Pattern CATEGORY = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    public static final String CSV_HEADER = "hash,kind,category,source";

    private HashLists() {
    }

    /** A line that was not imported, and why. */
    public record Problem(int line, String problem) { }

    public record Parsed(List<BankEntry> entries, List<Problem> problems) { }

    public static Parsed parse(String text, String format, String defaultSource, String addedBy, Instant now) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "csv" -> parseCsv(text, defaultSource, addedBy, now);
            case "json" -> parseJson(text, defaultSource, addedBy, now);
            default -> throw new IllegalArgumentException("format must be csv or json");
        };
    }

    public static String toCsv(List<BankEntry> entries) {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        for (BankEntry e : entries) {
            out.append(e.hash()).append(',').append(e.kind()).append(',').append(e.category()).append(',')
                    .append(CsvRecords.field(e.source())).append('\n');
        }
        return out.toString();
    }

    private static Parsed parseCsv(String text, String defaultSource, String addedBy, Instant now) {
        List<BankEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        boolean headerSeen = false;
        for (CsvRecords.Record record : CsvRecords.read(text)) {
            if (record.skippable()) {
                continue;
            }
            if (record.malformed() != null) {
                problems.add(new Problem(record.line(), record.malformed()));
                continue;
            }
            List<String> cells = record.fields().stream().map(String::strip).toList();
            if (!headerSeen) {
                headerSeen = true;
                if (!String.join(",", cells).equalsIgnoreCase(CSV_HEADER)) {
                    problems.add(new Problem(record.line(), "the first line must be the header " + CSV_HEADER));
                    return new Parsed(List.of(), problems);
                }
                continue;
            }
            if (cells.size() < 3 || cells.size() > 4) {
                problems.add(new Problem(record.line(), "expected 3 or 4 comma-separated fields, found "
                        + cells.size()));
                continue;
            }
            String source = cells.size() == 4 && !cells.get(3).isBlank() ? cells.get(3) : defaultSource;
            validated(cells.get(0), cells.get(1), cells.get(2), source, addedBy, now, record.line(), entries,
                    problems);
        }
        return new Parsed(entries, problems);
    }

    private static Parsed parseJson(String text, String defaultSource, String addedBy, Instant now) {
        List<BankEntry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        JsonNode array;
        try {
            array = Json.mapper().readTree(text);
        } catch (IOException e) {
            return new Parsed(List.of(), List.of(new Problem(1, "not valid JSON")));
        }
        if (array == null || !array.isArray()) {
            return new Parsed(List.of(), List.of(new Problem(1, "expected a JSON array of hash entries")));
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String source = item.path("source").asText("").isBlank() ? defaultSource : item.path("source").asText();
            validated(item.path("hash").asText(""), item.path("kind").asText(""), item.path("category").asText(""),
                    source, addedBy, now, i + 1, entries, problems);
        }
        return new Parsed(entries, problems);
    }

    private static void validated(String hash, String kind, String category, String source, String addedBy,
                                  Instant now, int line, List<BankEntry> entries, List<Problem> problems) {
        String normalisedKind = kind.toLowerCase(Locale.ROOT);
        int digits = switch (normalisedKind) {
            case BankEntry.PDQ, BankEntry.SHA256 -> 64;
            case BankEntry.MD5 -> 32;
            default -> -1;
        };
        String hex = hash.toLowerCase(Locale.ROOT);
        if (digits < 0) {
            problems.add(new Problem(line, "kind must be pdq, sha256 or md5, was '" + kind + "'"));
        } else if (hex.length() != digits || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            problems.add(new Problem(line, normalisedKind + " hashes are " + digits + " hex digits"));
        } else if (!CATEGORY.matcher(category).matches()) {
            problems.add(new Problem(line, "category must be lower-case letters, digits and dashes"));
        } else if (source == null || source.isBlank() || source.chars().anyMatch(Character::isISOControl)) {
            problems.add(new Problem(line, "source must be a name on one line"));
        } else {
            entries.add(new BankEntry(hex, normalisedKind, category, source, addedBy, now, null));
        }
    }
}
