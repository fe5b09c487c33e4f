package dev.surprisal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the layering the package list promises, by reading the sources' imports: the model, its
 * tokenizers and per-event scoring know nothing of Kafka, and nothing below the CLI uses it.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src", "main", "java", "dev", "surprisal");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);
    /** Packages that must run without Kafka: what evaluation, training and benchmarks build on. */
    private static final List<String> KAFKA_FREE = List.of("config", "model", "tokenize", "scoring", "session", "training");

    private record Import(String fromPackage, Path file, String imported) {
    }

    private static List<Import> imports() {
        List<Import> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(file.getParent()).toString().replace('/', '.');
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    out.add(new Import(pkg, file, m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void theModelTokenizersAndPerEventScoringKnowNothingOfKafka() {
        List<String> offending = imports().stream()
                .filter(i -> KAFKA_FREE.contains(i.fromPackage()))
                .filter(i -> i.imported().startsWith("org.apache.kafka") || i.imported().startsWith("dev.surprisal.stream")
                        || i.imported().startsWith("dev.surprisal.kafka") || i.imported().startsWith("dev.surprisal.release"))
                .map(i -> i.file().getFileName() + " imports " + i.imported())
                .toList();
        assertEquals(List.of(), offending);
    }

    @Test
    void nothingBelowTheCliImportsIt() {
        List<String> offending = imports().stream()
                .filter(i -> !i.fromPackage().equals("cli") && i.imported().startsWith("dev.surprisal.cli"))
                .map(i -> i.file().getFileName() + " imports " + i.imported())
                .toList();
        assertEquals(List.of(), offending);
    }

    /** The layers, bottom up: a package imports only those before it (ARCHITECTURE.md's table, in order). */
    private static final List<String> LAYERS = List.of("config", "tokenize", "model", "scoring", "session", "training",
            "kafka", "registry", "serde", "input", "feedback", "drift", "release", "stream", "shadow", "evaluate",
            "retraining", "ops", "node", "embedded", "demo", "bench", "cli");

    @Test
    void everyPackageImportsOnlyTheLayersBelowIt() {
        List<String> offending = imports().stream()
                .filter(i -> i.imported().startsWith("dev.surprisal.") && !i.imported().startsWith("dev.surprisal.avro."))
                .filter(i -> {
                    String to = i.imported().substring("dev.surprisal.".length()).split("\\.")[0];
                    return !to.equals(i.fromPackage()) && LAYERS.indexOf(to) > LAYERS.indexOf(i.fromPackage());
                })
                .map(i -> i.fromPackage() + " (" + i.file().getFileName() + ") imports " + i.imported()
                        + ", a layer above it")
                .toList();
        assertEquals(List.of(), offending);
    }

    @Test
    void everyPackageHasItsLayerAndArchitectureMdListsThemInOrder() throws IOException {
        List<String> packages = imports().stream().map(Import::fromPackage).distinct().sorted().toList();
        assertEquals(LAYERS.stream().sorted().toList(), packages, "every package in LAYERS, and no other");
        Matcher row = Pattern.compile("^\\| `([a-z]+)` \\|", Pattern.MULTILINE).matcher(Files.readString(Path.of("ARCHITECTURE.md")));
        List<String> listed = new ArrayList<>();
        while (row.find()) {
            listed.add(row.group(1));
        }
        assertEquals(LAYERS, listed, "ARCHITECTURE.md's table lists the layers bottom up");
    }

    @Test
    void theCheckSeesTheSources() {
        assertTrue(imports().size() > 500, "imports read: " + imports().size());
    }
}
