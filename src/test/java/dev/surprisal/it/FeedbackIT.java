package dev.surprisal.it;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.evaluate.ReplayInputs;
import dev.surprisal.evaluate.ReplaySession;
import dev.surprisal.feedback.FeedbackLabels;
import dev.surprisal.feedback.FeedbackLog;
import dev.surprisal.kafka.TopicRange;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.model.OpenSession;
import dev.surprisal.ops.OpsServer;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.retraining.TopicCorpus;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Feedback from an operator, end to end on a real broker: POSTed to the scorer's endpoint, kept on
 * the feedback topic, and then what training reads (a flagged event marked normal is kept, an event
 * marked anomalous is left out) and what evaluation takes as labels.
 */
@Tag("integration")
@Timeout(120)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class FeedbackIT {

    @Test
    void feedbackDecidesWhatTrainingKeepsAndWhatEvaluationCallsAnomalous(EmbeddedKafkaBroker broker,
                                                                         LanguageModel model) throws Exception {
        String name = IsolatedScorer.unique("feedback-it");
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(), name);
        settings.put(ReleaseTopics.FEEDBACK_TOPIC, name + ".feedback");
        settings.put(ScorerConfig.HTTP_PORT, 0);
        settings.put(ScorerConfig.HTTP_BIND_ADDRESS, "127.0.0.1");
        ScorerConfig config = new ScorerConfig(settings);
        List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(config.inputTopic(), 1, (short) 1),
                new NewTopic(config.anomaliesTopic(), 1, (short) 1)));
        topics.addAll(config.releaseTopics().all((short) 1));
        broker.createTopics(topics);
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), List.of(
                event("e1", "s1", "DROP TABLE users"), event("e2", "s1", "login via the new SSO flow"),
                event("e3", "s2", "segfault in worker 7"),
                new TextEvent("e4", "s2", "GET /health 200", Instant.now(), true, null)));
        flag(config, registry, "e2", "s1");
        flag(config, registry, "e3", "s2");

        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (OpsServer ops = OpsServer.start(config, ModelProvider.fixed(model), prometheus, registry)) {
            assertEquals(202, post(ops.port(), "{\"eventId\":\"e2\",\"sessionId\":\"s1\",\"verdict\":\"normal\","
                    + "\"by\":\"alice\",\"reason\":\"the new SSO flow is fine\"}").statusCode());
            assertEquals(202, post(ops.port(), "{\"eventId\":\"e1\",\"verdict\":\"anomalous\",\"by\":\"alice\"}")
                    .statusCode());
            assertEquals(400, post(ops.port(), "{\"eventId\":\"e9\",\"verdict\":\"maybe\",\"by\":\"x\"}").statusCode());
            assertEquals(400, post(ops.port(), "{\"verdict\":\"normal\",\"by\":\"x\"}").statusCode());
            assertEquals(400, post(ops.port(), "not json").statusCode());
        } finally {
            prometheus.close();
        }

        Map<String, Object> clients = config.clientProperties();
        FeedbackLabels labels = FeedbackLog.read(clients, registry, config.releaseTopics().feedback());
        assertEquals(2, labels.size());
        TrainCommand command = TrainCommand.newBuilder().setCommandId("c1").setTopic(config.inputTopic())
                .setExcludeFlagged(true).build();
        TopicCorpus.Read read = TopicCorpus.read(clients, registry, command, config.anomaliesTopic(), labels,
                Long.MAX_VALUE);
        List<String> kept = read.corpus().sessions().stream().flatMap(List::stream).toList();
        assertEquals(List.of("GET /health 200", "login via the new SSO flow"), kept,
                "flagged but marked normal: kept; marked anomalous: out; flagged: out (sessions that ended first)");
        assertTrue(OpenSession.ends(read.corpus().sessions().get(0)), "s2 ended on its end mark");
        assertFalse(OpenSession.ends(read.corpus().sessions().get(1)), "s1 was still going when the range stopped");
        assertEquals(1, read.keptByFeedback());
        assertEquals(1, read.leftOutByFeedback());
        assertEquals(1, read.leftOutFlagged());

        List<ReplaySession> sessions = ReplayInputs.records(
                TopicRange.of(config.inputTopic(), null, null).read(clients), registry, labels);
        Map<String, Boolean> byId = new HashMap<>();
        sessions.forEach(s -> byId.put(s.id(), s.label()));
        assertTrue(byId.get("s1"), "a session with an event marked anomalous is anomalous");
        assertNull(byId.get("s2"), "no feedback and no label: unknown");
        assertFalse(ReplayInputs.records(TopicRange.of(config.inputTopic(), null, null).read(clients), registry,
                FeedbackLabels.NONE).stream().anyMatch(s -> Boolean.TRUE.equals(s.label())));
    }

    private static TextEvent event(String id, String session, String text) {
        return new TextEvent(id, session, text, Instant.now(), false, null);
    }

    /** What the scorer writes for a flagged event: only its id matters to training. */
    private static void flag(ScorerConfig config, InMemorySchemaRegistry registry, String eventId, String session)
            throws Exception {
        ScoredEvent scored = ScoredEvent.newBuilder().setEventId(eventId).setSessionId(session).setModelVersion("v")
                .setEventTime(Instant.now()).setText("").setTokens(List.of()).setNextTokenPredictions(List.of())
                .setEventPerplexity(100).setMeanSurprisalBits(6).setMaxSurprisalBits(9).setSessionPerplexity(100)
                .setSessionTokenCount(1).setAnomalous(true).setAnomalyScore(5).setAnomalyRule(AnomalyRule.PERPLEXITY)
                .setPerplexityThreshold(2).setTopG(0).build();
        try (KafkaProducer<String, ScoredEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(ScorerConfig.BOOTSTRAP_SERVERS)),
                new StringSerializer(), AvroSerdes.value(ScoredEvent.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(config.anomaliesTopic(), session, scored)).get();
        }
    }

    private static HttpResponse<String> post(int port, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/feedback")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
