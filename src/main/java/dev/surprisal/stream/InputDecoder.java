package dev.surprisal.stream;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.InvalidRecordException;

import org.apache.kafka.common.serialization.Deserializer;

/** Reads an input record's value as a {@link TextEvent}, or says why it cannot be read. */
final class InputDecoder {

    private final Deserializer<TextEvent> events;
    private final String topic;

    InputDecoder(Deserializer<TextEvent> events, String topic) {
        this.events = events;
        this.topic = topic;
    }

    /** An input value read, or why it cannot be. */
    record Decoded(TextEvent event, String code, String reason) {
    }

    /**
     * Reads an input value. Whatever fails for this record alone becomes its dead-letter reason, an
     * error included: bounded reading makes running out of memory here unlikely, and if it happens
     * anyway it happened for this record. An unreachable registry is not the record's fault: it
     * propagates, and the record is read again when the task is retried.
     */
    Decoded decode(byte[] value) {
        try {
            return new Decoded(events.deserialize(topic, value), null, null);
        } catch (InvalidRecordException e) {
            return new Decoded(null, e.code(), "undeserializable value: " + e.getMessage());
        } catch (SchemaRegistry.RegistryUnavailableException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            return new Decoded(null, "undeserializable", "undeserializable value: " + e);
        }
    }
}
