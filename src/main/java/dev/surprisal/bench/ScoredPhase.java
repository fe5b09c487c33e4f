package dev.surprisal.bench;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** Events produced to a running scorer and read back scored: how long it took, and each event's latency. */
record ScoredPhase(double seconds, double[] latenciesMs) {


    /** Produces {@code events} at {@code rate} (0: at once) and waits until every score is visible. */
    static ScoredPhase run(EmbeddedKafkaBroker broker, InMemorySchemaRegistry registry, ScorerConfig config,
                               KafkaConsumer<String, ScoredEvent> consumer, List<TextEvent> events, double rate)
            throws Exception {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            index.put(events.get(i).getEventId(), i);
        }
        AtomicReference<Exception> failure = new AtomicReference<>();
        long[] sentAt = new long[events.size()];
        Thread producer = new Thread(() -> produce(broker, registry, config.inputTopic(), events, rate, sentAt, failure),
                "bench-producer");
        long start = System.nanoTime();
        producer.start();
        double[] latencies = new double[events.size()];
        int seen = 0;
        long last = start;
        long deadline = start + Duration.ofMinutes(30).toNanos();
        while (seen < events.size() && System.nanoTime() < deadline && failure.get() == null) {
            for (ConsumerRecord<String, ScoredEvent> r : consumer.poll(Duration.ofMillis(100))) {
                long now = System.nanoTime();
                Integer i = index.get(r.value().getEventId());
                if (i != null) {
                    latencies[seen++] = (now - sentAt[i]) / 1e6;
                    last = now;
                }
            }
        }
        producer.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        if (seen < events.size()) {
            throw new IllegalStateException("only " + seen + " of " + events.size() + " events were scored");
        }
        return new ScoredPhase((last - start) / 1e9, latencies);
    }

    private static void produce(EmbeddedKafkaBroker broker, InMemorySchemaRegistry registry, String topic,
                                List<TextEvent> events, double rate, long[] sentAt, AtomicReference<Exception> failure) {
        try (KafkaProducer<String, TextEvent> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new StringSerializer(), AvroSerdes.value(TextEvent.class, registry).serializer())) {
            long interval = rate > 0 ? (long) (1e9 / rate) : 0;
            long next = System.nanoTime();
            for (int i = 0; i < events.size(); i++) {
                TextEvent e = events.get(i);
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, e.getSessionId(), e), (m, ex) -> {
                    if (ex != null) {
                        failure.compareAndSet(null, ex);
                    }
                });
                if (interval > 0) {
                    next += interval;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            }
            producer.flush();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }
}
