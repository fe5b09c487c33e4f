package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.input.InputSettings;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.testing.TinyModelExtension;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Text, JSON and OTLP input scored with JSON output and no schema registry at all (the registry
 * given to the topology is null): sessions from keys, fields, regexes, windows and attributes, the
 * repartition that keeps a session on one task, and each format's bad input in the dead-letter topic.
 */
@ExtendWith(TinyModelExtension.class)
class InputFormatsTopologyTest {

    private final LanguageModel model;
    private TopologyTestDriver driver;
    private ScorerConfig config;
    private TestInputTopic<byte[], byte[]> input;
    private TestOutputTopic<String, byte[]> scores;
    private TestOutputTopic<String, byte[]> summaries;
    private TestOutputTopic<byte[], byte[]> dlq;
    private ScorerMetrics metrics;

    @TempDir
    Path stateDir;

    InputFormatsTopologyTest(LanguageModel shared) {
        this.model = shared;
    }

    private void start(Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.OUTPUT_FORMAT, "json",
                ScorerConfig.MAX_TEXT_BYTES, 200,
                ScorerConfig.BATCH_MAX_EVENTS, 16));
        settings.put(ScorerConfig.MODEL_THREAD, false);
        settings.putAll(overrides);
        config = new ScorerConfig(settings);
        metrics = new ScorerMetrics(new SimpleMeterRegistry());
        driver = new TopologyTestDriver(ScoringTopology.build(config, ModelProvider.fixed(model), null, metrics),
                config.streamsProperties());
        input = driver.createInputTopic(config.inputTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(config.outputTopic(), new StringDeserializer(), new ByteArrayDeserializer());
        summaries = driver.createOutputTopic(config.summariesTopic(), new StringDeserializer(),
                new ByteArrayDeserializer());
        dlq = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void send(String key, String value) {
        send(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private void send(String key, byte[] value) {
        input.pipeInput(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        driver.advanceWallClockTime(config.batchMaxWait());
        driver.advanceWallClockTime(config.batchMaxWait());
    }

    private List<ScoredEvent> scored() {
        return scores.readValuesToList().stream().map(v -> JsonRecords.read(v, ScoredEvent.class)).toList();
    }

    private List<String> deadCodes() {
        return dlq.readRecordsToList().stream().map(InputFormatsTopologyTest::code).toList();
    }

    private static String code(TestRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(DeadLetter.HEADER_CODE);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void textLinesKeyedBySessionScoreAsJsonWithStableIds() {
        start(Map.of(InputSettings.FORMAT, "text"));
        send("s1", "GET /index.html\n");
        send("s1", "GET /about.html");
        send("s2", "POST /login\r\n");
        List<ScoredEvent> out = scored();
        assertEquals(3, out.size(), out.toString());
        assertEquals("GET /index.html", out.get(0).getText(), "the line's newline is not part of the text");
        assertEquals(config.inputTopic() + "-0@0", out.get(0).getEventId());
        assertEquals(config.inputTopic() + "-0@1", out.get(1).getEventId());
        assertEquals("s1", out.get(1).getSessionId());
        assertTrue(out.get(1).getSessionTokenCount() > out.get(1).getTokens().size(),
                "the second line continues the first's session");
        assertEquals("POST /login", out.get(2).getText());

        send(null, "a line without a key");
        assertEquals(List.of("missing-key"), deadCodes());
        send("s1", new byte[] {(byte) 0xC3, (byte) 0x28});
        assertEquals(List.of("invalid-utf8"), deadCodes());
    }

    @Test
    void jsonFromAShipperIsReKeyedByItsHostField() {
        start(Map.of(InputSettings.FORMAT, "json", InputSettings.SESSION_FIELD, "host.name",
                InputSettings.TIME_FIELD, "@timestamp", InputSettings.LABELS_FIELD, "labels"));
        send(null, "{\"@timestamp\":\"2025-12-01T10:00:00Z\",\"message\":\"disk ok\",\"host\":{\"name\":\"web-1\"}}");
        send("anything", "{\"@timestamp\":\"2025-12-01T10:00:01Z\",\"message\":\"disk ok\",\"host.name\":\"web-2\"}");
        send(null, "{\"@timestamp\":1764583202.5,\"message\":\"disk full\",\"host\":{\"name\":\"web-1\"},"
                + "\"labels\":{\"anomalous\":\"1\"}}");
        List<ScoredEvent> out = scored();
        assertEquals(3, out.size());
        Map<String, List<ScoredEvent>> bySession = out.stream().collect(Collectors.groupingBy(ScoredEvent::getSessionId));
        assertEquals(2, bySession.get("web-1").size(), "the dotted path and the flattened key both find the host");
        assertEquals(1, bySession.get("web-2").size());
        assertEquals(Instant.parse("2025-12-01T10:00:00Z"), bySession.get("web-1").get(0).getEventTime());
        assertEquals(Instant.parse("2025-12-01T10:00:02.500Z"), bySession.get("web-1").get(1).getEventTime(),
                "epoch seconds with a fraction");
        assertTrue(bySession.get("web-1").get(1).getSessionTokenCount() > bySession.get("web-1").get(1).getTokens()
                .size(), "web-1's second event continues its session after the repartition");

        send(null, "{\"message\": 42, \"host\": {\"name\": \"web-1\"}}");
        send(null, "{\"log\": \"no host here\"}");
        send(null, "not json at all");
        send(null, "[1, 2]");
        send(null, "{\"hostname\": \"x\"}");
        send(null, "[".repeat(200) + "]".repeat(200));
        assertEquals(List.of("text-not-string", "missing-session", "invalid-json", "not-json-object", "missing-text",
                "json-too-deep"), deadCodes());
        send(null, "{\"message\":\"" + "x".repeat(300) + "\",\"host\":{\"name\":\"web-1\"}}");
        List<TestRecord<byte[], byte[]>> tooLarge = dlq.readRecordsToList();
        assertEquals(List.of("too-large"), tooLarge.stream().map(InputFormatsTopologyTest::code).toList(),
                "the text limit holds after reading");
        assertEquals(config.inputTopic(), new String(tooLarge.get(0).headers().lastHeader(DeadLetter.HEADER_TOPIC).value(),
                StandardCharsets.UTF_8), "a dead letter after the repartition names the input record");
        assertEquals("9", new String(tooLarge.get(0).headers().lastHeader(DeadLetter.HEADER_OFFSET).value(),
                StandardCharsets.UTF_8));
        send(null, "{\"message\":\"still scoring\",\"host\":{\"name\":\"web-1\"}}");
        assertEquals(1, scored().size());
    }

    @Test
    void connectEnvelopesAndBareStringsAreRead() {
        start(Map.of(InputSettings.FORMAT, "json"));
        send("k", "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"message\":\"from connect\"}}");
        send("k", "\"a bare string\"");
        List<ScoredEvent> out = scored();
        assertEquals(List.of("from connect", "a bare string"), out.stream().map(ScoredEvent::getText).toList());
    }

    @Test
    void rawLogLinesAreWindowedPerNodeByTheirOwnTime() {
        start(Map.of(InputSettings.FORMAT, "text", InputSettings.LOG_FORMAT, "<Date> <Time> <Node> <Content>",
                InputSettings.WINDOW_MS, 60_000L, InputSettings.WINDOW_KEY, "Node"));
        send(null, "2026-12-01 10:00:05 n1 started\r"); // a CRLF file's line as kcat -l sends it
        send(null, "2026-12-01 10:00:10 n2 started");
        send(null, "2026-12-01 10:00:50 n1 ready");
        send(null, "2026-12-01 10:01:05 n1 ready");
        send(null, "no time here");
        List<String> sessions = scored().stream().map(ScoredEvent::getSessionId).toList();
        assertEquals(List.of("n1@2026-12-01T10:00:00Z", "n2@2026-12-01T10:00:00Z", "n1@2026-12-01T10:00:00Z",
                "n1@2026-12-01T10:01:00Z", "n1@2026-12-01T10:01:00Z").stream().sorted().toList(),
                sessions.stream().sorted().toList(), "a line without a time joins the windows of the line before it");
    }

    @Test
    void otlpBatchesScoreEachLogRecordAndDeadLetterOnlyTheBadOne() {
        start(Map.of(InputSettings.FORMAT, "otlp-proto"));
        LogsData batch = LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "checkout"))
                        .addAttributes(attr("host.name", "h1")))
                .addScopeLogs(ScopeLogs.newBuilder()
                        .addLogRecords(log("order placed", 1_764_583_200_000_000_000L))
                        .addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_764_583_201_000_000_000L))
                        .addLogRecords(log("order paid", 0).toBuilder()
                                .setObservedTimeUnixNano(1_764_583_202_000_000_000L))))
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                        .addLogRecords(log("traced call", 1_764_583_203_000_000_000L).toBuilder()
                                .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                        13, 14, 15, 16})))))
                .build();
        send(null, batch.toByteArray());
        Map<String, ScoredEvent> out = scored().stream().collect(Collectors.toMap(ScoredEvent::getText, e -> e));
        assertEquals(3, out.size(), out.toString());
        assertEquals("checkout/h1", out.get("order placed").getSessionId());
        assertEquals(Instant.parse("2025-12-01T10:00:00Z"), out.get("order placed").getEventTime());
        assertEquals(Instant.parse("2025-12-01T10:00:02Z"), out.get("order paid").getEventTime(),
                "the observed time, else");
        assertEquals(config.inputTopic() + "-0@0#2", out.get("order paid").getEventId());
        assertEquals("0102030405060708090a0b0c0d0e0f10", out.get("traced call").getSessionId(), "the trace id, else");
        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertEquals(1, dead.size());
        assertEquals("otlp-no-body", code(dead.get(0)));
        assertTrue(new String(dead.get(0).headers().lastHeader(DeadLetter.HEADER_REASON).value(),
                StandardCharsets.UTF_8).startsWith("log record 2 of 4"));

        assertEquals(2, metrics.registry().get("surprisal.batch.events").summary().max(),
                "one record's events of distinct sessions are scored together, not one by one as if each had "
                        + "crashed a thread before (two of the three share a session)");

        send(null, "not protobuf".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("otlp-decode"), deadCodes());
        send(null, LogsData.getDefaultInstance().toByteArray());
        assertEquals(List.of("otlp-empty"), deadCodes());
    }

    @Test
    void otlpJsonReadsTheCollectorsJsonMapping() {
        start(Map.of(InputSettings.FORMAT, "otlp-json", InputSettings.MAX_EVENTS, 2));
        send(null, "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                + "{\"stringValue\":\"api\"}}]},\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"1764583200000000000\","
                + "\"body\":{\"stringValue\":\"GET /health 200\"},\"traceId\":\"5b8efff798038103d269b633813fc60c\"}]}]}]}");
        List<ScoredEvent> out = scored();
        assertEquals(1, out.size());
        assertEquals("api", out.get(0).getSessionId(), "host.name is absent: the service alone");
        assertEquals("GET /health 200", out.get(0).getText());
        String three = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[" + String.join(",",
                List.of("{\"body\":{\"stringValue\":\"a\"}}", "{\"body\":{\"stringValue\":\"b\"}}",
                        "{\"body\":{\"stringValue\":\"c\"}}")) + "]}]}]}";
        send("k", three);
        assertEquals(List.of("otlp-too-many-events"), deadCodes());
        assertTrue(scored().isEmpty());
    }

    @Test
    void unkeyedLinesWithNoSessionRuleAreAllRefusedAndTheWatchSaysWhichSettingsFindTheirSessions() {
        start(Map.of(InputSettings.FORMAT, "text"));
        for (int i = 0; i < 50; i++) {
            send(null, "GET /items/" + i + " 200");
        }
        send("s1", "a keyed line scores");
        assertEquals(1, scored().size());
        assertEquals(50, dlq.readRecordsToList().size());
        DeadLetterWatch.Summary summary = metrics.deadLetterWatch().recent().orElseThrow();
        assertEquals(51, summary.records(), "every input record is counted once, the scored one too");
        assertEquals(50, summary.dead());
        assertTrue(summary.problem());
        String line = summary.describe(config.dlqTopic());
        assertTrue(line.startsWith("50 of the last 51 input records were dead-lettered to " + config.dlqTopic()
                + ": missing-key, e.g. " + config.inputTopic() + "-0@49: "), line);
        assertTrue(line.contains(InputSettings.SESSION_REGEX) && line.contains(InputSettings.WINDOW_MS), line);
        assertEquals(line.indexOf(InputSettings.SESSION_REGEX), line.lastIndexOf(InputSettings.SESSION_REGEX),
                "the reason already names the settings: no hint repeats them");
    }

    @Test
    void aSessionIdPastItsLimitIsDeadLetteredWhateverNamedIt() {
        start(Map.of(InputSettings.FORMAT, "json", InputSettings.SESSION_FIELD, "service"));
        String huge = "s".repeat(config.maxSessionBytes() + 1);
        send(null, "{\"message\":\"hi\",\"service\":\"" + huge + "\"}");
        send(null, "{\"message\":\"hi\",\"service\":\"checkout\"}");
        assertEquals(List.of("session-too-long"), deadCodes());
        assertEquals(List.of("checkout"), scored().stream().map(ScoredEvent::getSessionId).toList());
    }

    @Test
    void summariesAreJsonToo() {
        start(Map.of(InputSettings.FORMAT, "text", ScorerConfig.IDLE_TIMEOUT_MS, 1_000L,
                ScorerConfig.IDLE_SCAN_INTERVAL_MS, 100L));
        input.pipeInput("s1".getBytes(StandardCharsets.UTF_8), "hello".getBytes(StandardCharsets.UTF_8), 0L);
        driver.advanceWallClockTime(config.batchMaxWait());
        driver.advanceWallClockTime(config.batchMaxWait());
        input.pipeInput("s2".getBytes(StandardCharsets.UTF_8), "later".getBytes(StandardCharsets.UTF_8), 10_000L);
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(20));
        List<byte[]> ended = summaries.readValuesToList();
        assertTrue(!ended.isEmpty());
        SessionSummary s1 = JsonRecords.read(ended.get(0), SessionSummary.class);
        assertNotNull(s1);
        assertEquals("s1", s1.getSessionId());
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static LogRecord log(String body, long nanos) {
        return LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(body)).setTimeUnixNano(nanos).build();
    }
}
