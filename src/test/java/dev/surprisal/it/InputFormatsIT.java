package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.input.InputSettings;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.stream.DeadLetter;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each input format on a real broker, with no schema registry and JSON output: sessions that are not
 * the record key are re-keyed through the repartition topic; a scorer stopped halfway and started
 * again on an empty state directory (so its sessions come back from the changelog) scores every
 * event exactly once, in its session's order, with the same scores as one uninterrupted run; and
 * the format's bad input lands in the dead-letter topic with its code.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith({EmbeddedClusterExtension.class, TinyModelExtension.class})
class InputFormatsIT {

    private static final List<String> SESSIONS = List.of("alice", "bob", "carol");
    private static final int PER_SESSION = 6;

    @ParameterizedTest
    @ValueSource(strings = {"text", "json", "otlp-proto", "otlp-json"})
    void everyEventIsScoredOnceInOrderAcrossARestart(String format, EmbeddedKafkaBroker broker, LanguageModel model,
                                                     @TempDir Path state) throws Exception {
        String name = IsolatedScorer.unique("formats-" + format);
        Map<String, Object> settings = settings(broker, name, format, state.resolve("a"));
        ScorerConfig config = new ScorerConfig(settings);
        broker.createTopics(ScorerTopics.all(config, 2, (short) 1));

        List<byte[]> firstHalf = new ArrayList<>();
        List<byte[]> secondHalf = new ArrayList<>();
        for (int i = 0; i < PER_SESSION; i++) {
            (i < PER_SESSION / 2 ? firstHalf : secondHalf).addAll(records(format, i));
        }
        String bad = switch (format) {
            case "text" -> "a line that names nobody";
            case "json" -> "{\"message\": \"no user field\"}";
            default -> "not otlp";
        };
        publish(broker, config.inputTopic(), firstHalf);
        publish(broker, config.inputTopic(), List.of(bad.getBytes(StandardCharsets.UTF_8)));
        int half = SESSIONS.size() * PER_SESSION / 2;
        try (ScorerService scorer = start(config, model)) {
            assertEquals(half, scores(broker, config.outputTopic(), half, Duration.ofSeconds(60)).size());
        }
        publish(broker, config.inputTopic(), secondHalf);
        settings.put(ScorerConfig.STATE_DIR, state.resolve("b").toString()); // sessions restored from the changelog
        ScorerConfig restarted = new ScorerConfig(settings);
        int all = SESSIONS.size() * PER_SESSION;
        List<ScoredEvent> scored;
        try (ScorerService scorer = start(restarted, model)) {
            assertEquals(all, scores(broker, config.outputTopic(), all, Duration.ofSeconds(60)).size());
        }
        // the scorer has stopped, its last transaction committed: a duplicate would be on the topic now
        scored = scores(broker, config.outputTopic(), all + 1, Duration.ofSeconds(3));
        assertEquals(all, scored.size(), "every event exactly once");
        assertEquals(all, scored.stream().map(ScoredEvent::getEventId).distinct().count());

        Map<String, List<ScoredEvent>> bySession = scored.stream()
                .collect(Collectors.groupingBy(ScoredEvent::getSessionId, LinkedHashMap::new, Collectors.toList()));
        assertEquals(SESSIONS.stream().sorted().toList(), bySession.keySet().stream().sorted().toList());
        bySession.forEach((session, events) -> {
            for (int i = 0; i < events.size(); i++) {
                assertEquals(text(session, i), events.get(i).getText(), session + "'s events in order");
                if (i > 0) {
                    assertTrue(events.get(i).getSessionTokenCount() > events.get(i - 1).getSessionTokenCount(),
                            session + " continues its session across the restart");
                }
            }
        });

        List<ConsumerRecord<byte[], byte[]>> dead = TestClients.consume(broker.bootstrapServers(), config.dlqTopic(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer(), 1, Duration.ofSeconds(30));
        assertEquals(1, dead.size());
        assertEquals(format.startsWith("otlp") ? "otlp-decode" : "missing-session",
                new String(dead.get(0).headers().lastHeader(DeadLetter.HEADER_CODE).value(), StandardCharsets.UTF_8));

        // the same input through one uninterrupted scorer of its own gives the same scores
        String other = IsolatedScorer.unique("formats-once-" + format);
        Map<String, Object> once = settings(broker, other, format, state.resolve("c"));
        once.put(ScorerConfig.INPUT_TOPIC, config.inputTopic());
        ScorerConfig onceConfig = new ScorerConfig(once);
        broker.createTopics(ScorerTopics.all(onceConfig, 2, (short) 1).stream()
                .filter(t -> !t.name().equals(config.inputTopic())).toList());
        Map<String, Double> uninterrupted;
        try (ScorerService scorer = start(onceConfig, model)) {
            uninterrupted = scores(broker, onceConfig.outputTopic(), all, Duration.ofSeconds(60)).stream()
                    .collect(Collectors.toMap(ScoredEvent::getEventId, ScoredEvent::getEventPerplexity));
        }
        for (ScoredEvent e : scored) {
            assertEquals(uninterrupted.get(e.getEventId()), e.getEventPerplexity(), 1e-6 * e.getEventPerplexity(),
                    "event " + e.getEventId() + " scored as in an uninterrupted run");
        }
    }

    private static Map<String, Object> settings(EmbeddedKafkaBroker broker, String name, String format, Path state) {
        Map<String, Object> settings = new HashMap<>(IsolatedScorer.settings(broker.bootstrapServers(), name));
        settings.put(ScorerConfig.STATE_DIR, state.toString());
        settings.put(ScorerConfig.HTTP_PORT, 0);
        settings.put(ScorerConfig.OUTPUT_FORMAT, "json");
        settings.put(InputSettings.FORMAT, format);
        switch (format) {
            case "text" -> settings.put(InputSettings.SESSION_REGEX, "user=(\\w+)");
            case "json" -> settings.put(InputSettings.SESSION_FIELD, "user.name");
            default -> settings.put(InputSettings.SESSION_FIELD, "enduser.id");
        }
        return settings;
    }

    private static ScorerService start(ScorerConfig config, LanguageModel model) throws Exception {
        return ScorerService.start(config, ModelProvider.fixed(model), null, Duration.ofMinutes(2));
    }

    private static String text(String session, int i) {
        return "user=" + session + " step " + i + (i % 2 == 0 ? " GET /cart" : " POST /pay");
    }

    /** The {@code i}-th event of every session, as {@code format} writes it (OTLP: one batch holds all three). */
    private static List<byte[]> records(String format, int i) throws Exception {
        List<byte[]> out = new ArrayList<>();
        if (format.startsWith("otlp")) {
            ScopeLogs.Builder logs = ScopeLogs.newBuilder();
            for (String s : SESSIONS) {
                logs.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(text(s, i)))
                        .addAttributes(KeyValue.newBuilder().setKey("enduser.id")
                                .setValue(AnyValue.newBuilder().setStringValue(s))));
            }
            LogsData data = LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                    .setResource(Resource.newBuilder()).addScopeLogs(logs)).build();
            out.add(format.equals("otlp-proto") ? data.toByteArray()
                    : JsonFormat.printer().print(data).getBytes(StandardCharsets.UTF_8));
            return out;
        }
        for (String s : SESSIONS) {
            String value = format.equals("text") ? text(s, i)
                    : "{\"message\":\"" + text(s, i) + "\",\"user\":{\"name\":\"" + s + "\"}}";
            out.add(value.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Into partition 0 without keys: the order the sessions' events arrive in is the order produced. */
    private static void publish(EmbeddedKafkaBroker broker, String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : values) {
                producer.send(new ProducerRecord<>(topic, 0, null, v)).get();
            }
        }
    }

    private static List<ScoredEvent> scores(EmbeddedKafkaBroker broker, String topic, int count, Duration timeout) {
        return TestClients.consume(broker.bootstrapServers(), topic, new StringDeserializer(),
                        new ByteArrayDeserializer(), count, timeout).stream()
                .map(r -> JsonRecords.read(r.value(), ScoredEvent.class)).toList();
    }
}
