package dev.sentinel.hash;

import java.util.ArrayList;
import java.util.List;

/**
 * CSV as RFC 4180 writes it and as spreadsheets export it: fields in double quotes may hold commas, line breaks and
 * doubled quotes; lines end in CRLF or LF; a UTF-8 byte-order mark before the first field is not part of it. Each
 * record keeps the line it starts on, so problems are reported where a person would look.
 */
final class CsvRecords {

    /**
     * One record.
     *
     * @param line        the line it starts on
     * @param firstQuoted whether its first field was in quotes (a quoted {@code #} is data, not a comment)
     * @param malformed   why it cannot be read, or null
     */
    record Record(int line, List<String> fields, boolean firstQuoted, String malformed) {
        /** An empty line, or a comment: {@code #} first, outside quotes. */
        boolean skippable() {
            return malformed == null && (fields.size() == 1 && fields.get(0).isBlank()
                    || !firstQuoted && fields.get(0).stripLeading().startsWith("#"));
        }
    }

    private CsvRecords() {
    }

    static List<Record> read(String text) {
        List<Record> records = new ArrayList<>();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        while (i < text.length()) {
            int startLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean inQuotes = false;
            boolean fieldQuoted = false;
            boolean firstQuoted = false;
            boolean endOfRecord = false;
            while (i < text.length() && !endOfRecord) {
                char c = text.charAt(i++);
                if (inQuotes) {
                    if (c == '"' && i < text.length() && text.charAt(i) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        inQuotes = false;
                    } else {
                        field.append(c);
                        line += c == '\n' ? 1 : 0;
                    }
                    continue;
                }
                if (c == '"' && field.toString().isBlank() && !fieldQuoted) {
                    // Spaces before an opening quote are not part of the field.
                    field.setLength(0);
                    inQuotes = true;
                    fieldQuoted = true;
                } else if (c == ',') {
                    firstQuoted |= fields.isEmpty() && fieldQuoted;
                    fields.add(field.toString());
                    field.setLength(0);
                    fieldQuoted = false;
                } else if (c == '\n') {
                    endOfRecord = true;
                    line++;
                } else if (c != '\r' || i < text.length() && text.charAt(i) != '\n') {
                    field.append(c);
                }
            }
            firstQuoted |= fields.isEmpty() && fieldQuoted;
            fields.add(field.toString());
            records.add(new Record(startLine, List.copyOf(fields), firstQuoted,
                    inQuotes ? "a quoted field opened on this line is never closed" : null));
        }
        return records;
    }

    /** A field as CSV writes it: quoted when it holds a comma, a quote or a line break. */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
