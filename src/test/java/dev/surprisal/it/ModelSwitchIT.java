package dev.surprisal.it;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseFollower;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TestModels;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(240)
@ExtendWith(EmbeddedClusterExtension.class)
class ModelSwitchIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final InMemorySchemaRegistry registry;

    ModelSwitchIT(InMemorySchemaRegistry shared) {
        this.registry = shared;
    }

    @Test
    void aPromotedReleaseTakesOverBetweenEventsAndACorruptOneIsRefused(EmbeddedKafkaBroker broker,
                                                                       @TempDir Path stateDir) throws Exception {
        ScorerConfig config = scorerWithTopics(broker, stateDir, "switch-it");

        try (LanguageModel first = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 10);
             LanguageModel second = TestModels.tinyByteModel(ModelSpec.Cell.GRU, 1, 10);
             ReleaseFollower follower = new ReleaseFollower(config.clientProperties(), registry, ReleaseTopics.DEFAULT, first, m -> { });
             ScorerService scorer = ScorerService.start(config, follower, registry, WAIT)) {
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events("before", 20));
            assertEquals(Set.of(first.version()), versions(scores(broker, config, 20), "before"));

            // an unreadable record on the topic must not stop the scorer from following later releases
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(ReleaseTopics.DEFAULT.releases(), "junk".getBytes(StandardCharsets.UTF_8),
                        "not a release".getBytes(StandardCharsets.UTF_8))).get();
            }
            publish(broker, ModelReleases.of(second, "default", first.version(), null, ReleaseStatus.PROMOTED, 2, 3.0));
            await(() -> follower.current().version().equals(second.version()), "the promoted model takes over");
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events("after", 20));
            List<ScoredEvent> all = scores(broker, config, 40);
            assertEquals(Set.of(second.version()), versions(all, "after"));
            assertEquals(Set.of(first.version()), versions(all, "before"));
            Map<String, Long> counts = all.stream().collect(Collectors.groupingBy(ScoredEvent::getEventId, Collectors.counting()));
            assertEquals(40, counts.size(), "none lost");
            assertEquals(Set.of(1L), Set.copyOf(counts.values()), "none scored twice");

            ModelRelease corrupt = ModelReleases.of(first, "default", second.version(), "corrupt-release",
                    ReleaseStatus.PROMOTED, 1, 2.0);
            corrupt.setVersion("v-corrupt");
            corrupt.setArtifact(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)));
            publish(broker, corrupt);
            await(() -> rejected(broker).contains("v-corrupt"), "the corrupt release is reported");
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events("later", 10));
            assertEquals(Set.of(second.version()), versions(scores(broker, config, 50), "later"),
                    "the previous model keeps scoring");
        }
    }

    @Test
    void aStormOfPromotionsWhileEventsFlowDeadLettersNothing(EmbeddedKafkaBroker broker, @TempDir Path stateDir)
            throws Exception {
        ScorerConfig config = scorerWithTopics(broker, stateDir, "storm-it");
        List<LanguageModel> models = new ArrayList<>();
        for (boolean end : new boolean[] {false, true}) {
            for (int layers = 1; layers <= 2; layers++) {
                for (ModelSpec.Cell cell : ModelSpec.Cell.values()) {
                    models.add(TestModels.tinyByteModel(cell, layers, 10, end));
                }
            }
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ReleaseFollower follower = new ReleaseFollower(config.clientProperties(), registry, ReleaseTopics.DEFAULT,
                models.get(0), m -> { });
             ScorerService scorer = ScorerService.start(config, follower, registry, new ScorerMetrics(meters), WAIT)) {
            int chunk = 100;
            for (int i = 1; i < models.size(); i++) {
                TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events("storm" + i, chunk));
                LanguageModel next = models.get(i);
                publish(broker, ModelReleases.of(next, "default", null, null, ReleaseStatus.PROMOTED, 2, 3.0));
                await(() -> follower.current().version().equals(next.version()), "promotion " + i + " takes over");
            }
            int total = chunk * (models.size() - 1);
            List<ScoredEvent> all = scores(broker, config, total);
            Map<String, Long> counts = all.stream().collect(Collectors.groupingBy(ScoredEvent::getEventId,
                    Collectors.counting()));
            assertEquals(total, counts.size(), "none lost");
            assertEquals(Set.of(1L), Set.copyOf(counts.values()), "none scored twice");
            assertTrue(all.stream().map(ScoredEvent::getModelVersion).distinct().count() >= 3,
                    "the storm switched models while events were scored");
            assertEquals(0, TestClients.consume(broker.bootstrapServers(), config.dlqTopic(), new StringDeserializer(),
                    new StringDeserializer(), Integer.MAX_VALUE, Duration.ofSeconds(2)).size(), "no dead letter");
            assertEquals(1, meters.find("surprisal.model.info").gauges().size(), "one serving version");
        } finally {
            models.forEach(LanguageModel::close);
        }
    }

    /** A scorer's settings with topics of its own, named after {@code name}, created with the release topics. */
    private static ScorerConfig scorerWithTopics(EmbeddedKafkaBroker broker, Path stateDir, String name) {
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(), IsolatedScorer.unique(name));
        settings.put(ScorerConfig.STATE_DIR, stateDir.toString());
        ScorerConfig config = new ScorerConfig(settings);
        List<org.apache.kafka.clients.admin.NewTopic> topics = new ArrayList<>(ScorerTopics.all(config, 2, (short) 1));
        topics.addAll(ReleaseTopics.DEFAULT.all((short) 1));
        broker.createTopics(topics);
        return config;
    }

    private static List<TextEvent> events(String prefix, int count) {
        List<TextEvent> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new TextEvent(prefix + "-" + i, "s" + (i % 4), prefix + " text " + i, Instant.now(), false, null));
        }
        return out;
    }

    private List<ScoredEvent> scores(EmbeddedKafkaBroker broker, ScorerConfig config, int count) {
        return TestClients.consume(broker.bootstrapServers(), config.outputTopic(), new StringDeserializer(),
                AvroSerdes.value(ScoredEvent.class, registry).deserializer(), count, WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    private static Set<String> versions(List<ScoredEvent> events, String prefix) {
        return events.stream().filter(e -> e.getEventId().startsWith(prefix + "-"))
                .map(ScoredEvent::getModelVersion).collect(Collectors.toSet());
    }

    private void publish(EmbeddedKafkaBroker broker, ModelRelease release) throws Exception {
        try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES),
                new StringSerializer(), AvroSerdes.value(ModelRelease.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(ReleaseTopics.DEFAULT.releases(), release.getVersion(), release)).get();
        }
    }

    private Set<String> rejected(EmbeddedKafkaBroker broker) {
        return TestClients.consume(broker.bootstrapServers(), ReleaseTopics.DEFAULT.status(), new StringDeserializer(),
                        AvroSerdes.value(TrainerStatus.class, registry).deserializer(), Integer.MAX_VALUE,
                        Duration.ofSeconds(2)).stream().map(ConsumerRecord::value)
                .filter(s -> s.getState() == TrainerState.RELEASE_REJECTED && s.getModelVersion() != null)
                .map(TrainerStatus::getModelVersion).collect(Collectors.toSet());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(what, WAIT, condition::getAsBoolean);
    }
}
