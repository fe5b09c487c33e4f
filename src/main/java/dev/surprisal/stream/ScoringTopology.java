package dev.surprisal.stream;

import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.session.LearnedTemplates;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.state.Stores;

/**
 * The scorer's topology, used by the {@code score} and {@code demo} commands and by every test tier:
 * <pre>
 *   text-events ─► score (session-state, pending-events stores) ─┬─► token-scores
 *                                               ├─► text-anomalies      (flagged events)
 *                                               ├─► session-summaries   (ended sessions)
 *                                               ├─► text-events-dlq     (unscoreable input)
 *                                               └─► learned-templates   (lines of new templates)
 *   learned-templates ─► learned-templates-loader (global store): what every instance has learned
 * </pre>
 */
public final class ScoringTopology {

    public static final String STATE_STORE = "session-state";
    public static final String PENDING_STORE = "pending-events";
    static final String SOURCE = "text-events-source";
    static final String SCORER = "score";
    static final String SCORES_SINK = "token-scores-sink";
    static final String ANOMALIES_SINK = "text-anomalies-sink";
    static final String SUMMARIES_SINK = "session-summaries-sink";
    static final String DLQ_SINK = "dlq-sink";
    static final String LEARNED_SINK = "learned-templates-sink";
    static final String LEARNED_STORE = "learned-templates";

    private ScoringTopology() {
    }

    public static Topology build(ScorerConfig config, ModelProvider models, SchemaRegistry registry) {
        return build(config, models, registry, ScorerMetrics.none());
    }

    public static Topology build(ScorerConfig config, ModelProvider models, SchemaRegistry registry,
                                 ScorerMetrics metrics) {
        ByteArraySerializer bytes = new ByteArraySerializer();
        LearnedTemplates learned = metrics.learned();
        return new Topology(new TopologyConfig(new StreamsConfig(config.streamsProperties())))
                .addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LEARNED_STORE),
                                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                        "learned-templates-source", new StringDeserializer(), new ByteArrayDeserializer(),
                        config.learnedTemplatesTopic(), "learned-templates-loader",
                        () -> new LearnedTemplatesLoader(learned))
                .addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.inputTopic())
                .addProcessor(SCORER, new ScoringProcessorSupplier(config, models, registry, metrics, learned), SOURCE)
                .addSink(SCORES_SINK, config.outputTopic(), bytes, bytes, SCORER)
                .addSink(ANOMALIES_SINK, config.anomaliesTopic(), bytes, bytes, SCORER)
                .addSink(SUMMARIES_SINK, config.summariesTopic(), bytes, bytes, SCORER)
                .addSink(DLQ_SINK, config.dlqTopic(), bytes, bytes, SCORER)
                .addSink(LEARNED_SINK, config.learnedTemplatesTopic(), bytes, bytes, SCORER);
    }
}
