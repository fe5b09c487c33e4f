package dev.surprisal.evaluate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** CSV as loghub and spreadsheets write it: quoted fields with commas and doubled quotes inside. */
class CsvRowsTest {

    @TempDir
    Path dir;

    @Test
    void quotedFieldsKeepTheirCommasAndQuotes() throws Exception {
        Path csv = Files.writeString(dir.resolve("templates.csv"), "EventId,EventTemplate\n"
                + "E1,\"Receiving block <*> src: <*>, dest: <*>\"\n"
                + "\n"
                + "E2,\"User \"\"<*>\"\" logged in\"\n");
        List<Map<String, String>> rows = CsvRows.withHeader(csv);
        assertEquals(2, rows.size());
        assertEquals("Receiving block <*> src: <*>, dest: <*>", rows.get(0).get("EventTemplate"));
        assertEquals("User \"<*>\" logged in", rows.get(1).get("EventTemplate"));
        List<String[]> raw = CsvRows.rows(csv, ',');
        assertEquals(3, raw.size(), "the header is a row too; the blank line is not");
        assertArrayEquals(new String[] {"E2", "User \"<*>\" logged in"}, raw.get(2));
    }

    @Test
    void tabsSplitWithoutQuoting() throws Exception {
        Path tsv = Files.writeString(dir.resolve("keys.tsv"), "7\t\"quoted\" text, with a comma\n");
        assertArrayEquals(new String[] {"7", "\"quoted\" text, with a comma"}, CsvRows.rows(tsv, '\t').get(0));
    }
}
