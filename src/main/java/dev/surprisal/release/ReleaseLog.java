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
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/** One read of {@code model-releases} to its end: the latest record of every version. */
public final class ReleaseLog {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ReleaseLog() {
    }

    public static Map<String, ModelRelease> read(Map<String, Object> clientProps, SchemaRegistry registry,
                                                 ReleaseTopics topics) {
        return LogReader.latestByKey(clientProps, Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        ReleaseTopics.MAX_RELEASE_BYTES, ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES),
                topics.releases(), AvroSerdes.value(ModelRelease.class, registry).deserializer(), TIMEOUT, "release");
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
