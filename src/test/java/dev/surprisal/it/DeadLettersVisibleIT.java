package dev.surprisal.it;

import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.input.InputSettings;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.node.ScorerNode;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scorer that refuses all its input says so where an operator looks, within seconds: unkeyed raw lines
 * with no session rule all go to the dead-letter topic, and readiness (still 200: the input is at fault),
 * the live page's feed and a metric say what share, why, and which setting finds the sessions.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class DeadLettersVisibleIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void allInputDeadLetteredShowsInReadinessThePageAndAMetric(EmbeddedKafkaBroker broker, LanguageModel model,
                                                               @TempDir Path state) throws Exception {
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(),
                IsolatedScorer.unique("dead-letters-it"));
        settings.put(ScorerConfig.STATE_DIR, state.toString());
        settings.put(ScorerConfig.HTTP_PORT, FreePorts.any());
        settings.put(ScorerConfig.ADVERTISED_HOST, "127.0.0.1");
        settings.put(ScorerConfig.OUTPUT_FORMAT, "json");
        settings.put(InputSettings.FORMAT, "text");
        ScorerConfig config = new ScorerConfig(settings);
        broker.createTopics(ScorerTopics.all(config, 2, (short) 1));
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ScorerNode node = ScorerNode.start(new ScorerNode.Wiring(config, null, model, false, m -> { }, h -> { },
                () -> { }, Duration.ofMinutes(2)), prometheus)) {
            Await.until("the scorer is ready", Duration.ofSeconds(60),
                    () -> get(node.port(), "/health/ready").statusCode() == 200);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
                Future<?> last = null;
                for (int i = 0; i < 200; i++) {
                    last = producer.send(new ProducerRecord<>(config.inputTopic(), null,
                            ("GET /items/" + i + " 200 12ms").getBytes(StandardCharsets.UTF_8)));
                }
                last.get();
            }
            long sent = System.nanoTime();
            JsonNode[] ready = new JsonNode[1];
            Await.until("readiness lists the dead letters", Duration.ofSeconds(10), () -> {
                HttpResponse<String> r = get(node.port(), "/health/ready");
                ready[0] = JSON.readTree(r.body());
                return r.statusCode() == 200 && ready[0].path("problems").toString().contains("dead-lettered");
            });
            String problem = ready[0].get("problems").get(0).asText();
            assertTrue(problem.matches("\\d+ of the last \\d+ input records were dead-lettered to "
                    + config.dlqTopic() + ": missing-key, e\\.g\\. .*"), problem);
            assertTrue(problem.contains(InputSettings.SESSION_REGEX) && problem.contains(InputSettings.WINDOW_MS),
                    "it names the settings that find a line's session: " + problem);
            assertEquals("dead-letters-missing-key", ready[0].get("reasons").get(0).asText());

            // the counts move on while the scorer reads the rest: the page says the same thing in the same words
            String page = JSON.readTree(get(node.port(), "/api/live").body()).get("problems").get(0).asText();
            assertTrue(page.matches("\\d+ of the last \\d+ input records were dead-lettered to "
                    + config.dlqTopic() + ": missing-key, e\\.g\\. .*"), "the page shows it: " + page);
            String metrics = get(node.port(), "/metrics").body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("surprisal_dead_letter_share ")
                    && Double.parseDouble(l.substring(l.indexOf(' ') + 1)) > 0.9), "all of the input, bar a record "
                    + "counted in the moment before its refusal");
            assertTrue(System.nanoTime() - sent < Duration.ofSeconds(10).toNanos());
        } finally {
            prometheus.close();
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
