package dev.surprisal.serde;

import dev.surprisal.registry.SchemaRegistry;
import org.apache.avro.Schema;
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
        return Serdes.serdeFrom(new WireSerializer<>(registry), new WireDeserializer<>(type, registry));
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

    static final class WireDeserializer<T extends SpecificRecord> implements Deserializer<T> {
        private final Schema readerSchema;
        private final SchemaRegistry registry;
        private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

        WireDeserializer(Class<T> type, SchemaRegistry registry) {
            this.readerSchema = SpecificData.get().getSchema(type);
            this.registry = registry;
        }

        @Override
        public T deserialize(String topic, byte[] bytes) {
            if (bytes == null) {
                return null;
            }
            if (bytes.length < HEADER || bytes[0] != MAGIC) {
                throw new SerializationException("not in the Confluent wire format (expected magic byte 0 and a "
                        + "4-byte schema id, got " + bytes.length + " bytes starting 0x"
                        + (bytes.length == 0 ? "" : String.format("%02x", bytes[0])) + ")");
            }
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            try {
                SpecificDatumReader<T> reader = readers.computeIfAbsent(id,
                        i -> new SpecificDatumReader<>(registry.byId(i), readerSchema));
                BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
                T record = reader.read(null, decoder);
                if (!decoder.isEnd()) {
                    throw new SerializationException("trailing bytes after the record");
                }
                return record;
            } catch (SerializationException | SchemaRegistry.RegistryUnavailableException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new SerializationException("cannot read a " + readerSchema.getName() + " written with schema id "
                        + id + ": " + e.getMessage(), e);
            }
        }
    }
}
