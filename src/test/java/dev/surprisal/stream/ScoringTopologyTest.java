package dev.surprisal.stream;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.SessionState;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every case runs scoring each event on arrival (batch 1) and through the pending-events store (batch 16). */
@ExtendWith(TinyModelExtension.class)
@ParameterizedClass(name = "batch {0}")
@ValueSource(ints = {1, 16})
class ScoringTopologyTest {

    @Parameter
    int batchMaxEvents;

    private final LanguageModel model;

    ScoringTopologyTest(LanguageModel shared) {
        this.model = shared;
    }
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private TopologyTestDriver driver;
    private ScorerConfig config;
    private TestInputTopic<String, TextEvent> events;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<String, ScoredEvent> scores;
    private TestOutputTopic<String, ScoredEvent> anomalies;
    private TestOutputTopic<String, SessionSummary> summaries;
    private TestOutputTopic<byte[], byte[]> dlq;

    @TempDir
    Path stateDir;


    private void start(Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(Map.of(
                ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.IDLE_TIMEOUT_MS, 1_000L,
                ScorerConfig.IDLE_SCAN_INTERVAL_MS, 100L,
                ScorerConfig.MAX_TEXT_BYTES, 100,
                ScorerConfig.BATCH_MAX_EVENTS, batchMaxEvents));
        settings.put(ScorerConfig.MODEL_THREAD, false);
        settings.putAll(overrides);
        config = new ScorerConfig(settings);
        Properties props = config.streamsProperties();
        driver = new TopologyTestDriver(ScoringTopology.build(config, ModelProvider.fixed(model), registry), props);
        events = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                AvroSerdes.value(TextEvent.class, registry).serializer());
        raw = driver.createInputTopic(config.inputTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        StringDeserializer keys = new StringDeserializer();
        scores = driver.createOutputTopic(config.outputTopic(), keys,
                AvroSerdes.value(ScoredEvent.class, registry).deserializer());
        anomalies = driver.createOutputTopic(config.anomaliesTopic(), keys,
                AvroSerdes.value(ScoredEvent.class, registry).deserializer());
        summaries = driver.createOutputTopic(config.summariesTopic(), keys,
                AvroSerdes.value(SessionSummary.class, registry).deserializer());
        dlq = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static TextEvent event(String session, String id, String text, long time, boolean end) {
        return new TextEvent(id, session, text, Instant.ofEpochMilli(time), end, null);
    }

    private void send(String session, String id, String text, long time, boolean end) {
        events.pipeInput(session, event(session, id, text, time, end), time);
        endBatchWindow();
    }

    private void pipeRaw(byte[] key, byte[] value) {
        raw.pipeInput(key, value);
        endBatchWindow();
    }

    /** One tick sees what is pending queued, the next, a window later, scores it. */
    private void endBatchWindow() {
        driver.advanceWallClockTime(config.batchMaxWait());
        driver.advanceWallClockTime(config.batchMaxWait());
    }

    @Test
    void stateCarriesAcrossEventsOfASession() {
        start(Map.of());
        send("split", "e1", "the cat sat", 1, false);
        send("split", "e2", " on the mat", 2, false);
        send("whole", "e3", "the cat sat on the mat", 3, false);

        List<ScoredEvent> out = scores.readValuesToList();
        assertEquals(3, out.size());
        ScoredEvent whole = out.get(2);
        List<Double> split = new java.util.ArrayList<>();
        out.get(0).getTokens().forEach(t -> split.add(t.getSurprisalBits()));
        out.get(1).getTokens().forEach(t -> split.add(t.getSurprisalBits()));
        assertEquals(whole.getTokens().size(), split.size());
        for (int i = 0; i < split.size(); i++) {
            assertEquals(whole.getTokens().get(i).getSurprisalBits(), split.get(i), 1e-4);
        }
        assertEquals(22, out.get(1).getSessionTokenCount());
        assertEquals(whole.getSessionPerplexity(), out.get(1).getSessionPerplexity(), 1e-4);
        assertEquals(model.version(), whole.getModelVersion());
        assertEquals("e3", whole.getEventId());
        assertEquals(5, whole.getNextTokenPredictions().size());
    }

    @Test
    void endFlagEmitsASummaryAndForgetsTheSession() {
        start(Map.of());
        send("s", "e1", "hello", 1, false);
        send("s", "e2", " world", 2, true);
        send("s", "e3", "hello", 3, false);

        List<ScoredEvent> out = scores.readValuesToList();
        assertEquals(out.get(0).getTokens().get(0).getSurprisalBits(), out.get(2).getTokens().get(0).getSurprisalBits(),
                1e-9, "after the end flag the session starts afresh");
        assertEquals(5, out.get(2).getSessionTokenCount());
        SessionSummary summary = summaries.readValue();
        assertEquals(SessionEndReason.END_OF_SESSION, summary.getReason());
        assertEquals(2, summary.getEvents());
        assertEquals(11, summary.getTokens());
        assertEquals(out.get(1).getSessionPerplexity(), summary.getSessionPerplexity(), 1e-9);
        assertTrue(summaries.isEmpty());
    }

    @Test
    void idleSessionsAreEvictedWhenStreamTimePassesTheTimeout() {
        start(Map.of());
        send("quiet", "e1", "first", 1_000, false);
        send("busy", "e2", "second", 1_500, false);
        assertTrue(summaries.isEmpty());

        send("busy", "e3", "third", 2_100, false);
        TestRecord<String, SessionSummary> evicted = summaries.readRecord();
        assertEquals("quiet", evicted.key());
        assertEquals(SessionEndReason.IDLE, evicted.value().getReason());
        assertEquals(1, evicted.value().getEvents());
        assertTrue(summaries.isEmpty(), "the busy session is not idle");
        assertNull(driver.<String, SessionState>getKeyValueStore(ScoringTopology.STATE_STORE).get("quiet"));
    }

    @Test
    void unscoreableInputGoesToTheDeadLetterTopicWithItsReason() {
        start(Map.of());
        byte[] garbage = {1, 2, 3, 4, 5, 6};
        pipeRaw("s".getBytes(StandardCharsets.UTF_8), garbage);
        pipeRaw((byte[]) null, serialize(event("s", "no-key", "text", 1, false)));
        pipeRaw(new byte[0], serialize(event("", "empty-key", "text", 1, false)));
        pipeRaw("s".getBytes(StandardCharsets.UTF_8), (byte[]) null);
        send("s", "blank", "   ", 1, false);
        send("s", "huge", "x".repeat(101), 1, false);
        byte[] truncated = serialize(event("s", "cut", "some text", 1, false));
        pipeRaw("s".getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(truncated, truncated.length - 3));

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        List<String> reasons = dead.stream().map(r -> header(r, DeadLetter.HEADER_REASON)).toList();
        assertEquals(7, dead.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("undeserializable value: not in the Confluent wire format"), reasons.get(0));
        assertTrue(reasons.get(1).startsWith("missing session key"));
        assertTrue(reasons.get(2).startsWith("missing session key"));
        assertEquals("null value", reasons.get(3));
        assertEquals("empty text", reasons.get(4));
        assertTrue(reasons.get(5).startsWith("text too large: 101 bytes, limit 100"), reasons.get(5));
        assertTrue(reasons.get(6).startsWith("undeserializable value"), reasons.get(6));
        assertEquals(List.of(garbage[0], garbage[5]), List.of(dead.get(0).value()[0], dead.get(0).value()[5]),
                "the original bytes are kept");
        assertEquals(config.inputTopic(), header(dead.get(0), DeadLetter.HEADER_TOPIC));
        assertTrue(scores.isEmpty());

        send("s", "fine", "still scoring", 2, false);
        assertEquals("fine", scores.readValue().getEventId(), "bad input never stops the scorer");
    }

    @Test
    void flaggedEventsAlsoGoToTheAnomaliesTopic() {
        start(Map.of(ScorerConfig.PERPLEXITY_THRESHOLD, 1.0001));
        send("s", "e1", "anything is surprising to an untrained model", 1, false);
        ScoredEvent scored = scores.readValue();
        assertTrue(scored.getAnomalous());
        assertEquals(AnomalyRule.PERPLEXITY, scored.getAnomalyRule());
        assertEquals(scored.getEventPerplexity() / 1.0001, scored.getAnomalyScore(), 1e-9);
        assertEquals("e1", anomalies.readValue().getEventId());
    }

    @Test
    void topGRuleFlagsTokensOutsideTheTopPredictions() {
        start(Map.of(ScorerConfig.TOP_G, 1, ScorerConfig.PERPLEXITY_THRESHOLD, 1e9));
        send("s", "e1", "zq", 1, false);
        ScoredEvent scored = scores.readValue();
        int worst = scored.getTokens().stream().mapToInt(t -> t.getRank()).max().orElseThrow();
        assertEquals(worst > 1, scored.getAnomalous());
        assertEquals(worst > 1 ? AnomalyRule.TOP_G : AnomalyRule.NONE, scored.getAnomalyRule());
        assertEquals(1, scored.getTopG());
    }

    @Test
    void perTokenPredictionsAreOffByDefaultAndOnWhenAsked() {
        start(Map.of());
        send("s", "e1", "ab", 1, false);
        assertNull(scores.readValue().getTokens().get(0).getTopK());
        close();
        start(Map.of(ScorerConfig.PER_TOKEN_TOP_K, 3));
        send("s", "e1", "ab", 1, false);
        assertEquals(3, scores.readValue().getTokens().get(1).getTopK().size());
    }

    private byte[] serialize(TextEvent e) {
        return AvroSerdes.value(TextEvent.class, registry).serializer().serialize(config.inputTopic(), e);
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
