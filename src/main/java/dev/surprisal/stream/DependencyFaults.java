package dev.surprisal.stream;

import dev.surprisal.registry.SchemaRegistry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the services the scoring path calls (the schema registry) serve this scorer now. A record
 * that cannot be read because of them is not at fault: its task holds it and every later record in
 * its pending store and tries again with a growing backoff, while the scorer pauses its input so that
 * an outage does not copy the topic into the store. Readiness and metrics name the fault.
 */
public final class DependencyFaults {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** The fault in force: which dependency, its reason label, the message naming what to fix, and since when. */
    public record Fault(String dependency, String reason, String message, long sinceMs) {
    }

    /** What the running scorer does when a fault starts and when it is over (pause and resume its input). */
    public interface Listener {
        void faulted(Fault fault, Duration retryIn);

        void recovered(Fault fault);
    }

    private final MeterRegistry meters;
    private final ConcurrentHashMap<String, Counter> counts = new ConcurrentHashMap<>();
    private final AtomicLong held = new AtomicLong();
    private Fault current;
    private Duration backoff = Duration.ZERO;
    private long nextRetryMs;
    private volatile Listener listener;

    DependencyFaults(MeterRegistry meters) {
        this.meters = meters;
        Gauge.builder("surprisal.held.events", held, AtomicLong::get)
                .description("Input records held (not scored, not dead-lettered) until a dependency serves again")
                .register(meters);
        Gauge.builder("surprisal.dependency.down", this, f -> f.current().isPresent() ? 1 : 0)
                .description("1 while a dependency of the scoring path (the schema registry) fails this scorer")
                .register(meters);
    }

    public void listen(Listener l) {
        this.listener = l;
    }

    /** A call to the registry failed for a reason that is not the record's: count it and back off further. */
    void registryFailed(SchemaRegistry.RegistryUnavailableException e, long nowMs) {
        String reason = e.fault().label();
        counts.computeIfAbsent(reason, r -> Counter.builder("surprisal.dependency.faults")
                .description("Calls of the scoring path that a dependency failed, by dependency and reason")
                .tag("dependency", "schema-registry").tag("reason", r).register(meters)).increment();
        Fault started;
        Duration wait;
        synchronized (this) {
            boolean first = current == null;
            current = new Fault("schema-registry", reason, e.getMessage(), first ? nowMs : current.sinceMs());
            backoff = first ? FIRST_BACKOFF : min(backoff.multipliedBy(2), MAX_BACKOFF);
            nextRetryMs = nowMs + backoff.toMillis();
            started = current;
            wait = backoff;
        }
        Listener l = listener;
        if (l != null) {
            l.faulted(started, wait);
        }
    }

    /** A held record was read: the fault, if any, is over. */
    void recovered() {
        Fault ended;
        synchronized (this) {
            ended = current;
            current = null;
            backoff = Duration.ZERO;
            nextRetryMs = 0;
        }
        Listener l = listener;
        if (ended != null && l != null) {
            l.recovered(ended);
        }
    }

    /** Whether held records may be tried again now. */
    synchronized boolean retryDue(long nowMs) {
        return nowMs >= nextRetryMs;
    }

    void held(long delta) {
        held.addAndGet(delta);
    }

    public long heldEvents() {
        return held.get();
    }

    public synchronized Optional<Fault> current() {
        return Optional.ofNullable(current);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
