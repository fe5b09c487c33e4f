package dev.surprisal.input;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the records of an input topic are written. */
public enum InputFormat {
    /** {@code TextEvent} in the Confluent wire format, keyed by session: the product's own. */
    AVRO("avro"),
    /** UTF-8 text, one event per record: kcat, kafka-console-producer, rsyslog's Kafka output. */
    TEXT("text"),
    /** A JSON object per record, as log shippers write (Vector, Fluent Bit, Filebeat, Logstash). */
    JSON("json"),
    /** OTLP {@code LogsData} as protobuf: the OpenTelemetry Collector's Kafka exporter's default. */
    OTLP_PROTO("otlp-proto"),
    /** OTLP {@code LogsData} in its JSON mapping (the exporter's {@code otlp_json}). */
    OTLP_JSON("otlp-json");

    private final String id;

    InputFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public boolean otlp() {
        return this == OTLP_PROTO || this == OTLP_JSON;
    }

    public static InputFormat parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (InputFormat f : values()) {
            if (f.id.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown input format '" + value + "': one of " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(InputFormat::id).collect(Collectors.joining(", "));
    }
}
