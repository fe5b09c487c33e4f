package dev.surprisal.input;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.serde.InvalidRecordException;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The product's own records: a TextEvent keyed by its session. An unreachable registry propagates. */
final class AvroInput implements InputReader {

    private final Deserializer<TextEvent> events;

    AvroInput(Deserializer<TextEvent> events) {
        this.events = events;
    }

    @Override
    public List<Read> read(RawRecord record) {
        if (record.key() == null || record.key().length == 0) {
            return List.of(Read.refused(MISSING_KEY, "missing session key: the record key must be the session id"));
        }
        try {
            TextEvent e = events.deserialize(record.topic(), record.value());
            if (e == null) {
                return List.of(Read.refused("null-value", "null value"));
            }
            return List.of(new Read(new String(record.key(), StandardCharsets.UTF_8), e, null, null));
        } catch (InvalidRecordException e) {
            return List.of(Read.refused(e.code(), "undeserializable value: " + e.getMessage()));
        } catch (SerializationException e) {
            return List.of(Read.refused("undeserializable", "undeserializable value: " + e.getMessage()));
        }
    }
}
