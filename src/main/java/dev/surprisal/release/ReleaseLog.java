package dev.surprisal.release;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.kafka.LogReader;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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

    /** The release scorers use: the most recently promoted one. */
    public static Optional<ModelRelease> promoted(Map<String, ModelRelease> releases) {
        return releases.values().stream()
                .filter(r -> r.getStatus() == ReleaseStatus.PROMOTED && r.getPromotedAt() != null)
                .max(Comparator.comparing(ModelRelease::getPromotedAt));
    }
}
