package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The running scorer: the topology in a KafkaStreams instance, started and stopped cleanly. */
public final class ScorerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ScorerMetrics metrics;
    /** When stream threads died (nanoTime), for readiness: a thread replaced again and again is not progress. */
    private final Deque<Long> threadFailures = new ArrayDeque<>();
    private final PauseWhileFaulted pauser = new PauseWhileFaulted();

    private ScorerService(KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, ScorerMetrics metrics) {
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.metrics = metrics;
    }

    /** Starts the scorer and waits (bounded) until it is RUNNING. */
    public static ScorerService start(ScorerConfig config, ModelProvider models, SchemaRegistry registry,
                                      Duration startTimeout) {
        return start(config, models, registry, ScorerMetrics.none(), startTimeout);
    }

    /**
     * Starts the scorer, its metrics bound to {@code metrics}' registry, and waits until it is RUNNING.
     * The schemas of what it writes are registered first: a registry that refuses them fails the start
     * with the registry's reason instead of failing the first event.
     */
    public static ScorerService start(ScorerConfig config, ModelProvider models, SchemaRegistry registry,
                                      ScorerMetrics metrics, Duration startTimeout) {
        registerOutputSchemas(config, registry);
        KafkaStreams streams = new KafkaStreams(ScoringTopology.build(config, models, registry, metrics),
                config.streamsProperties());
        KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics.registry());
        streams.setGlobalStateRestoreListener(metrics.restore());
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
            if (now == KafkaStreams.State.ERROR) {
                LOG.error("the scorer stopped after an unrecoverable error");
            }
        });
        ScorerService service = new ScorerService(streams, streamsMetrics, metrics);
        metrics.dependencies().listen(service.pauser);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            service.threadFailed();
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        try {
            streams.start();
            if (!running.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the scorer was not RUNNING after " + startTimeout
                        + " (state " + streams.state() + ")");
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            service.close();
            throw new IllegalStateException("interrupted while starting the scorer", e);
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
    }

    private static void registerOutputSchemas(ScorerConfig config, SchemaRegistry registry) {
        if (config.jsonOutput()) {
            return; // JSON output: nothing to register
        }
        for (String topic : List.of(config.outputTopic(), config.anomaliesTopic())) {
            registry.register(AvroSerdes.valueSubject(topic), ScoredEvent.getClassSchema());
        }
        registry.register(AvroSerdes.valueSubject(config.summariesTopic()), SessionSummary.getClassSchema());
    }

    /**
     * Pauses the input while the registry fails (a task that held a record holds every later one, so
     * reading on would only copy the topic into its pending store) and resumes it once the backoff is
     * over, when the held records are read again: the retry is the probe.
     */
    private final class PauseWhileFaulted implements DependencyFaults.Listener {
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scorer-resume");
            t.setDaemon(true);
            return t;
        });
        private ScheduledFuture<?> resume;

        @Override
        public synchronized void faulted(DependencyFaults.Fault fault, Duration retryIn) {
            if (!streams.isPaused()) {
                LOG.warn("pausing the input: {} (retrying in {} s)", fault.message(), retryIn.toSeconds());
                streams.pause();
            }
            if (resume != null) {
                resume.cancel(false);
            }
            resume = timer.schedule(this::resumeInput, retryIn.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public synchronized void recovered(DependencyFaults.Fault fault) {
            LOG.warn("the schema registry serves again after {} s ({}); the held records are scored",
                    (System.currentTimeMillis() - fault.sinceMs()) / 1000, fault.reason());
            resumeInput();
        }

        private synchronized void resumeInput() {
            if (streams.isPaused() && streams.state().isRunningOrRebalancing()) {
                streams.resume();
            }
        }

        void close() {
            timer.shutdownNow();
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The scorer's meters: what the drift watch reads and the ops server exports. */
    public ScorerMetrics metrics() {
        return metrics;
    }

    /** Whether the registry serves the scoring path, and what is held until it does. */
    public DependencyFaults dependencies() {
        return metrics.dependencies();
    }

    /** What this instance scored lately (the live page's source). */
    public RecentEvents recent() {
        return metrics.recent();
    }

    private synchronized void threadFailed() {
        threadFailures.addLast(System.nanoTime());
        while (threadFailures.size() > 100) {
            threadFailures.removeFirst();
        }
        metrics.threadFailure();
    }

    /** Stream threads that died within the last {@code window}. */
    public synchronized int threadFailuresWithin(Duration window) {
        long since = System.nanoTime() - window.toNanos();
        return (int) threadFailures.stream().filter(t -> t - since > 0).count();
    }

    /** Time since a stream thread last processed or punctuated. */
    public Duration sinceProgress() {
        return metrics.sinceProgress();
    }

    /**
     * Records that wait in the partitions this instance reads (its input and repartition topics), as its
     * consumers saw at their last fetch; restore and global consumers are not counted.
     */
    public long inputLag() {
        double lag = 0;
        for (Map.Entry<MetricName, ? extends Metric> m : streams.metrics().entrySet()) {
            MetricName name = m.getKey();
            String client = name.tags().getOrDefault("client-id", "");
            if (name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics")
                    && !client.endsWith("restore-consumer") && !client.endsWith("global-consumer")
                    && m.getValue().metricValue() instanceof Double value && value > 0) {
                lag += value;
            }
        }
        return (long) lag;
    }

    /** Whether this instance owns any input partition now. */
    public boolean hasActiveTasks() {
        return streams.metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty());
    }

    /** How long a stop waits for Kafka Streams to commit and leave its group. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Stops the scorer and leaves the consumer group, so that the partitions move to another
     * instance at once instead of after the session timeout.
     */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /**
     * Stops, waiting at most {@code timeout} for the last transaction to commit: {@link #CLOSE_TIMEOUT}
     * (Kubernetes' default grace period) normally; a cluster that no longer answers cannot take a commit, and
     * an unclean stop loses nothing (the open transaction aborts, its records are read again).
     */
    public void close(Duration timeout) {
        metrics.dependencies().listen(null);
        pauser.close();
        streamsMetrics.close();
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(timeout));
    }
}
