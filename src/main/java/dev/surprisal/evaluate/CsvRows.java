package dev.surprisal.evaluate;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The labelled files people bring, read as CSV is written (quoted fields, commas and doubled quotes inside
 * them): loghub's structured logs and template lists, or id-and-text files separated by tabs.
 */
public final class CsvRows {

    private static final CsvMapper CSV = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES);

    private CsvRows() {
    }

    /** Each row by its header's names, in file order; blank lines skipped. */
    public static List<Map<String, String>> withHeader(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> rows = CSV.readerForMapOf(String.class)
                     .with(CsvSchema.emptySchema().withHeader()).readValues(in)) {
            return rows.readAll();
        }
    }

    /** Each row's fields, split on {@code separator} (quotes honoured, but for tabs); blank lines skipped. */
    public static List<String[]> rows(Path file, char separator) throws IOException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             MappingIterator<String[]> rows = CSV.readerFor(String[].class).with(separator == '\t'
                     ? CsvSchema.emptySchema().withColumnSeparator('\t').withoutQuoteChar()
                     : CsvSchema.emptySchema().withColumnSeparator(separator)).readValues(in)) {
            return rows.readAll();
        }
    }
}
