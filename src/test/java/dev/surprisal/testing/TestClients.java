package dev.surprisal.testing;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/** Producers and consumers for integration tests: every send checked, every read bounded in time. */
public final class TestClients {

    private TestClients() {
    }

    public static void produce(String bootstrap, SchemaRegistry registry, String topic, List<TextEvent> events)
            throws ExecutionException, InterruptedException {
        try (KafkaProducer<String, TextEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), AvroSerdes.value(TextEvent.class, registry).serializer())) {
            List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
            for (TextEvent e : events) {
                sends.add(producer.send(new ProducerRecord<>(topic, e.getSessionId(), e)));
            }
            for (var send : sends) {
                send.get();
            }
        }
    }

    /**
     * Publishes the events from a background thread at {@code perSecond}, as live traffic arrives (interrupt it to
     * stop): one idempotent producer, so a broker lost on the way delays records but neither drops nor repeats them.
     */
    public static Thread paced(String bootstrap, SchemaRegistry registry, String topic, List<TextEvent> events,
                               int perSecond) {
        Thread t = new Thread(() -> {
            try (KafkaProducer<String, TextEvent> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                    new StringSerializer(), AvroSerdes.value(TextEvent.class, registry).serializer())) {
                long next = System.nanoTime();
                for (TextEvent e : events) {
                    producer.send(new ProducerRecord<>(topic, e.getSessionId(), e));
                    next += 1_000_000_000L / perSecond;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "paced-publisher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads committed records from the start of {@code topic} until {@code count} arrived or the timeout passed. */
    public static <K, V> List<ConsumerRecord<K, V>> consume(String bootstrap, String topic, Deserializer<K> keys,
                                                            Deserializer<V> values, int count, Duration timeout) {
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }
}
