package dev.surprisal.it.platform;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.RestSchemaRegistry;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What must hold on any Kafka + schema registry: here against the embedded stack, and against
 * containers where Docker runs. Names are unique per test so runs never see each other's data.
 */
@Tag("integration")
@Timeout(240)
@ExtendWith(TinyModelExtension.class)
public abstract class ScoringPlatformContract {

    protected abstract Platform platform();

    @Test
    void registryClientRegistersFetchesAndRefusesIncompatibleSchemas() {
        String subject = "contract-" + UUID.randomUUID() + "-value";
        Schema v1 = SchemaBuilder.record("Contract").fields().requiredString("a").endRecord();
        Schema v2 = SchemaBuilder.record("Contract").fields().requiredString("a").optionalLong("b").endRecord();
        Schema bad = SchemaBuilder.record("Contract").fields().requiredString("a").requiredLong("c").endRecord();
        RestSchemaRegistry client = new RestSchemaRegistry(platform().registryUrl(), Map.of());

        int id1 = client.register(subject, v1);
        int id2 = client.register(subject, v2);
        RestSchemaRegistry fresh = new RestSchemaRegistry(platform().registryUrl(), Map.of());
        assertEquals(v1, fresh.byId(id1));
        assertEquals(id2, fresh.latest(subject).id());
        assertTrue(fresh.subjects().contains(subject));
        assertFalse(fresh.isCompatible(subject, bad));
        assertThrows(SchemaRegistry.IncompatibleSchemaException.class, () -> fresh.register(subject, bad));
    }

    @Test
    void eventsAreScoredExactlyOnceWithSchemasFromTheRegistry(LanguageModel model, TestInfo test,
                                                               @TempDir Path stateDir) throws Exception {
        String prefix = test.getTestMethod().orElseThrow().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> settings = new HashMap<>(ScorerConfig.prefixedTopics(prefix));
        settings.put(ScorerConfig.BOOTSTRAP_SERVERS, platform().bootstrapServers());
        settings.put(ScorerConfig.SCHEMA_REGISTRY_URL, platform().registryUrl());
        settings.put(ScorerConfig.APPLICATION_ID, prefix);
        settings.put(ScorerConfig.STATE_DIR, stateDir.toString());
        ScorerConfig config = new ScorerConfig(settings);
        platform().createTopics(ScorerTopics.all(config, 4, (short) 1));
        SchemaRegistry registry = RestSchemaRegistry.fromProperties(config.clientProperties());

        List<TextEvent> events = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            events.add(new TextEvent("e" + i, "s" + (i % 7), "line " + i + " of the contract", Instant.now(), false, null));
        }
        try (ScorerService scorer = ScorerService.start(config, ModelProvider.fixed(model), registry, Duration.ofMinutes(2))) {
            TestClients.produce(platform().bootstrapServers(), registry, config.inputTopic(), events);
            List<ConsumerRecord<String, ScoredEvent>> scored = TestClients.consume(platform().bootstrapServers(),
                    config.outputTopic(), new StringDeserializer(),
                    AvroSerdes.value(ScoredEvent.class, new RestSchemaRegistry(platform().registryUrl(), Map.of()))
                            .deserializer(), events.size(), Duration.ofMinutes(1));
            assertEquals(events.size(), scored.size());
            assertEquals(events.size(), Set.copyOf(scored.stream().map(r -> r.value().getEventId()).toList()).size());
            assertTrue(registry.subjects().contains(AvroSerdes.valueSubject(config.outputTopic())));
        }
    }
}
