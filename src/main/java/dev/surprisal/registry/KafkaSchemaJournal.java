package dev.surprisal.registry;

import dev.surprisal.kafka.LogReader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Keeps registrations in a compacted single-partition topic, one record per subject version, so a
 * registry started again on the same cluster hands out the same ids.
 */
public final class KafkaSchemaJournal implements Consumer<SchemaRegistry.RegisteredSchema>, AutoCloseable {

    public static final String DEFAULT_TOPIC = "_surprisal_schemas";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final KafkaProducer<String, String> producer;
    private InMemorySchemaRegistry registry;

    private KafkaSchemaJournal(String topic, KafkaProducer<String, String> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    /** Creates the topic if needed, replays it into a new registry, and journals that registry's new schemas. */
    public static KafkaSchemaJournal open(Map<String, Object> clientProps, String topic) {
        createTopic(clientProps, topic);
        Map<String, Object> producerProps = new HashMap<>(clientProps);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        KafkaSchemaJournal journal = new KafkaSchemaJournal(topic,
                new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer()));
        journal.registry = new InMemorySchemaRegistry(journal);
        try {
            journal.replay(clientProps, journal.registry);
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
        return journal;
    }

    /** The registry whose registrations this journal keeps. */
    public InMemorySchemaRegistry registry() {
        return registry;
    }

    @Override
    public void accept(SchemaRegistry.RegisteredSchema r) {
        ObjectNode value = JSON.createObjectNode()
                .put("subject", r.subject()).put("version", r.version()).put("id", r.id())
                .put("schema", r.schema().toString());
        try {
            producer.send(new ProducerRecord<>(topic, r.subject() + "/" + r.version(), JSON.writeValueAsString(value)))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistry.RegistryUnavailableException(SchemaRegistry.Fault.UNREACHABLE, "interrupted while storing the schema", e);
        } catch (ExecutionException | IOException e) {
            throw new SchemaRegistry.RegistryUnavailableException(SchemaRegistry.Fault.SERVER_ERROR, "cannot store the schema in " + topic, e);
        }
    }

    private void replay(Map<String, Object> clientProps, InMemorySchemaRegistry registry) {
        LogReader.readToEnd(clientProps, Map.of(), topic, new StringDeserializer(), new StringDeserializer(), TIMEOUT,
                record -> {
                    if (record.value() != null) {
                        registry.apply(parse(record.value()));
                    }
                });
    }

    private static SchemaRegistry.RegisteredSchema parse(String value) {
        try {
            JsonNode node = JSON.readTree(value);
            return new SchemaRegistry.RegisteredSchema(node.get("subject").asText(), node.get("version").asInt(),
                    node.get("id").asInt(), new Schema.Parser().parse(node.get("schema").asText()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createTopic(Map<String, Object> clientProps, String topic) {
        try (Admin admin = Admin.create(clientProps)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create the schema topic " + topic, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
