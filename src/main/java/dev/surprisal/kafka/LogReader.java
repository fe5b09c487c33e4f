package dev.surprisal.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a one-partition log topic (releases, trainer status, schemas) from its beginning to the
 * end it had when asked: how a process rebuilds what such a topic holds. Without a group, nothing
 * committed. A log that cannot be read to its end in time is an error, never a silent partial read.
 */
public final class LogReader {

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(LogReader.class);

    private LogReader() {
    }

    /**
     * @param clientProps Kafka client settings (bootstrap, security); {@code extraProps} are added
     *                    to them, e.g. larger fetch sizes for large records
     */
    public static <K, V> void readToEnd(Map<String, Object> clientProps, Map<String, Object> extraProps, String topic,
                                        Deserializer<K> keys, Deserializer<V> values, Duration timeout,
                                        Consumer<ConsumerRecord<K, V>> each) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putAll(extraProps);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + timeout);
                }
                consumer.poll(POLL).forEach(each);
            }
        }
    }

    /**
     * The latest value of every key of a compacted one-partition log, in first-seen order: a tombstone
     * removes its key, and a value that cannot be read is skipped with a WARN (naming {@code what}).
     */
    public static <V> Map<String, V> latestByKey(Map<String, Object> clientProps, Map<String, Object> extraProps,
                                                 String topic, Deserializer<V> values, Duration timeout, String what) {
        Map<String, V> latest = new LinkedHashMap<>();
        readToEnd(clientProps, extraProps, topic, new StringDeserializer(), new ByteArrayDeserializer(), timeout, r -> {
            latest.remove(r.key());
            if (r.value() != null) {
                try {
                    latest.put(r.key(), values.deserialize(r.topic(), r.value()));
                } catch (SerializationException e) {
                    LOG.warn("skipping unreadable {} {} at offset {}: {}", what, r.key(), r.offset(), e.getMessage());
                }
            }
        });
        return latest;
    }
}
