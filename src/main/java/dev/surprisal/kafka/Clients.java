package dev.surprisal.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How this project's clients are made: readers see committed transactions only, since the scorer
 * writes with exactly-once; writers of lifecycle records wait for every replica.
 */
public final class Clients {

    private Clients() {
    }

    /**
     * A consumer that skips aborted and open transactions. Without a {@code group.id} in
     * {@code clientProps} it commits nothing.
     */
    public static <K, V> KafkaConsumer<K, V> readCommitted(Map<String, Object> clientProps, Deserializer<K> keys,
                                                           Deserializer<V> values) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (!props.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        }
        return new KafkaConsumer<>(props, keys, values);
    }

    /**
     * Producer settings for records that must not be lost or doubled by a retry (statuses, releases,
     * commands, feedback, summaries): acknowledged by all in-sync replicas, idempotent.
     */
    public static Map<String, Object> durableProducer(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    /** A group-less committed reader of every partition of {@code topic}, from its beginning or its end. */
    public static <K, V> KafkaConsumer<K, V> readCommittedAll(Map<String, Object> clientProps, String topic,
                                                              boolean fromBeginning, Deserializer<K> keys,
                                                              Deserializer<V> values) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaConsumer<K, V> consumer = readCommitted(props, keys, values);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position); // resolve the positions now, not at the first poll
        return consumer;
    }
}
