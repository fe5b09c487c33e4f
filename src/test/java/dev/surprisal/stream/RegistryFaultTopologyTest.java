package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.testing.SameScores;
import dev.surprisal.testing.TinyModelExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.avro.Schema;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry that fails the scorer (refused credentials, a wrong base path, an outage) is never the
 * records' fault: they are held in order, nothing is dead-lettered, and they are scored, exactly as an
 * uninterrupted run scores them, once the registry serves again.
 */
@ExtendWith(TinyModelExtension.class)
@ParameterizedClass(name = "batch {0}")
@ValueSource(ints = {1, 16})
class RegistryFaultTopologyTest {

    @Parameter
    int batchMaxEvents;

    private final LanguageModel model;
    private final InMemorySchemaRegistry schemas = new InMemorySchemaRegistry();
    private final SwitchableRegistry registry = new SwitchableRegistry(schemas);
    private TopologyTestDriver driver;
    private ScorerConfig config;
    private ScorerMetrics metrics;

    @TempDir
    Path stateDir;

    RegistryFaultTopologyTest(LanguageModel shared) {
        this.model = shared;
    }

    /** The scorer's registry client: passes calls on, or fails them as a registry in trouble would. */
    static final class SwitchableRegistry implements SchemaRegistry {
        private final SchemaRegistry delegate;
        private volatile Fault failing;

        SwitchableRegistry(SchemaRegistry delegate) {
            this.delegate = delegate;
        }

        void fail(Fault fault) {
            failing = fault;
        }

        private void maybeFail() {
            if (failing != null) {
                throw new RegistryUnavailableException(failing, "the registry is failing: " + failing.label(), null);
            }
        }

        @Override
        public int register(String subject, Schema schema) {
            maybeFail();
            return delegate.register(subject, schema);
        }

        @Override
        public Schema byId(int id) {
            maybeFail();
            return delegate.byId(id);
        }

        @Override
        public RegisteredSchema latest(String subject) {
            maybeFail();
            return delegate.latest(subject);
        }

        @Override
        public boolean isCompatible(String subject, Schema schema) {
            maybeFail();
            return delegate.isCompatible(subject, schema);
        }

        @Override
        public List<String> subjects() {
            maybeFail();
            return delegate.subjects();
        }
    }

    /** A fresh scorer (nothing cached) keeping its stores in {@code dir}. */
    private void start(Path dir) {
        config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, dir.toString(),
                ScorerConfig.BATCH_MAX_EVENTS, batchMaxEvents, ScorerConfig.MAX_TEXT_BYTES, 100));
        metrics = new ScorerMetrics(new SimpleMeterRegistry());
        driver = new TopologyTestDriver(ScoringTopology.build(config, ModelProvider.fixed(model), registry, metrics),
                config.streamsProperties());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private List<TextEvent> events() {
        return List.of(new TextEvent("e1", "a", "the cat sat", Instant.ofEpochMilli(1), false, null),
                new TextEvent("e2", "b", "a dog ran", Instant.ofEpochMilli(2), false, null),
                new TextEvent("e3", "a", " on the mat", Instant.ofEpochMilli(3), false, null),
                new TextEvent("e4", "b", " far away", Instant.ofEpochMilli(4), false, null));
    }

    private List<ScoredEvent> run(List<TextEvent> in) {
        TestInputTopic<String, TextEvent> input = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                AvroSerdes.value(TextEvent.class, schemas).serializer());
        for (TextEvent e : in) {
            input.pipeInput(e.getSessionId(), e, e.getEventTime().toEpochMilli());
        }
        tick(Duration.ofMillis(100));
        return scores().readValuesToList();
    }

    private TestOutputTopic<String, ScoredEvent> scores() {
        return driver.createOutputTopic(config.outputTopic(), new StringDeserializer(),
                AvroSerdes.value(ScoredEvent.class, schemas).deserializer());
    }

    private void tick(Duration total) {
        for (long t = 0; t < total.toMillis(); t += config.batchMaxWait().toMillis()) {
            driver.advanceWallClockTime(config.batchMaxWait());
        }
    }

    @Test
    void recordsAreHeldInOrderWhileTheRegistryFailsAndScoredAsIfNothingHappened() {
        start(stateDir.resolve("reference"));
        List<ScoredEvent> reference = run(events());
        driver.close();
        start(stateDir.resolve("with-fault"));
        registry.fail(SchemaRegistry.Fault.CREDENTIALS_REFUSED);
        var dlq = driver.createOutputTopic(config.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());

        List<ScoredEvent> during = run(events());
        assertEquals(List.of(), during, "nothing is scored while the registry refuses the scorer");
        assertTrue(dlq.isEmpty(), "nothing is dead-lettered for the registry's fault");
        DependencyFaults faults = metrics.dependencies();
        assertEquals("credentials-refused", faults.current().orElseThrow().reason());
        assertEquals(4, faults.heldEvents());
        double attempts = metrics.registry().get("surprisal.dependency.faults").tag("reason", "credentials-refused")
                .counter().count();

        tick(Duration.ofSeconds(5));
        assertTrue(metrics.registry().get("surprisal.dependency.faults").counter().count() - attempts <= 3,
                "retries back off (1 s, 2 s, 4 s ...) instead of failing at every tick");

        registry.fail(SchemaRegistry.Fault.NOT_FOUND);
        tick(Duration.ofSeconds(10));
        assertEquals("not-found", faults.current().orElseThrow().reason(), "the reason follows the registry");
        registry.fail(null);
        tick(DependencyFaults.MAX_BACKOFF.plusSeconds(1));

        List<ScoredEvent> after = scores().readValuesToList();
        assertTrue(dlq.isEmpty());
        assertTrue(faults.current().isEmpty(), "the fault is over");
        assertEquals(0, faults.heldEvents());
        assertEquals(ids(reference), ids(after), "every event scored once, in arrival order");
        for (int i = 0; i < reference.size(); i++) {
            SameScores.assertSameTokens(reference.get(i).getTokens(), after.get(i).getTokens(),
                    "event " + i + " scored as without the fault");
            assertEquals(reference.get(i).getSessionTokenCount(), after.get(i).getSessionTokenCount());
        }
    }

    @Test
    void recordsArrivingWhileOthersAreHeldWaitBehindThem() {
        start(stateDir);
        registry.fail(SchemaRegistry.Fault.UNREACHABLE);
        List<TextEvent> all = events();
        run(all.subList(0, 2));
        registry.fail(null); // the reader of later records would now work, but they must not overtake
        TestInputTopic<String, TextEvent> input = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                AvroSerdes.value(TextEvent.class, schemas).serializer());
        for (TextEvent e : all.subList(2, 4)) {
            input.pipeInput(e.getSessionId(), e, e.getEventTime().toEpochMilli());
        }
        tick(Duration.ofSeconds(3));
        assertEquals(List.of("e1", "e2", "e3", "e4"), ids(scores().readValuesToList()));
    }

    private static List<String> ids(List<ScoredEvent> scored) {
        return scored.stream().map(ScoredEvent::getEventId).toList();
    }
}
