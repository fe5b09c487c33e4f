package dev.surprisal.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * State restoration from the changelogs as metrics: records still to restore and records restored.
 * Kafka Streams' own restore metrics are task-level and not exported by the binder; an instance
 * that restores a large store is not ready, and operators want to see how far along it is.
 */
final class RestoreProgress implements StateRestoreListener {

    private record Changelog(String store, TopicPartition partition) {
    }

    /** End offset and the offset restored up to, per changelog partition being restored. */
    private final Map<Changelog, long[]> restoring = new ConcurrentHashMap<>();
    private final Counter restored;

    RestoreProgress(MeterRegistry registry) {
        Gauge.builder("surprisal.restore.remaining.records", this::remaining)
                .description("Changelog records still to restore into local state before scoring resumes")
                .strongReference(true).register(registry);
        this.restored = Counter.builder("surprisal.restore.records")
                .description("Changelog records restored into local state").register(registry);
    }

    private double remaining() {
        return restoring.values().stream().mapToLong(r -> Math.max(0, r[0] - r[1])).sum();
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        restoring.put(new Changelog(store, partition), new long[] {endingOffset, startingOffset});
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restored.increment(numRestored);
        long[] r = restoring.get(new Changelog(store, partition));
        if (r != null) {
            r[1] = batchEndOffset;
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(new Changelog(store, partition));
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(new Changelog(store, partition));
    }
}
