package dev.surprisal.serde;

import dev.surprisal.avro.Feedback;
import dev.surprisal.avro.ModelHealth;
import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.Prediction;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TokenScore;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.avro.WordScore;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/reference/schemas.md is the schemas in schemas/ written out (each record's doc and fields),
 * so it cannot drift from them; {@code -Dschemas.doc.write=true} writes it again.
 */
class SchemasDocTest {

    private static final Path DOC = Path.of("docs", "reference", "schemas.md");
    private static final List<Schema> RECORDS = List.of(TextEvent.getClassSchema(), ScoredEvent.getClassSchema(),
            TokenScore.getClassSchema(), Prediction.getClassSchema(), WordScore.getClassSchema(),
            SessionSummary.getClassSchema(), ModelHealth.getClassSchema(), TrainCommand.getClassSchema(),
            TrainerStatus.getClassSchema(), ModelRelease.getClassSchema(), Feedback.getClassSchema(),
            ShadowTrial.getClassSchema());

    @Test
    void theSchemaReferenceMatchesTheSchemas() throws Exception {
        String expected = markdown();
        if (Boolean.getBoolean("schemas.doc.write")) {
            Files.writeString(DOC, expected);
        }
        assertEquals(expected, Files.readString(DOC), DOC + " is stale: run ./mvnw test -Dtest=SchemasDocTest "
                + "-Dschemas.doc.write=true");
    }

    @Test
    void everySchemaFileIsInIt() throws Exception {
        try (var files = Files.list(Path.of("schemas"))) {
            List<String> names = files.map(f -> f.getFileName().toString().replace(".avsc", "")).sorted().toList();
            assertEquals(names, RECORDS.stream().map(Schema::getName).sorted().toList());
        }
    }

    static String markdown() {
        StringBuilder md = new StringBuilder("# Schemas\n\n")
                .append("The records on the product's topics, from the Avro schemas in [`schemas/`](../../schemas) ")
                .append("(Confluent wire format, `<topic>-value` subjects; `output.format=json` writes the same field ")
                .append("names as plain JSON). `SchemasDocTest` fails when this page and the schemas differ.\n");
        for (Schema s : RECORDS) {
            md.append("\n## ").append(s.getName()).append("\n\n").append(oneLine(s.getDoc())).append("\n\n")
                    .append("| field | type | meaning |\n| --- | --- | --- |\n");
            for (Schema.Field f : s.getFields()) {
                md.append("| `").append(f.name()).append("` | ").append(type(f.schema())).append(" | ")
                        .append(oneLine(f.doc())).append(" |\n");
            }
        }
        return md.toString();
    }

    private static String type(Schema s) {
        return switch (s.getType()) {
            case UNION -> s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).map(SchemasDocTest::type)
                    .collect(Collectors.joining(" or ")) + (s.getTypes().stream()
                    .anyMatch(t -> t.getType() == Schema.Type.NULL) ? " (optional)" : "");
            case ARRAY -> "array of " + type(s.getElementType());
            case MAP -> "map of " + type(s.getValueType());
            case ENUM -> "`" + s.getName() + "`: " + String.join(", ", s.getEnumSymbols());
            case RECORD -> "[`" + s.getName() + "`](#" + s.getName().toLowerCase() + ")";
            default -> "`" + (s.getLogicalType() != null ? s.getLogicalType().getName() : s.getType().getName()) + "`";
        };
    }

    private static String oneLine(String doc) {
        return doc == null ? "" : doc.replace("|", "\\|").replace("\n", " ");
    }
}
