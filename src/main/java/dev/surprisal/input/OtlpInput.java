package dev.surprisal.input;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.session.AnomalyLabel;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * OpenTelemetry logs as the Collector's Kafka exporter writes them ({@code otlp_proto} or
 * {@code otlp_json}): many log records per Kafka record, each an event. The body is the text; the
 * session is the named attributes of the log record or its resource, else the trace id.
 */
final class OtlpInput implements InputReader {

    private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();

    private final InputSettings settings;
    private final boolean json;

    OtlpInput(InputSettings settings) {
        this.settings = settings;
        this.json = settings.format() == InputFormat.OTLP_JSON;
    }

    @Override
    public List<Read> read(RawRecord record) {
        LogsData data;
        try {
            data = decode(record.value());
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return List.of(Read.refused("otlp-decode", "not OTLP logs (" + settings.format().id() + "): "
                    + e.getMessage()));
        }
        int count = 0;
        for (ResourceLogs rl : data.getResourceLogsList()) {
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                count += sl.getLogRecordsCount();
            }
        }
        if (count > settings.maxEventsPerRecord()) {
            return List.of(Read.refused("otlp-too-many-events", count + " log records in one record, limit "
                    + settings.maxEventsPerRecord() + " (" + InputSettings.MAX_EVENTS + ")"));
        }
        if (count == 0) {
            return List.of(Read.refused("otlp-empty", "no log records"));
        }
        String key = record.key() == null || record.key().length == 0 ? null : InputReader.utf8(record.key());
        List<Read> out = new ArrayList<>();
        int index = 0;
        for (ResourceLogs rl : data.getResourceLogsList()) {
            List<KeyValue> resource = rl.getResource().getAttributesList();
            for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord log : sl.getLogRecordsList()) {
                    out.add(read(record, index, count, log, resource, key));
                    index++;
                }
            }
        }
        return out;
    }

    private LogsData decode(byte[] value) throws InvalidProtocolBufferException {
        if (!json) {
            return LogsData.parseFrom(value);
        }
        String text = InputReader.utf8(value);
        if (text == null) {
            throw new InvalidProtocolBufferException("the value is not UTF-8 text");
        }
        LogsData.Builder b = LogsData.newBuilder();
        JSON.merge(text, b);
        return b.build();
    }

    private Read read(RawRecord record, int index, int count, LogRecord log, List<KeyValue> resource, String key) {
        String where = "log record " + (index + 1) + " of " + count + ": ";
        String text = text(log.getBody());
        if (text == null || text.isEmpty()) {
            return Read.refused("otlp-no-body", where + "no text body");
        }
        List<String> parts = new ArrayList<>();
        for (String name : settings.sessionFields()) {
            String v = attribute(log.getAttributesList(), name);
            if (v == null) {
                v = attribute(resource, name);
            }
            if (v != null && !v.isEmpty()) {
                parts.add(v);
            }
        }
        String session = !parts.isEmpty() ? String.join("/", parts) : traceId(log.getTraceId());
        if (session == null) {
            session = key;
        }
        if (session == null) {
            return Read.refused("missing-session", where + "none of " + String.join(", ", settings.sessionFields())
                    + " among its attributes or its resource's, no trace id and no record key ("
                    + InputSettings.SESSION_FIELD + ")");
        }
        long nanos = log.getTimeUnixNano() != 0 ? log.getTimeUnixNano() : log.getObservedTimeUnixNano();
        Instant time = nanos != 0 ? Instant.ofEpochSecond(0, nanos) : Instant.ofEpochMilli(record.timestamp());
        String label = settings.labelsField().isEmpty() ? null : attribute(log.getAttributesList(), settings.labelsField());
        return Read.of(new TextEvent(record.eventId(index), session, text, time, false, AnomalyLabel.of(label)));
    }

    /**
     * The trace id as the OTLP JSON mapping writes it (hex). Protobuf's JSON parser reads that hex as
     * base64, so from JSON the original text is its base64 again.
     */
    private String traceId(ByteString id) {
        if (id.isEmpty()) {
            return null;
        }
        return json ? Base64.getEncoder().encodeToString(id.toByteArray()) : HexFormat.of().formatHex(id.toByteArray());
    }

    private static String attribute(List<KeyValue> attributes, String name) {
        for (KeyValue kv : attributes) {
            if (kv.getKey().equals(name)) {
                return text(kv.getValue());
            }
        }
        return null;
    }

    /** A value as text: strings as they are, numbers and booleans written out, lists and maps as key=value. */
    private static String text(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpInput::text)
                    .collect(Collectors.joining(" "));
            case KVLIST_VALUE -> v.getKvlistValue().getValuesList().stream()
                    .map(kv -> kv.getKey() + "=" + text(kv.getValue())).collect(Collectors.joining(" "));
            default -> null;
        };
    }
}
