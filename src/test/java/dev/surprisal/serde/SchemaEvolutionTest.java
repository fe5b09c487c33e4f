package dev.surprisal.serde;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.SchemaRegistry;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaEvolutionTest {

    private static final String TOPIC = "text-events";

    /** TextEvent as a newer producer might write it: one more optional field. */
    private static Schema evolved() {
        String json = TextEvent.getClassSchema().toString().replace("\"fields\":[",
                "\"fields\":[{\"name\":\"source\",\"type\":[\"null\",\"string\"],\"default\":null},");
        return new Schema.Parser().parse(json);
    }

    @Test
    void theCurrentReaderReadsEventsWrittenWithANewerCompatibleSchema() throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        registry.register(AvroSerdes.valueSubject(TOPIC), TextEvent.getClassSchema());
        Schema newer = evolved();
        int id = registry.register(AvroSerdes.valueSubject(TOPIC), newer);

        GenericRecord record = new GenericData.Record(newer);
        record.put("source", "nginx");
        record.put("eventId", "e1");
        record.put("sessionId", "s1");
        record.put("text", "GET /");
        record.put("eventTime", 1234L);
        record.put("endOfSession", false);
        record.put("labels", null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(newer).write(record, encoder);
        encoder.flush();

        TextEvent read = AvroSerdes.value(TextEvent.class, registry).deserializer().deserialize(TOPIC, out.toByteArray());
        assertEquals("GET /", read.getText());
        assertEquals(Instant.ofEpochMilli(1234), read.getEventTime());
    }

    @Test
    void anIncompatibleChangeIsRefusedWithAClearMessage() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        registry.register(AvroSerdes.valueSubject(TOPIC), TextEvent.getClassSchema());
        Schema breaking = new Schema.Parser().parse(TextEvent.getClassSchema().toString()
                .replace("\"fields\":[", "\"fields\":[{\"name\":\"tenant\",\"type\":\"string\"},"));
        SchemaRegistry.IncompatibleSchemaException e = assertThrows(SchemaRegistry.IncompatibleSchemaException.class,
                () -> registry.register(AvroSerdes.valueSubject(TOPIC), breaking));
        assertTrue(e.getMessage().contains("tenant"), e.getMessage());
    }
}
