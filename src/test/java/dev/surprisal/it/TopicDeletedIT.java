package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.it.FaultRuns.ScoreReader;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.ScorerProcess;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.surprisal.it.FaultRuns.WAIT;
import static dev.surprisal.it.FaultRuns.assertScoredOnce;
import static dev.surprisal.it.FaultRuns.traffic;

/**
 * The input topic deleted under a running scorer, then created again: readiness names the topic within seconds of
 * each change (one WARN line each), and the runbook it gives (stop, reset the offsets to the earliest, start)
 * scores every event published to the new topic, once, as an uninterrupted run would.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(TinyModelExtension.class)
class TopicDeletedIT {

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;

    TopicDeletedIT(LanguageModel shared) {
        this.model = shared;
    }

    @Test
    void aDeletedInputTopicIsNamedByReadinessAndTheRunbookScoresTheNewOne() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(FreePorts.any(), dir.resolve("kafka"));
             SchemaRegistryServer registryServer = SchemaRegistryServer.start(registry, "127.0.0.1", 0);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ModelArtifact.save(model, dir.resolve("model"));
            ScorerConfig config = new ScorerConfig(IsolatedScorer.settings(broker.bootstrapServers(), "deleted"));
            TopicSetup.ensure(admin, ScorerTopics.all(config, 2, (short) 1), true);
            List<TextEvent> events = traffic(31, 40, 10);
            List<TextEvent> before = events.subList(0, events.size() / 2);
            List<TextEvent> after = events.subList(events.size() / 2, events.size());
            int port = FreePorts.any();
            List<String> args = FaultRuns.scorerArguments(dir, config, "a", broker.bootstrapServers(), (short) 1,
                    registryServer.url(), Map.of(ScorerConfig.HTTP_PORT, Integer.toString(port)));
            Map<String, ScoredEvent> scored = new LinkedHashMap<>();
            int duplicates = 0;
            List<String> steps = new ArrayList<>();
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), before);
            try (ScoreReader reader = new ScoreReader(broker.bootstrapServers(), registry, config)) {
                try (ScorerProcess scorer = ScorerProcess.start(dir.resolve("scorer-1.log"), args)) {
                    duplicates += reader.readUntil(scored, n -> n >= before.size(), scorer);
                    long deleted = System.nanoTime();
                    admin.deleteTopics(List.of(config.inputTopic())).all().get();
                    awaitReadiness(port, "were deleted under the running scorer");
                    steps.add("deleted: readiness said so after " + (System.nanoTime() - deleted) / 1_000_000 + " ms");
                    long created = System.nanoTime();
                    TopicSetup.ensure(admin, ScorerTopics.all(config, 2, (short) 1), true);
                    TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), after);
                    awaitReadiness(port, "were deleted and created again");
                    steps.add("created again: readiness said so after " + (System.nanoTime() - created) / 1_000_000 + " ms");
                }
                resetToEarliest(admin, config);
                try (ScorerProcess scorer = ScorerProcess.start(dir.resolve("scorer-2.log"), args)) {
                    duplicates += reader.readUntil(scored, n -> n >= events.size(), scorer);
                }
            }
            assertScoredOnce("topic deleted", steps, model, events, scored, duplicates);
        }
    }

    /** The runbook's reset: once the stopped scorer's static member has left the group, its input offsets to 0. */
    private static void resetToEarliest(Admin admin, ScorerConfig config) throws InterruptedException {
        String group = config.getString(ScorerConfig.APPLICATION_ID);
        Map<TopicPartition, OffsetAndMetadata> earliest = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            earliest.put(new TopicPartition(config.inputTopic(), p), new OffsetAndMetadata(0));
        }
        Await.until("the group empty and its offsets reset", WAIT, () -> {
            admin.alterConsumerGroupOffsets(group, earliest).all().get();
            return true;
        });
    }

    private void awaitReadiness(int port, String says) throws InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Await.until("readiness saying \"" + says + "\"", Duration.ofSeconds(30),
                () -> http.send(ready, HttpResponse.BodyHandlers.ofString()).body().contains(says));
    }
}
