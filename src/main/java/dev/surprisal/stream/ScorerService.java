package dev.surprisal.stream;

import dev.surprisal.avro.ModelHealth;
import dev.surprisal.health.ModelHealthWatch;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The running scorer: the topology in a KafkaStreams instance, started and stopped cleanly. */
public final class ScorerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScorerService.class);

    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final ScorerMetrics metrics;
    /** When stream threads died (nanoTime), for readiness: a thread replaced again and again is not progress. */
    private final Deque<Long> threadFailures = new ArrayDeque<>();

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

    /** Starts the scorer, its metrics bound to {@code metrics}' registry, and waits until it is RUNNING. */
    public static ScorerService start(ScorerConfig config, ModelProvider models, SchemaRegistry registry,
                                      ScorerMetrics metrics, Duration startTimeout) {
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

    public KafkaStreams streams() {
        return streams;
    }

    /**
     * Starts watching the models' live figures ({@link ModelHealthWatch}); {@code instance} names this
     * scorer in the summaries (its advertised HTTP address), and {@code listener} sees each summary.
     */
    public ModelHealthWatch watchHealth(ScorerConfig config, ModelProvider models, SchemaRegistry registry,
                                        String instance, Consumer<ModelHealth> listener) {
        return ModelHealthWatch.start(config.health(), metrics::modelTotals, metrics.registry(), models,
                new ModelHealthWatch.Wiring(instance, config.inputTopic(), config.releaseTopics().commands(),
                        config.clientProperties(), registry), listener);
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

    /** Whether this instance owns any input partition now. */
    public boolean hasActiveTasks() {
        return streams.metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty());
    }

    /**
     * Stops the scorer and leaves the consumer group, so that the partitions move to another
     * instance at once instead of after the session timeout.
     */
    @Override
    public void close() {
        streamsMetrics.close();
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
