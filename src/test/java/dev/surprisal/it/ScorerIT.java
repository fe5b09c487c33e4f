package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.demo.TrafficGenerator;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.DeadLetter;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(180)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class ScorerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final LanguageModel model;

    ScorerIT(LanguageModel shared) {
        this.model = shared;
    }
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();


    private static ScorerConfig config(EmbeddedKafkaBroker broker, TestInfo test, Path stateDir) {
        String name = test.getTestMethod().orElseThrow().getName();
        Map<String, Object> settings = new HashMap<>(ScorerConfig.prefixedTopics(name));
        settings.put(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        settings.put(ScorerConfig.APPLICATION_ID, "it-" + name);
        settings.put(ScorerConfig.STATE_DIR, stateDir.toString());
        ScorerConfig config = new ScorerConfig(settings);
        broker.createTopics(ScorerTopics.all(config, 4, (short) 1));
        return config;
    }

    /** Sessions of generated log lines, the last event of each carrying the end flag. */
    private static Map<String, List<TextEvent>> sessions(int count) {
        TrafficGenerator generator = new TrafficGenerator(11, 0);
        Map<String, List<TextEvent>> out = new LinkedHashMap<>();
        List<List<String>> texts = generator.normalSessions(count);
        int id = 0;
        for (int s = 0; s < texts.size(); s++) {
            String session = "session-" + s;
            List<TextEvent> events = new ArrayList<>();
            for (int e = 0; e < texts.get(s).size(); e++) {
                events.add(new TextEvent("e" + (id++), session, texts.get(s).get(e), Instant.ofEpochMilli(1000L + id),
                        e == texts.get(s).size() - 1, null));
            }
            out.put(session, events);
        }
        return out;
    }

    /** Interleaves sessions round-robin, keeping each session's order. */
    private static List<TextEvent> interleave(Map<String, List<TextEvent>> sessions, int fromIndex, int toIndex) {
        List<TextEvent> out = new ArrayList<>();
        for (int i = fromIndex; i < toIndex; i++) {
            for (List<TextEvent> events : sessions.values()) {
                if (i < events.size()) {
                    out.add(events.get(i));
                }
            }
        }
        return out;
    }

    /** Scores of every event computed offline, session by session, from a fresh state. */
    private Map<String, Double> reference(Map<String, List<TextEvent>> sessions) {
        EventScorer scorer = new EventScorer(0, 0);
        Map<String, Double> out = new HashMap<>();
        for (List<TextEvent> events : sessions.values()) {
            float[] state = model.initialState();
            for (TextEvent e : events) {
                EventScore score = scorer.score(model, state, model.tokenizer().encode(e.getText()));
                state = score.state();
                out.put(e.getEventId(), score.meanBits());
            }
        }
        return out;
    }

    private List<ScoredEvent> scores(ScorerConfig config, int count) {
        return TestClients.consume(config.getString(ScorerConfig.BOOTSTRAP_SERVERS), config.outputTopic(),
                new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer(), count, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    private static void assertExactlyOnceAndEqualToReference(List<ScoredEvent> scored, Map<String, Double> reference) {
        Map<String, Long> counts = scored.stream().collect(Collectors.groupingBy(ScoredEvent::getEventId, Collectors.counting()));
        assertEquals(reference.keySet(), counts.keySet(), "every event scored");
        assertEquals(Set.of(1L), Set.copyOf(counts.values()), "no event scored twice");
        for (ScoredEvent e : scored) {
            assertEquals(reference.get(e.getEventId()), e.getMeanSurprisalBits(), 1e-4, e.getEventId());
        }
    }

    @Test
    void everyEventIsScoredExactlyOnceFromItsSessionsState(EmbeddedKafkaBroker broker, TestInfo test,
                                                          @TempDir Path stateDir) throws Exception {
        ScorerConfig config = config(broker, test, stateDir);
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        Map<String, List<TextEvent>> sessions = sessions(20);
        List<TextEvent> events = interleave(sessions, 0, 100);

        try (ScorerService scorer = ScorerService.start(config, ModelProvider.fixed(model), registry, WAIT)) {
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events);
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(config.inputTopic(), "bad".getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8))).get();
            }

            List<ScoredEvent> scored = scores(config, events.size());
            assertExactlyOnceAndEqualToReference(scored, reference(sessions));

            List<ConsumerRecord<String, SessionSummary>> summaries = TestClients.consume(broker.bootstrapServers(),
                    config.summariesTopic(), new StringDeserializer(),
                    AvroSerdes.value(SessionSummary.class, registry).deserializer(), sessions.size(), WAIT);
            assertEquals(sessions.size(), summaries.size());
            assertTrue(summaries.stream().allMatch(s -> s.value().getReason() == SessionEndReason.END_OF_SESSION));

            List<ConsumerRecord<byte[], byte[]>> dead = TestClients.consume(broker.bootstrapServers(), config.dlqTopic(),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer(), 1, WAIT);
            assertEquals(1, dead.size());
            assertEquals("not avro", new String(dead.get(0).value(), StandardCharsets.UTF_8));
            assertTrue(new String(dead.get(0).headers().lastHeader(DeadLetter.HEADER_REASON).value(),
                    StandardCharsets.UTF_8).startsWith("undeserializable value"));
        }
    }

    @Test
    void sessionStateSurvivesLosingTheLocalStore(EmbeddedKafkaBroker broker, TestInfo test,
                                                 @TempDir Path firstDir, @TempDir Path secondDir) throws Exception {
        ScorerConfig first = config(broker, test, firstDir);
        Map<String, List<TextEvent>> sessions = sessions(10);
        List<TextEvent> before = interleave(sessions, 0, 3);
        List<TextEvent> after = interleave(sessions, 3, 100);

        try (ScorerService scorer = ScorerService.start(first, ModelProvider.fixed(model), registry, WAIT)) {
            TestClients.produce(broker.bootstrapServers(), registry, first.inputTopic(), before);
            assertEquals(before.size(), scores(first, before.size()).size());
        }
        // A new instance on an empty disk must rebuild every session's state from the changelog.
        Map<String, Object> moved = new HashMap<>(first.originals());
        moved.put(ScorerConfig.STATE_DIR, secondDir.toString());
        ScorerConfig second = new ScorerConfig(moved);
        try (ScorerService scorer = ScorerService.start(second, ModelProvider.fixed(model), registry, WAIT)) {
            TestClients.produce(broker.bootstrapServers(), registry, second.inputTopic(), after);
            assertExactlyOnceAndEqualToReference(scores(second, before.size() + after.size()), reference(sessions));
        }
    }

    @Test
    void eventsPendingWhenAnInstanceStopsAreScoredOnceByTheNext(EmbeddedKafkaBroker broker, TestInfo test,
                                                               @TempDir Path firstDir, @TempDir Path secondDir)
            throws Exception {
        Map<String, Object> settings = new HashMap<>(config(broker, test, firstDir).originals());
        // the first instance only ever queues: no batch fills and no window ends while it runs
        settings.put(ScorerConfig.BATCH_MAX_EVENTS, 4096);
        settings.put(ScorerConfig.BATCH_MAX_WAIT_MS, Duration.ofHours(1).toMillis());
        ScorerConfig first = new ScorerConfig(settings);
        Map<String, List<TextEvent>> sessions = sessions(10);
        List<TextEvent> events = interleave(sessions, 0, 100);

        try (ScorerService scorer = ScorerService.start(first, ModelProvider.fixed(model), registry, WAIT)) {
            TestClients.produce(broker.bootstrapServers(), registry, first.inputTopic(), events);
            awaitCommittedInput(broker, first, events.size());
        }
        // another instance, on an empty disk: the pending events come back from their changelog
        settings.put(ScorerConfig.BATCH_MAX_EVENTS, 64);
        settings.put(ScorerConfig.BATCH_MAX_WAIT_MS, 20L);
        settings.put(ScorerConfig.STATE_DIR, secondDir.toString());
        ScorerConfig second = new ScorerConfig(settings);
        try (ScorerService scorer = ScorerService.start(second, ModelProvider.fixed(model), registry, WAIT)) {
            assertExactlyOnceAndEqualToReference(scores(second, events.size()), reference(sessions));
        }
    }

    /** Waits (bounded) until the scorer's group has committed input offsets covering {@code count} records. */
    private static void awaitCommittedInput(EmbeddedKafkaBroker broker, ScorerConfig config, int count) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            long committed = 0;
            while (committed < count && System.nanoTime() < deadline) {
                committed = admin.listConsumerGroupOffsets(config.getString(ScorerConfig.APPLICATION_ID))
                        .partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(config.inputTopic()) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            assertEquals(count, committed, "the first instance committed every input offset");
        }
    }
}
