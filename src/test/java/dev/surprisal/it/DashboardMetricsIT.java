package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.drift.DriftSettings;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.node.ScorerNode;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric that the Grafana dashboard and the alert rules in {@code deploy/} query is one a
 * running scorer exports: a scorer on a real broker scores events (some flagged, some dead-lettered,
 * so that the tagged counters exist), and its {@code /metrics} is scraped and compared.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class DashboardMetricsIT {

    /** Prometheus adds {@code up} to every target itself. */
    private static final Set<String> FROM_PROMETHEUS = Set.of("up");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()");

    @Test
    void everyQueriedMetricIsExported(EmbeddedKafkaBroker broker, LanguageModel model, @TempDir Path state)
            throws Exception {
        String application = IsolatedScorer.unique("dashboard-it");
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(), application);
        settings.put(ScorerConfig.STATE_DIR, state.toString());
        settings.put(ScorerConfig.HTTP_PORT, FreePorts.any());
        settings.put(ScorerConfig.ADVERTISED_HOST, "127.0.0.1");
        settings.put(ScorerConfig.PERPLEXITY_THRESHOLD, 1.0001); // an untrained model: every event is flagged
        settings.put(ScorerConfig.MAX_TEXT_BYTES, 64);
        settings.put(DriftSettings.INTERVAL_MS, 200L); // the drift watch's gauges appear at its first look
        ScorerConfig config = new ScorerConfig(settings);
        broker.createTopics(ScorerTopics.all(config, 2, (short) 1));
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        List<TextEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            events.add(new TextEvent("e" + i, "s" + (i % 3), "GET /item/" + i, Instant.now(), false, null));
        }
        events.add(new TextEvent("too-long", "s0", "x".repeat(100), Instant.now(), false, null));

        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ScorerNode node = ScorerNode.start(new ScorerNode.Wiring(config, registry, model, false, m -> { },
                h -> { }, () -> { }, Duration.ofMinutes(2)), prometheus)) {
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events);
            assertEquals(10, TestClients.consume(broker.bootstrapServers(), config.outputTopic(),
                    new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer(), 10,
                    Duration.ofMinutes(1)).size());
            assertEquals(1, TestClients.consume(broker.bootstrapServers(), config.dlqTopic(),
                    new StringDeserializer(), new ByteArrayDeserializer(), 1, Duration.ofMinutes(1)).size());
            Set<String> exported = new TreeSet<>();
            Set<String> awaited = Set.of("surprisal_anomalies_total", "surprisal_dead_letters_total",
                    "surprisal_health_drifting");
            try {
                Await.until("the scorer exports the anomaly and dead-letter counters and the drift watch's gauges",
                        Duration.ofSeconds(30), () -> {
                            exported.clear();
                            exported.addAll(scrape(node.port()));
                            return exported.containsAll(awaited);
                        });
            } catch (AssertionError e) {
                Set<String> missing = new TreeSet<>(awaited);
                missing.removeAll(exported);
                throw new AssertionError(e.getMessage() + "; missing " + missing + " from " + exported, e);
            }

            Map<String, Set<String>> queried = new TreeMap<>();
            JsonNode dashboard = new ObjectMapper().readTree(Path.of("deploy/grafana/dashboards/surprisal.json").toFile());
            for (JsonNode panel : dashboard.get("panels")) {
                for (JsonNode target : panel.get("targets")) {
                    queried.put("panel '" + panel.get("title").asText() + "' " + target.get("refId").asText(),
                            metricNames(target.get("expr").asText()));
                }
            }
            JsonNode rules = new YAMLMapper().readTree(Path.of("deploy/prometheus/alerts.yml").toFile());
            for (JsonNode group : rules.get("groups")) {
                for (JsonNode rule : group.get("rules")) {
                    queried.put("alert " + rule.get("alert").asText(), metricNames(rule.get("expr").asText()));
                }
            }
            assertTrue(queried.size() > 20, "panels and alerts read: " + queried.keySet());
            queried.forEach((where, names) -> {
                assertTrue(!names.isEmpty(), where + " queries no metric");
                for (String name : names) {
                    assertTrue(exported.contains(name) || FROM_PROMETHEUS.contains(name),
                            where + " queries " + name + ", which the scorer does not export");
                }
            });
        } finally {
            prometheus.close();
        }
    }

    @Test
    void readsTheMetricNamesOutOfPromQL() {
        assertEquals(Set.of("a_total", "b_seconds_sum", "up"), metricNames("sum by (rule) (rate(a_total{x=~\"y|z\", "
                + "instance=~\"$instance\"}[$__rate_interval])) / scalar(max(b_seconds_sum offset 5m)) > 0.5 * 1e3 "
                + "and on (instance) up == 0 or vector(0)"));
    }

    /** The metric names a PromQL expression selects (label matchers, groupings, ranges and functions removed). */
    static Set<String> metricNames(String promql) {
        String s = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^\\]]*]", " ")
                .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(s);
        while (m.find()) {
            boolean partOfNumber = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!partOfNumber && !KEYWORDS.contains(m.group().toLowerCase())) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static Set<String> scrape(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Set<String> names = new TreeSet<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
