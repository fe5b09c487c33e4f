package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.ops.OpsServer;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(240)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class TwoScorersIT {

    /** Both instances are one application; the name is this run's own. */
    private static final String APPLICATION = IsolatedScorer.unique("two-scorers-it");

    private static final int SESSIONS = 12;

    @Test
    void twoInstancesShareThePartitionsAndAnswerQueriesForEachOthersSessions(
            EmbeddedKafkaBroker broker, LanguageModel model, @TempDir Path one, @TempDir Path two) throws Exception {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        ScorerConfig first = config(broker, one);
        ScorerConfig second = config(broker, two);
        broker.createTopics(ScorerTopics.all(first, 4, (short) 1));
        ModelProvider models = ModelProvider.fixed(model);
        try (Instance a = new Instance(first, models, registry); Instance b = new Instance(second, models, registry)) {
            awaitBothRunningWithPartitions(a, b);
            List<TextEvent> events = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                events.add(new TextEvent("e" + i, "s" + (i % SESSIONS), "event " + i, Instant.now(), false, null));
            }
            scoredOnceEach(broker, first, registry, events);

            Set<String> servers = new HashSet<>();
            for (int s = 0; s < SESSIONS; s++) {
                JsonNode fromA = query(a.ops.port(), "s" + s);
                JsonNode fromB = query(b.ops.port(), "s" + s);
                assertEquals(10, fromA.get("events").asInt());
                assertEquals(fromA, fromB, "either instance gives the owner's answer");
                servers.add(fromA.get("servedBy").asText());
            }
            assertEquals(2, servers.size(), "sessions are spread over both instances: " + servers);
        }
    }

    /**
     * Lines of new templates reach both instances at once (their sessions spread over the partitions of
     * both), so each meets every template first in its own miner: the judge, one task per template, still
     * alerts each template exactly once, and every line is scored once.
     */
    @Test
    void twoInstancesThatMeetNewTemplatesAtOnceAlertEachOnce(@TempDir Path one, @TempDir Path two,
                                                           EmbeddedKafkaBroker broker) throws Exception {
        String application = IsolatedScorer.unique("two-scorers-templates-it");
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        ScorerConfig first = config(broker, one, application);
        ScorerConfig second = config(broker, two, application);
        broker.createTopics(ScorerTopics.all(first, 4, (short) 1));
        String header = "081109 203615 148 INFO dfs.DataNode: ";
        List<String> training = List.of(header + "PacketResponder 1 for block blk_1 terminating",
                header + "Received block blk_1 of size 67108864 from /10.0.0.1");
        List<String> fresh = List.of("Exception in receiveBlock for block blk_%d java.io.IOException: reset",
                "Verification succeeded for blk_%d", "Deleting block blk_%d file /data/%d",
                "writeBlock blk_%d received exception java.net.SocketTimeoutException: %d millis timeout",
                "Unexpected error trying to delete block blk_%d BlockInfo not found in volumeMap %d");
        try (LanguageModel templates = dev.surprisal.testing.TestModels.tinyTemplateModel(training)) {
            ModelProvider models = ModelProvider.fixed(templates);
            try (Instance a = new Instance(first, models, registry); Instance b = new Instance(second, models, registry)) {
                awaitBothRunningWithPartitions(a, b);
                List<TextEvent> events = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (int t = 0; t < fresh.size(); t++) {
                        for (int s = 0; s < SESSIONS; s++) {
                            int n = events.size();
                            events.add(new TextEvent("e" + n, "s" + s, header + fresh.get(t).formatted(n, n),
                                    Instant.now(), false, null));
                        }
                    }
                }
                List<ConsumerRecord<String, ScoredEvent>> scored = scoredOnceEach(broker, first, registry, events);
                Map<String, Long> alerts = scored.stream().map(ConsumerRecord::value).filter(ScoredEvent::getAnomalous)
                        .collect(Collectors.groupingBy(e -> String.valueOf(e.getTemplateId()), Collectors.counting()));
                Set<String> learned = scored.stream().map(r -> r.value().getTemplateId())
                        .filter(id -> id != null && id.startsWith("t")).collect(Collectors.toSet());
                assertEquals(fresh.size(), learned.size(), "one learned template per new message: " + learned);
                assertEquals(learned, alerts.keySet(), "each alerted: " + alerts);
                assertEquals(Set.of(1L), Set.copyOf(alerts.values()), "and once: " + alerts);
            }
        }
    }

    /** Publishes the events and reads their scores: every one scored, none twice. */
    private static List<ConsumerRecord<String, ScoredEvent>> scoredOnceEach(EmbeddedKafkaBroker broker, ScorerConfig config,
                                                                           InMemorySchemaRegistry registry,
                                                                           List<TextEvent> events) throws Exception {
        TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events);
        List<ConsumerRecord<String, ScoredEvent>> scored = TestClients.consume(broker.bootstrapServers(),
                config.outputTopic(), new StringDeserializer(),
                AvroSerdes.value(ScoredEvent.class, registry).deserializer(), events.size(), Duration.ofMinutes(1));
        Map<String, Long> counts = scored.stream()
                .collect(Collectors.groupingBy(r -> r.value().getEventId(), Collectors.counting()));
        assertEquals(events.size(), counts.size(), "every event scored");
        assertEquals(Set.of(1L), Set.copyOf(counts.values()), "none scored twice");
        return scored;
    }

    private static ScorerConfig config(EmbeddedKafkaBroker broker, Path stateDir) throws Exception {
        return config(broker, stateDir, APPLICATION);
    }

    private static ScorerConfig config(EmbeddedKafkaBroker broker, Path stateDir, String application) throws Exception {
        int port = FreePorts.any();
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(), application);
        settings.put(ScorerConfig.STATE_DIR, stateDir.toString());
        settings.put(ScorerConfig.HTTP_PORT, port);
        settings.put(ScorerConfig.ADVERTISED_HOST, "127.0.0.1");
        return new ScorerConfig(settings);
    }

    private static void awaitBothRunningWithPartitions(Instance a, Instance b) throws InterruptedException {
        Await.until("both instances run with partitions", Duration.ofSeconds(90),
                () -> a.scorer.streams().state() == KafkaStreams.State.RUNNING
                        && b.scorer.streams().state() == KafkaStreams.State.RUNNING
                        && a.scorer.hasActiveTasks() && b.scorer.hasActiveTasks());
    }

    private static JsonNode query(int port, String session) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/sessions/" + session)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode node = new ObjectMapper().readTree(r.body());
        assertTrue(node.get("nextTokenPredictions").size() > 0);
        return node;
    }

    /** One scorer process: ops server first (its port is the advertised address), then the streams. */
    private static final class Instance implements AutoCloseable {
        private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        private final OpsServer ops;
        private final ScorerService scorer;

        Instance(ScorerConfig config, ModelProvider models, InMemorySchemaRegistry registry) throws Exception {
            ops = OpsServer.start(config, models, prometheus, registry);
            scorer = ScorerService.start(config, models, registry, new ScorerMetrics(prometheus), Duration.ofMinutes(2));
            ops.attach(scorer);
        }

        @Override
        public void close() {
            scorer.close();
            ops.close();
            prometheus.close();
        }
    }
}
