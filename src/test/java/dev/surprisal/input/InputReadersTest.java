package dev.surprisal.input;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The bad-input catalogue of each format, at the reader: every case ends in events or in a
 * dead-letter code, never in an exception, bombs included.
 */
class InputReadersTest {

    static Stream<Arguments> catalogue() {
        return Stream.of(
                // format, settings, key, value, the codes read (null: an event)
                Arguments.of("text", Map.of(), "k", utf8("plain"), codes((String) null)),
                Arguments.of("text", Map.of(), null, utf8("no key"), codes("missing-key")),
                Arguments.of("text", Map.of(), "k", new byte[] {(byte) 0xFF, (byte) 0xFE}, codes("invalid-utf8")),
                Arguments.of("text", Map.of(InputSettings.SESSION_REGEX, "id=(\\d+)"), null, utf8("none"),
                        codes("missing-session")),
                Arguments.of("text", Map.of(InputSettings.SESSION_REGEX, "id=(\\d+)"), null, utf8("id=1 id=2"),
                        codes(null, null)),
                Arguments.of("json", Map.of(), "k", utf8("{\"message\":\"hi\"}"), codes((String) null)),
                Arguments.of("json", Map.of(), "k", utf8("{\"message\":\"hi\""), codes("invalid-json")),
                Arguments.of("json", Map.of(), "k", utf8(""), codes("empty-text")),
                Arguments.of("json", Map.of(), "k", utf8("  \n"), codes("empty-text")),
                Arguments.of("json", Map.of(), "k", new byte[] {(byte) 0xFF, (byte) 0xFE}, codes("invalid-utf8")),
                Arguments.of("json", Map.of(), "k", utf8("12"), codes("not-json-object")),
                Arguments.of("json", Map.of(), "k", utf8("null"), codes("not-json-object")),
                Arguments.of("json", Map.of(), "k", utf8("{\"message\":{\"a\":1}}"), codes("text-not-string")),
                Arguments.of("json", Map.of(), "k", utf8("{\"other\":\"x\"}"), codes("missing-text")),
                Arguments.of("json", Map.of(InputSettings.TEXT_FIELD, "/a/b"), "k", utf8("{\"a\":{\"b\":\"deep\"}}"),
                        codes((String) null)),
                Arguments.of("json", Map.of(), "k", utf8("{\"message\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
                        codes("json-too-deep")),
                Arguments.of("json", Map.of(), "k", utf8("{\"message\":\"x\",\"n\":1" + "0".repeat(5000) + "}"),
                        codes("json-limit")),
                Arguments.of("json", Map.of(), null, utf8("{\"message\":\"x\"}"), codes("missing-key")),
                Arguments.of("json", Map.of(InputSettings.SESSION_FIELD, "user"), null, utf8("{\"message\":\"x\"}"),
                        codes("missing-session")),
                Arguments.of("json", Map.of(), "k", new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'},
                        codes("invalid-utf8")),
                Arguments.of("otlp-proto", Map.of(), null, utf8("{}"), codes("otlp-decode")),
                Arguments.of("otlp-proto", Map.of(), null, nested(500), codes("otlp-decode")),
                Arguments.of("otlp-proto", Map.of(InputSettings.MAX_EVENTS, 3), null, logs(4), codes("otlp-too-many-events")),
                Arguments.of("otlp-proto", Map.of(), null, logs(3), codes(null, null, null)),
                Arguments.of("otlp-proto", Map.of(), null, LogsData.getDefaultInstance().toByteArray(), codes("otlp-empty")),
                Arguments.of("otlp-json", Map.of(), null, utf8("[]"), codes("otlp-decode")),
                Arguments.of("otlp-json", Map.of(), null, new byte[] {'{', (byte) 0xFF, '}'}, codes("otlp-decode")),
                Arguments.of("otlp-json", Map.of(), "k", utf8("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":"
                        + "[{\"body\":{\"stringValue\":\"x\"}},{\"attributes\":[]}]}]}]}"), codes(null, "otlp-no-body")),
                Arguments.of("otlp-json", Map.of(), null, utf8("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":"
                        + "[{\"body\":{\"stringValue\":\"x\"}}]}]}]}"), codes("missing-session")));
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("catalogue")
    void everyInputEndsInEventsOrReasons(String format, Map<String, Object> settings, String key, byte[] value,
                                         List<String> expected) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put(InputSettings.FORMAT, format);
        InputReader reader = InputReader.of(InputSettings.of(all), null, 1000);
        List<Read> reads = reader.read(new RawRecord("t", 0, 7, key == null ? null : utf8(key), value, 0L));
        assertEquals(expected, reads.stream().map(Read::code).toList(), reads.toString());
    }

    @Test
    void aRecordWithoutIdsGetsStableOnes() {
        InputReader reader = InputReader.of(InputSettings.of(Map.of(InputSettings.FORMAT, "otlp-proto")), null, 1000);
        List<Read> reads = reader.read(new RawRecord("logs", 2, 41, null, logs(3), 0L));
        assertEquals(List.of("logs-2@41", "logs-2@41#1", "logs-2@41#2"),
                reads.stream().map(r -> r.event().getEventId()).toList());
        assertNull(reads.get(0).code());
    }

    @Test
    void wrongSettingsAreRefusedAtStart() {
        assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> InputSettings.of(Map.of(InputSettings.FORMAT, "xml")));
        assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> InputSettings.of(Map.of(InputSettings.FORMAT, "text", InputSettings.SESSION_REGEX, "(")));
        assertThrows(org.apache.kafka.common.config.ConfigException.class,
                () -> InputSettings.of(Map.of(InputSettings.FORMAT, "text", InputSettings.WINDOW_MS, 1000L)));
    }

    private static List<String> codes(String... codes) {
        return java.util.Arrays.asList(codes);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Log records with a service attribute; the second-last one without a session when there are more than 3. */
    private static byte[] logs(int n) {
        ScopeLogs.Builder scope = ScopeLogs.newBuilder();
        for (int i = 0; i < n; i++) {
            scope.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("line " + i))
                    .addAttributes(KeyValue.newBuilder().setKey("service.name")
                            .setValue(AnyValue.newBuilder().setStringValue("svc"))));
        }
        return LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(scope)).build().toByteArray();
    }

    /** A body of kvlists nested {@code depth} deep: past protobuf's recursion limit. */
    private static byte[] nested(int depth) {
        AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
        for (int i = 0; i < depth; i++) {
            v = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                    .addValues(KeyValue.newBuilder().setKey("k").setValue(v))).build();
        }
        return LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                .addLogRecords(LogRecord.newBuilder().setBody(v)))).build().toByteArray();
    }
}
