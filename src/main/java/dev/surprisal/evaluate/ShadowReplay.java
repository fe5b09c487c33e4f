package dev.surprisal.evaluate;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Directories;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Replays a topic range through a second instance of the real topology, under its own application
 * id and topics, for a model the live scorer does not run: the range is copied (same keys,
 * partitions and timestamps) to the shadow's input topic, scored, and its output checked against
 * the offline replay. The shadow topics stay for inspection.
 */
public final class ShadowReplay {

    private static final Duration WAIT = Duration.ofMinutes(5);

    private ShadowReplay() {
    }

    /** @param range the records the offline replay scored, copied as they are */
    public static ObjectNode run(ScorerConfig base, Map<String, Object> clientProps, SchemaRegistry registry,
                                 LanguageModel model, List<ConsumerRecord<String, byte[]>> range,
                                 List<Replayer.SessionResult> offline) throws Exception {
        String app = "surprisal-shadow-" + model.version() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path stateDir = Files.createTempDirectory("surprisal-shadow-");
        Map<String, Object> settings = new HashMap<>(base.originals());
        settings.putAll(clientProps);
        settings.put(ScorerConfig.APPLICATION_ID, app);
        settings.put(ScorerConfig.STATE_DIR, stateDir.toString());
        settings.put(ScorerConfig.HTTP_PORT, 0);
        settings.putAll(ScorerConfig.prefixedTopics(app));
        ScorerConfig config = new ScorerConfig(settings);
        int partitions = range.stream().mapToInt(ConsumerRecord::partition).max().orElse(0) + 1;
        try (Admin admin = Admin.create(clientProps)) {
            TopicSetup.ensure(admin, ScorerTopics.all(config, partitions, (short) -1), true);
        }
        copy(clientProps, range, config.inputTopic());
        Map<String, Double> expected = new HashMap<>();
        offline.forEach(s -> s.events().forEach(e -> expected.put(e.eventId(), e.totalBits() / e.tokens())));
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("applicationId", app).put("inputTopic", config.inputTopic()).put("outputTopic", config.outputTopic())
                .put("copied", range.size());
        try (ScorerService shadow = ScorerService.start(config, ModelProvider.fixed(model), registry, WAIT)) {
            Map<String, Double> scored = consume(clientProps, registry, config.outputTopic(), expected.size());
            double maxDifference = 0;
            long missing = 0;
            for (Map.Entry<String, Double> e : expected.entrySet()) {
                Double shadowBits = scored.get(e.getKey());
                if (shadowBits == null) {
                    missing++;
                } else {
                    maxDifference = Math.max(maxDifference, Math.abs(shadowBits - e.getValue()));
                }
            }
            out.put("scored", scored.size()).put("offlineEvents", expected.size()).put("missingFromShadow", missing)
                    .put("maxMeanSurprisalDifferenceBits", maxDifference);
        } finally {
            Directories.deleteRecursively(stateDir);
        }
        return out;
    }

    private static void copy(Map<String, Object> clientProps, List<ConsumerRecord<String, byte[]>> range, String target)
            throws Exception {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (ConsumerRecord<String, byte[]> r : range) {
                producer.send(new ProducerRecord<>(target, r.partition(), r.timestamp(), r.key(), r.value(), r.headers()));
            }
            producer.flush();
        }
    }

    private static Map<String, Double> consume(Map<String, Object> clientProps, SchemaRegistry registry, String topic,
                                               int expected) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "surprisal-shadow-check-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Double> out = new HashMap<>();
        try (KafkaConsumer<String, ScoredEvent> consumer = Clients.readCommitted(props, new StringDeserializer(),
                AvroSerdes.value(ScoredEvent.class, registry).deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.put(r.value().getEventId(),
                        r.value().getMeanSurprisalBits()));
            }
        }
        return out;
    }
}
