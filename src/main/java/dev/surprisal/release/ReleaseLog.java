package dev.surprisal.release;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.LogReader;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** One read of {@code model-releases} to its end: the latest record of every version. */
public final class ReleaseLog {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseLog.class);

    private ReleaseLog() {
    }

    public static Map<String, ModelRelease> read(Map<String, Object> clientProps, SchemaRegistry registry,
                                                 ReleaseTopics topics) {
        Map<String, ModelRelease> latest = new LinkedHashMap<>();
        Deserializer<ModelRelease> releases = AvroSerdes.value(ModelRelease.class, registry).deserializer();
        LogReader.readToEnd(clientProps, Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES,
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES), topics.releases(),
                new StringDeserializer(), new ByteArrayDeserializer(), TIMEOUT, r -> {
                    latest.remove(r.key());
                    if (r.value() != null) {
                        try {
                            latest.put(r.key(), releases.deserialize(r.topic(), r.value()));
                        } catch (SerializationException e) {
                            LOG.warn("skipping unreadable release {} at offset {}: {}", r.key(), r.offset(),
                                    e.getMessage());
                        }
                    }
                });
        return latest;
    }

    /** Writes a release (a new one, or a new standing of one) and waits for the broker. */
    public static void publish(Map<String, Object> clientProps, SchemaRegistry registry, ReleaseTopics topics,
                               ModelRelease release) throws InterruptedException {
        Map<String, Object> props = Clients.durableProducer(clientProps);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
        try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.value(ModelRelease.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(topics.releases(), release.getVersion(), release)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot publish release " + release.getVersion() + ": " + e.getCause(),
                    e.getCause());
        }
    }

    /** The release scorers use: the most recently promoted one. */
    public static Optional<ModelRelease> promoted(Map<String, ModelRelease> releases) {
        return releases.values().stream()
                .filter(r -> r.getStatus() == ReleaseStatus.PROMOTED && r.getPromotedAt() != null)
                .max(Comparator.comparing(ModelRelease::getPromotedAt));
    }
}
