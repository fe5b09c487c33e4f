package dev.surprisal.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The product's records as plain JSON (see {@link AvroJson}) and back: what {@code output.format=json}
 * writes for readers without a registry (kcat, sinks, scripts), and what {@code consume} reads from it.
 * Fields missing from the JSON take their schema defaults; a JSON null in a number field reads as NaN.
 */
public final class JsonRecords {

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build());

    private JsonRecords() {
    }

    public static <T extends SpecificRecord> Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : AvroJson.toJson(record).getBytes(StandardCharsets.UTF_8);
    }

    public static <T extends SpecificRecord> Deserializer<T> deserializer(Class<T> type) {
        return (topic, bytes) -> bytes == null ? null : read(bytes, type);
    }

    /** Reads a value that either format wrote: JSON as such, anything else through {@code avro}. */
    public static <T extends SpecificRecord> Deserializer<T> orAvro(Class<T> type, Deserializer<T> avro) {
        return (topic, bytes) -> bytes == null ? null : isJson(bytes) ? read(bytes, type) : avro.deserialize(topic, bytes);
    }

    /** Whether a value is JSON rather than the Confluent wire format (whose first byte is 0). */
    public static boolean isJson(byte[] value) {
        for (byte b : value) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return false;
    }

    public static <T extends SpecificRecord> T read(byte[] bytes, Class<T> type) {
        try {
            Schema schema = SpecificData.get().getSchema(type);
            return type.cast(value(MAPPER.readTree(bytes), schema));
        } catch (IOException | IllegalArgumentException | ClassCastException | DateTimeParseException e) {
            throw new InvalidRecordException(InvalidRecordException.MALFORMED, "not a " + type.getSimpleName()
                    + " in JSON: " + e.getMessage());
        }
    }

    private static Object value(JsonNode node, Schema schema) {
        boolean absent = node == null || node.isNull() || node.isMissingNode();
        switch (schema.getType()) {
            case UNION:
                if (absent) {
                    return null;
                }
                for (Schema branch : schema.getTypes()) {
                    if (branch.getType() != Schema.Type.NULL) {
                        return value(node, branch);
                    }
                }
                return null;
            case RECORD:
                SpecificRecord record = (SpecificRecord) SpecificData.get().newRecord(null, schema);
                for (Schema.Field f : schema.getFields()) {
                    JsonNode child = absent ? null : node.get(f.name());
                    Object v = child == null && f.hasDefaultValue() ? SpecificData.get().getDefaultValue(f)
                            : value(child, f.schema());
                    record.put(f.pos(), v);
                }
                return record;
            case ARRAY:
                List<Object> items = new ArrayList<>();
                if (!absent) {
                    node.forEach(n -> items.add(value(n, schema.getElementType())));
                }
                return items;
            case MAP:
                Map<String, Object> map = new HashMap<>();
                if (!absent) {
                    node.properties().forEach(e -> map.put(e.getKey(), value(e.getValue(), schema.getValueType())));
                }
                return map;
            case ENUM:
                return SpecificData.get().createEnum(required(node, schema).asText(), schema);
            case STRING:
                return required(node, schema).asText();
            case BOOLEAN:
                return required(node, schema).asBoolean();
            case INT:
                return required(node, schema).asInt();
            case LONG:
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    JsonNode t = required(node, schema);
                    return t.isNumber() ? Instant.ofEpochMilli(t.asLong()) : Instant.parse(t.asText());
                }
                return required(node, schema).asLong();
            case FLOAT:
                return absent ? Float.NaN : (float) node.asDouble();
            case DOUBLE:
                return absent ? Double.NaN : node.asDouble();
            default:
                throw new IllegalArgumentException("unsupported type " + schema.getType());
        }
    }

    private static JsonNode required(JsonNode node, Schema schema) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new IllegalArgumentException("a " + schema.getType().getName() + " is missing");
        }
        return node;
    }
}
