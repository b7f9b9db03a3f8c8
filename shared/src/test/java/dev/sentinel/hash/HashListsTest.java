package dev.sentinel.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashListsTest {

    private static final String PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    private static final String MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    @Test
    void validLinesAreImportedAndEveryInvalidOneReportedWithItsNumber() {
        String csv = String.join("\n", "# shared list, 2026-11", HashLists.CSV_HEADER,
                PDQ + ",pdq,intimate-imagery,stopncii",
                MD5 + ",md5,child-safety,",
                "abc,pdq,x,y",
                PDQ + ",phash,x,y",
                PDQ + ",sha256,Bad Category,y",
                "only,two",
                "");

        HashLists.Parsed parsed = HashLists.parse(csv, "csv", "default-list", "admin-1", Instant.EPOCH);

        assertEquals(2, parsed.entries().size());
        assertEquals("stopncii", parsed.entries().get(0).source());
        assertEquals("default-list", parsed.entries().get(1).source());
        assertEquals(List.of(5, 6, 7, 8), parsed.problems().stream().map(HashLists.Problem::line).toList());
        assertTrue(parsed.problems().get(1).problem().contains("kind must be"));
    }

    /** As a spreadsheet exports it: a byte-order mark, CRLF, quoted fields, a comma and a line break inside quotes. */
    @Test
    void csvIsReadAsRfc4180WithQuotedFieldsByteOrderMarkAndCrlf() {
        String csv = "\uFEFF" + HashLists.CSV_HEADER + "\r\n"
                + "\"" + PDQ + "\",\"pdq\",\"intimate-imagery\",\"StopNCII, via partner \"\"A\"\"\"\r\n"
                + "# a comment\r\n"
                + MD5 + ",md5,child-safety,\"two\nlines\"\r\n"
                + "\"" + MD5 + "\",md5,child-safety,\"never closed\r\n";

        HashLists.Parsed parsed = HashLists.parse(csv, "csv", "default-list", "admin-1", Instant.EPOCH);

        assertEquals(1, parsed.entries().size(), parsed.problems().toString());
        assertEquals("StopNCII, via partner \"A\"", parsed.entries().get(0).source());
        assertEquals(List.of(4, 6), parsed.problems().stream().map(HashLists.Problem::line).toList(),
                "each bad record named by the line it starts on");
        assertTrue(parsed.problems().get(0).problem().contains("one line"), parsed.problems().toString());
        assertTrue(parsed.problems().get(1).problem().contains("never closed"), parsed.problems().toString());

        String exported = HashLists.toCsv(parsed.entries());
        assertEquals(parsed.entries(), HashLists.parse(exported, "csv", "x", "admin-1", Instant.EPOCH).entries(),
                "what is exported reads back the same");
    }

    @Test
    void aFileWithoutTheHeaderIsRefusedWhole() {
        HashLists.Parsed parsed = HashLists.parse(PDQ + ",pdq,x,y\n", "csv", "l", "a", Instant.EPOCH);

        assertTrue(parsed.entries().isEmpty());
        assertEquals(1, parsed.problems().get(0).line());
    }

    @Test
    void jsonListsAndCsvExportRoundTrip() {
        HashLists.Parsed parsed = HashLists.parse("[{\"hash\": \"" + PDQ + "\", \"kind\": \"pdq\", \"category\": "
                + "\"ncii\"}, {\"hash\": \"zz\", \"kind\": \"md5\", \"category\": \"x\"}]", "json", "partner", "a",
                Instant.EPOCH);

        assertEquals(1, parsed.entries().size());
        assertEquals(2, parsed.problems().get(0).line());
        String csv = HashLists.toCsv(parsed.entries());
        assertEquals(parsed.entries().get(0).hash(), HashLists.parse(csv, "csv", "x", "a", Instant.EPOCH).entries()
                .get(0).hash());
    }
}
