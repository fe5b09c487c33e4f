package dev.surprisal.bench;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Directories;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a restart costs against the size of the session state: the scorer fills its store with one
 * event per session, stops, and starts again, once on its local state (a clean restart) and once
 * on an empty state directory (what exactly-once leaves after a kill -9: the store is rebuilt from
 * its changelog). The figure is the time from starting the new instance to the first new events
 * being visible to a read-committed consumer.
 */
public final class RestoreBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROBES = 8;

    private final LanguageModel model;

    public RestoreBenchmark(LanguageModel model) {
        this.model = model;
    }

    public ObjectNode run(List<Integer> sessionCounts) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        out.put("model", model.version());
        ArrayNode rows = out.putArray("runs");
        Path work = Files.createTempDirectory("surprisal-restore-");
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(0)) {
            for (int sessions : sessionCounts) {
                rows.add(measure(broker, registry, work.resolve("s" + sessions), sessions));
            }
        } finally {
            Directories.deleteRecursively(work);
        }
        return out;
    }

    private ObjectNode measure(EmbeddedKafkaBroker broker, InMemorySchemaRegistry registry, Path stateDir,
                               int sessions) throws Exception {
        String name = "restore-" + sessions;
        Map<String, Object> settings = new HashMap<>(ScorerConfig.prefixedTopics(name));
        settings.putAll(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(), ScorerConfig.APPLICATION_ID, name,
                ScorerConfig.STATE_DIR, stateDir.toString()));
        ScorerConfig config = new ScorerConfig(settings);
        broker.createTopics(ScorerTopics.all(config, 4, (short) 1));
        ObjectNode row = JSON.createObjectNode().put("sessions", sessions);
        try (KafkaConsumer<String, ScoredEvent> consumer = consumer(registry, config)) {
            long t0 = System.nanoTime();
            try (ScorerService scorer = start(config, registry)) {
                ScoredPhase.run(broker, registry, config, consumer, events(name + "-fill-", sessions), 0);
            }
            row.put("fillSeconds", (System.nanoTime() - t0) / 1e9);
            row.put("stateBytes", size(stateDir));
            row.put("resumeWithLocalStateMs", resumeMillis(broker, registry, config, consumer, "kept"));
            Directories.deleteRecursively(stateDir);
            row.put("resumeAfterWipeMs", resumeMillis(broker, registry, config, consumer, "wiped"));
        }
        return row;
    }

    /** Starts a new instance and times it until probe events on new sessions are scored and visible. */
    private double resumeMillis(EmbeddedKafkaBroker broker, InMemorySchemaRegistry registry, ScorerConfig config,
                                KafkaConsumer<String, ScoredEvent> consumer, String label) throws Exception {
        long t0 = System.nanoTime();
        try (ScorerService scorer = start(config, registry)) {
            ScoredPhase.run(broker, registry, config, consumer, events(label + "-probe-", PROBES), 0);
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    private ScorerService start(ScorerConfig config, InMemorySchemaRegistry registry) {
        return ScorerService.start(config, ModelProvider.fixed(model), registry,
                new ScorerMetrics(new SimpleMeterRegistry()), Duration.ofMinutes(10));
    }

    /** One event per session. */
    private static List<TextEvent> events(String prefix, int sessions) {
        List<TextEvent> out = new ArrayList<>(sessions);
        for (int i = 0; i < sessions; i++) {
            out.add(new TextEvent(prefix + i, prefix + "s" + i, "GET /api/items/" + i + " 200", Instant.now(), false,
                    null));
        }
        return out;
    }

    private static KafkaConsumer<String, ScoredEvent> consumer(InMemorySchemaRegistry registry, ScorerConfig config) {
        return Clients.readCommittedAll(config.clientProperties(), config.outputTopic(), false,
                new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer());
    }

    private static long size(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
