package dev.surprisal.demo;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.AnomalyLabel;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;

/** Publishes generated traffic to the input topic on its own thread, phase after phase. */
final class DemoPublisher implements AutoCloseable {

    /**
     * One stretch of traffic.
     *
     * @param count   events in the phase; 0 for no end
     * @param rate    events per second, asked before every event (0: as fast as the broker takes them)
     * @param onStart run when the phase begins, with the time of its first event
     */
    record Phase(Iterator<TrafficGenerator.Line> lines, long count, DoubleSupplier rate,
                 java.util.function.Consumer<Instant> onStart) {
    }

    private final KafkaProducer<String, TextEvent> producer;
    private final Thread thread;
    /** Event ids are unique across runs too: the demo's broker keeps earlier runs' events. */
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private final Map<String, String> injected = new ConcurrentHashMap<>();
    private final Map<String, Integer> phaseOf = new ConcurrentHashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stopped;

    DemoPublisher(String bootstrap, SchemaRegistry registry, String topic, List<Phase> phases, long limit) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), AvroSerdes.value(TextEvent.class, registry).serializer());
        this.thread = new Thread(() -> publish(topic, phases, limit), "demo-publisher");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Kind of anomaly injected into this event, or null for a normal one. */
    String injectedKind(String eventId) {
        return injected.get(eventId);
    }

    /** Index of the phase that published this event. */
    int phaseOf(String eventId) {
        return phaseOf.getOrDefault(eventId, -1);
    }

    /** The first send that failed, if any: the demo stops rather than silently miss events. */
    Exception failure() {
        return failure.get();
    }

    private void publish(String topic, List<Phase> phases, long limit) {
        long n = 0;
        for (int p = 0; p < phases.size() && !stopped; p++) {
            Phase phase = phases.get(p);
            producer.flush(); // what earlier phases published is in the topic before this one starts
            phase.onStart().accept(Instant.now());
            long next = System.nanoTime();
            for (long i = 0; !stopped && (phase.count() == 0 || i < phase.count()) && (limit == 0 || n < limit); i++) {
                n++;
                send(topic, "ev-" + runId + "-" + n, p, phase.lines().next());
                double rate = phase.rate().getAsDouble();
                if (rate > 0) {
                    next = Math.max(next + (long) (1e9 / rate), System.nanoTime() - 1_000_000_000L);
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            }
        }
        producer.flush();
    }

    private void send(String topic, String id, int phase, TrafficGenerator.Line line) {
        if (line.anomaly() != null) {
            injected.put(id, line.anomaly());
        }
        phaseOf.put(id, phase);
        TextEvent event = new TextEvent(id, line.sessionId(), line.text(), Instant.now(), line.endOfSession(),
                AnomalyLabel.of(line.anomaly() != null));
        producer.send(new ProducerRecord<>(topic, line.sessionId(), event), (meta, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.join(10_000);
        producer.close();
    }
}
