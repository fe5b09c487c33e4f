package dev.surprisal.it;

import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.EmbeddedClusterExtension;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Tag("integration")
@Timeout(120)
@ExtendWith(EmbeddedClusterExtension.class)
class SchemaJournalIT {

    @Test
    void idsAndVersionsSurviveARestartOfTheRegistry(EmbeddedKafkaBroker broker) {
        Map<String, Object> props = Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        Schema a = SchemaBuilder.record("A").fields().requiredString("x").endRecord();
        Schema a2 = SchemaBuilder.record("A").fields().requiredString("x").optionalInt("y").endRecord();
        Schema b = SchemaBuilder.record("B").fields().requiredLong("z").endRecord();
        int idA;
        int idA2;
        int idB;
        try (KafkaSchemaJournal journal = KafkaSchemaJournal.open(props, "_schemas_journal_it")) {
            idA = journal.registry().register("a-value", a);
            idA2 = journal.registry().register("a-value", a2);
            idB = journal.registry().register("b-value", b);
        }
        try (KafkaSchemaJournal again = KafkaSchemaJournal.open(props, "_schemas_journal_it")) {
            assertEquals(List.of("a-value", "b-value"), again.registry().subjects());
            assertEquals(a2, again.registry().byId(idA2));
            assertEquals(2, again.registry().latest("a-value").version());
            assertEquals(idB, again.registry().register("b-value", b));
            assertEquals(idA, again.registry().register("other-value", a), "the same schema keeps its id");
            Schema c = SchemaBuilder.record("C").fields().requiredLong("w").endRecord();
            assertEquals(Math.max(idA2, idB) + 1, again.registry().register("c-value", c), "new ids continue");
        }
    }
}
