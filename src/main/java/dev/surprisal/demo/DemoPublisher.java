package dev.surprisal.demo;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.registry.SchemaRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/** Publishes generated traffic to the input topic on its own thread, at a steady rate. */
final class DemoPublisher implements AutoCloseable {

    private final KafkaProducer<String, TextEvent> producer;
    private final Thread thread;
    private final Map<String, String> injected = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stopped;

    /**
     * @param limit events to publish, 0 for no limit
     * @param rate  events per second, 0 for as fast as the broker takes them
     */
    DemoPublisher(String bootstrap, SchemaRegistry registry, String topic, TrafficGenerator generator,
                  int concurrentSessions, long limit, double rate) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), AvroSerdes.value(TextEvent.class, registry).serializer());
        this.thread = new Thread(() -> publish(topic, generator.stream(concurrentSessions), limit, rate),
                "demo-publisher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Kind of anomaly injected into this event, or null for a normal one. */
    String injectedKind(String eventId) {
        return injected.get(eventId);
    }

    /** The first send that failed, if any: the demo stops rather than silently miss events. */
    Exception failure() {
        return failure.get();
    }

    private void publish(String topic, Iterator<TrafficGenerator.Line> lines, long limit, double rate) {
        long intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
        long next = System.nanoTime();
        for (long n = 1; !stopped && (limit == 0 || n <= limit); n++) {
            TrafficGenerator.Line line = lines.next();
            String id = "ev-" + n;
            if (line.anomaly() != null) {
                injected.put(id, line.anomaly());
            }
            TextEvent event = new TextEvent(id, line.sessionId(), line.text(), Instant.now(), line.endOfSession(),
                    Map.of("anomalous", line.anomaly() == null ? "0" : "1"));
            producer.send(new ProducerRecord<>(topic, line.sessionId(), event), (meta, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            if (intervalNanos > 0) {
                next += intervalNanos;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        }
        producer.flush();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(10_000);
        producer.close();
    }
}
