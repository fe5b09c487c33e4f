package dev.surprisal.serde;

import dev.surprisal.registry.SchemaRegistry;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serdes for the generated Avro classes in the Confluent wire format: magic byte 0, the writer
 * schema's 4-byte big-endian registry id, then Avro binary. Values use the topic-name subject
 * strategy ({@code <topic>-value}). Readers resolve the writer's schema against their own, so
 * events written with a newer compatible schema still read.
 */
public final class AvroSerdes {

    static final byte MAGIC = 0;
    private static final int HEADER = 5;

    private AvroSerdes() {
    }

    public static <T extends SpecificRecord> Serde<T> value(Class<T> type, SchemaRegistry registry) {
        return Serdes.serdeFrom(new WireSerializer<>(registry), new WireDeserializer<>(type, registry, 1_000_000));
    }

    /**
     * A reader of untrusted input: at most {@code maxCollectionItems} array or map items in a record.
     * Every reader refuses, before allocating, lengths that do not fit in the record's own bytes.
     */
    public static <T extends SpecificRecord> Deserializer<T> untrustedReader(Class<T> type, SchemaRegistry registry,
                                                                          int maxCollectionItems) {
        return new WireDeserializer<>(type, registry, maxCollectionItems);
    }

    /** Subject for a topic's values under the TopicNameStrategy. */
    public static String valueSubject(String topic) {
        return topic + "-value";
    }

    static final class WireSerializer<T extends SpecificRecord> implements Serializer<T> {
        private final SchemaRegistry registry;
        private final Map<String, Integer> ids = new ConcurrentHashMap<>();

        WireSerializer(SchemaRegistry registry) {
            this.registry = registry;
        }

        @Override
        public byte[] serialize(String topic, T record) {
            if (record == null) {
                return null;
            }
            Schema schema = record.getSchema();
            int id = ids.computeIfAbsent(topic + '\0' + schema.getFullName(),
                    k -> registry.register(valueSubject(topic), schema));
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream(256);
                out.write(MAGIC);
                out.write(ByteBuffer.allocate(4).putInt(id).array());
                BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
                new SpecificDatumWriter<T>(schema).write(record, encoder);
                encoder.flush();
                return out.toByteArray();
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot write " + schema.getFullName() + " for " + topic, e);
            }
        }
    }

    /**
     * Reads values written with the reader's own record type (by full name) under any compatible
     * version of it. What can never be read throws {@link InvalidRecordException} with a reason
     * code; an unreachable registry throws its own exception, which is worth retrying.
     */
    static final class WireDeserializer<T extends SpecificRecord> implements Deserializer<T> {
        private final Schema readerSchema;
        private final SchemaRegistry registry;
        private final WireCheck.Limits limits;
        private final Map<Integer, Reader<T>> readers = new ConcurrentHashMap<>();

        /** A writer schema and the reader resolving it, or why that writer's records cannot be read. */
        private record Reader<T>(Schema writer, SpecificDatumReader<T> reader, InvalidRecordException refusal) {
        }

        WireDeserializer(Class<T> type, SchemaRegistry registry, int maxCollectionItems) {
            this.readerSchema = SpecificData.get().getSchema(type);
            this.registry = registry;
            this.limits = new WireCheck.Limits(Integer.MAX_VALUE, maxCollectionItems);
        }

        @Override
        public T deserialize(String topic, byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < HEADER || bytes[0] != MAGIC) {
                throw new InvalidRecordException(InvalidRecordException.NOT_WIRE_FORMAT, "not in the Confluent wire "
                        + "format (expected magic byte 0 and a 4-byte schema id, got " + bytes.length
                        + " bytes starting 0x" + (bytes.length == 0 ? "" : String.format("%02x", bytes[0])) + ")");
            }
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            Reader<T> reader = readers.computeIfAbsent(id, this::reader);
            if (reader.refusal() != null && InvalidRecordException.UNKNOWN_SCHEMA.equals(reader.refusal().code())) {
                readers.remove(id); // it may be registered yet: ask again next time
            }
            if (reader.refusal() != null) {
                throw new InvalidRecordException(reader.refusal().code(), reader.refusal().getMessage());
            }
            WireCheck.check(reader.writer(), bytes, HEADER, limits);
            try {
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
                return reader.reader().read(null, decoder);
            } catch (IOException | RuntimeException e) {
                throw new InvalidRecordException(InvalidRecordException.MALFORMED, "cannot read a "
                        + readerSchema.getName() + " written with schema id " + id + ": " + e.getMessage());
            }
        }

        private Reader<T> reader(int id) {
            Schema writer;
            try {
                writer = registry.byId(id);
            } catch (SchemaRegistry.UnknownSchemaException e) {
                return refused(InvalidRecordException.UNKNOWN_SCHEMA, "schema id " + id + " is not in the registry");
            }
            if (!readerSchema.getFullName().equals(writer.getFullName())) {
                return refused(InvalidRecordException.WRONG_SCHEMA, "schema id " + id + " is a " + writer.getFullName()
                        + ", not a " + readerSchema.getFullName());
            }
            SchemaCompatibility.SchemaPairCompatibility pair =
                    SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
            if (pair.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                return refused(InvalidRecordException.WRONG_SCHEMA, "schema id " + id + " cannot be read as a "
                        + readerSchema.getFullName() + ": " + pair.getDescription());
            }
            return new Reader<>(writer, new SpecificDatumReader<>(writer, readerSchema), null);
        }

        private Reader<T> refused(String code, String message) {
            return new Reader<>(null, null, new InvalidRecordException(code, message));
        }
    }
}
