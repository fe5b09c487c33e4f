package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.input.InputFormat;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.session.LearnedTemplates;
import dev.surprisal.session.SessionState;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Set;

/** Builds {@link ScoringProcessor}s and owns their stores (persistent, changelogged, cached): session states and pending events. */
final class ScoringProcessorSupplier implements ProcessorSupplier<byte[], byte[], byte[], byte[]> {

    private final ScorerConfig config;
    private final ModelProvider models;
    private final SchemaRegistry registry;
    private final ScorerMetrics metrics;
    /** Processors run on their task's stream thread: the tasks of a thread batch together. */
    private final ThreadLocal<ThreadBatch> threadBatches;

    ScoringProcessorSupplier(ScorerConfig config, ModelProvider models, SchemaRegistry registry, ScorerMetrics metrics,
                             LearnedTemplates learned) {
        this.config = config;
        this.models = models;
        this.registry = registry;
        this.metrics = metrics;
        this.threadBatches = ThreadLocal.withInitial(() -> new ThreadBatch(config, models, metrics, learned));
    }

    @Override
    public Processor<byte[], byte[], byte[], byte[]> get() {
        // anything but Avro input arrives read, as JSON TextEvents (see InputReadingProcessor)
        Deserializer<TextEvent> events = config.input().format() == InputFormat.AVRO
                ? AvroSerdes.untrustedReader(TextEvent.class, registry, config.maxCollectionItems())
                : JsonRecords.deserializer(TextEvent.class);
        return new ScoringProcessor(config, threadBatches, events,
                config.jsonOutput() ? JsonRecords.serializer() : AvroSerdes.value(ScoredEvent.class, registry).serializer(),
                config.jsonOutput() ? JsonRecords.serializer()
                        : AvroSerdes.value(SessionSummary.class, registry).serializer(), metrics);
    }

    @Override
    public Set<StoreBuilder<?>> stores() {
        StoreBuilder<KeyValueStore<String, SessionState>> store = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(ScoringTopology.STATE_STORE), Serdes.String(),
                        new SessionStateSerde())
                .withCachingEnabled();
        // written and deleted within a commit interval, so the cache keeps most of it off the changelog
        StoreBuilder<KeyValueStore<Long, PendingEvent>> pending = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(ScoringTopology.PENDING_STORE), Serdes.Long(),
                        PendingEvent.serde())
                .withCachingEnabled();
        return Set.of(store, pending);
    }
}
