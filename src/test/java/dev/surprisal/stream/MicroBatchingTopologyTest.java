package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The batched path against the reference (one event per model call) on the same mixed traffic. */
@ExtendWith(TinyModelExtension.class)
class MicroBatchingTopologyTest {

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();

    MicroBatchingTopologyTest(LanguageModel shared) {
        this.model = shared;
    }

    /** What a run produced: scores in output order, summaries, and the dead-lettered event ids. */
    private record Output(List<ScoredEvent> scores, List<SessionSummary> summaries, int deadLetters) {
    }

    /** Sessions of varied event lengths, some ended and restarted, with a blank event among them. */
    private static List<TextEvent> traffic() {
        Random random = new Random(11);
        List<TextEvent> out = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String session = "s" + random.nextInt(9);
            StringBuilder text = new StringBuilder();
            int length = 1 + random.nextInt(random.nextInt(10) == 0 ? 90 : 25);
            for (int c = 0; c < length; c++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            String body = i == 57 ? "   " : text.toString();
            out.add(new TextEvent("e" + i, session, body, Instant.ofEpochMilli(1_000 + i), random.nextInt(12) == 0,
                    null));
        }
        return out;
    }

    private Output run(Path stateDir, int batchMaxEvents, int eventsPerWindow) {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.BATCH_MAX_EVENTS, batchMaxEvents, ScorerConfig.APPLICATION_ID, "batch-" + batchMaxEvents));
        try (TopologyTestDriver driver = new TopologyTestDriver(
                ScoringTopology.build(config, ModelProvider.fixed(model), registry), config.streamsProperties())) {
            TestInputTopic<String, TextEvent> in = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                    AvroSerdes.value(TextEvent.class, registry).serializer());
            List<TextEvent> events = traffic();
            for (int i = 0; i < events.size(); i++) {
                TextEvent e = events.get(i);
                in.pipeInput(e.getSessionId(), e, e.getEventTime().toEpochMilli());
                if (i % eventsPerWindow == eventsPerWindow - 1) {
                    endBatchWindow(driver, config);
                }
            }
            endBatchWindow(driver, config);
            StringDeserializer keys = new StringDeserializer();
            List<ScoredEvent> scores = driver.createOutputTopic(config.outputTopic(), keys,
                    AvroSerdes.value(ScoredEvent.class, registry).deserializer()).readValuesToList();
            List<SessionSummary> summaries = driver.createOutputTopic(config.summariesTopic(), keys,
                    AvroSerdes.value(SessionSummary.class, registry).deserializer()).readValuesToList();
            List<TestRecord<byte[], byte[]>> dead = driver.createOutputTopic(config.dlqTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            assertEquals(0, driver.getKeyValueStore(ScoringTopology.PENDING_STORE).approximateNumEntries(),
                    "nothing is left pending once the window has passed");
            return new Output(scores, summaries, dead.size());
        }
    }

    /** One tick sees the batch queued, the next, a window later, scores it. */
    private static void endBatchWindow(TopologyTestDriver driver, ScorerConfig config) {
        driver.advanceWallClockTime(config.batchMaxWait());
        driver.advanceWallClockTime(config.batchMaxWait());
    }

    private static Map<String, List<ScoredEvent>> bySession(List<ScoredEvent> scores) {
        Map<String, List<ScoredEvent>> out = new LinkedHashMap<>();
        scores.forEach(s -> out.computeIfAbsent(s.getSessionId(), k -> new ArrayList<>()).add(s));
        return out;
    }

    private static List<String> summaries(Output output) {
        return output.summaries().stream()
                .map(s -> s.getSessionId() + " events " + s.getEvents() + " tokens " + s.getTokens()).sorted().toList();
    }

    @Test
    void batchedScoresEqualTheOneEventPerCallReference(@TempDir Path dir) {
        Output reference = run(dir.resolve("reference"), 1, 1);
        // batches cut by size (16) and by the window (every 40 events), several events per session in a batch
        Output batched = run(dir.resolve("batched"), 16, 40);

        assertEquals(119, reference.scores().size());
        assertEquals(1, reference.deadLetters());
        assertEquals(reference.deadLetters(), batched.deadLetters());
        Map<String, List<ScoredEvent>> expected = bySession(reference.scores());
        Map<String, List<ScoredEvent>> actual = bySession(batched.scores());
        assertEquals(expected.keySet(), actual.keySet());
        int tokens = 0;
        for (String session : expected.keySet()) {
            List<ScoredEvent> want = expected.get(session);
            List<ScoredEvent> got = actual.get(session);
            assertEquals(want.stream().map(ScoredEvent::getEventId).toList(),
                    got.stream().map(ScoredEvent::getEventId).toList(), "each session's events in arrival order");
            for (int e = 0; e < want.size(); e++) {
                assertEquals(want.get(e).getTokens().size(), got.get(e).getTokens().size());
                for (int t = 0; t < want.get(e).getTokens().size(); t++) {
                    assertEquals(want.get(e).getTokens().get(t).getSurprisalBits(),
                            got.get(e).getTokens().get(t).getSurprisalBits(), 1e-4, session + " " + e + " " + t);
                    tokens++;
                }
                assertEquals(want.get(e).getSessionPerplexity(), got.get(e).getSessionPerplexity(),
                        1e-4 * want.get(e).getSessionPerplexity());
                assertEquals(want.get(e).getNextTokenPredictions().get(0).getToken(),
                        got.get(e).getNextTokenPredictions().get(0).getToken());
            }
        }
        assertEquals(summaries(reference), summaries(batched));
        assertEquals(reference.scores().stream().mapToInt(s -> s.getTokens().size()).sum(), tokens);
    }
}
