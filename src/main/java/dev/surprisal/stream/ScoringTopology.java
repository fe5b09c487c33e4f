package dev.surprisal.stream;

import dev.surprisal.input.InputFormat;
import dev.surprisal.input.InputReader;
import dev.surprisal.input.InputSettings;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.session.LearnedTemplates;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The scorer's topology, used by the {@code score} and {@code demo} commands and by every test tier:
 * <pre>
 *   text-events ─► score (session-state, pending-events stores) ─┬─► token-scores
 *                                               ├─► text-anomalies      (flagged events)
 *                                               ├─► session-summaries   (ended sessions)
 *                                               ├─► text-events-dlq     (unscoreable input)
 *                                               ├─► learned-templates   (lines of new templates)
 *                                               └─► new-template-claims (a new template's first line here)
 *   learned-templates ─► learned-templates-loader (global store): what every instance has learned
 *   new-template-claims ─► judge-new-templates (new-template-alerts store) ─┬─► token-scores
 *                                                                         └─► text-anomalies (the alert, once)
 * </pre>
 * Input that is not the product's Avro (text, JSON, OTLP logs) is read first, and re-keyed by session
 * through {@code <application.id>-rekeyed-repartition} when the session is not the record key:
 * <pre>
 *   input ─► read-input ─┬─► [rekeyed-repartition ─►] score …
 *                        └─► text-events-dlq        (unreadable records, or parts of them)
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
    static final String CLAIMS_SINK = "new-template-claims-sink";
    static final String CLAIMS_SOURCE = "new-template-claims-source";
    static final String JUDGE = "judge-new-templates";
    static final String NEW_TEMPLATE_ALERTS_STORE = "new-template-alerts";
    static final String JUDGED_SCORES_SINK = "judged-token-scores-sink";
    static final String JUDGED_ANOMALIES_SINK = "judged-text-anomalies-sink";
    static final String READER = "read-input";
    static final String READ_DLQ_SINK = "read-input-dlq-sink";
    static final String READ_EVENTS = "read-events";
    static final String REKEYED = "rekeyed";
    static final String REKEYED_EVENTS = "rekeyed-events";

    private ScoringTopology() {
    }

    public static Topology build(ScorerConfig config, ModelProvider models, SchemaRegistry registry) {
        return build(config, models, registry, ScorerMetrics.none());
    }

    public static Topology build(ScorerConfig config, ModelProvider models, SchemaRegistry registry,
                                 ScorerMetrics metrics) {
        TopologyConfig settings = new TopologyConfig(new StreamsConfig(config.streamsProperties()));
        InputSettings input = config.input();
        if (input.format() == InputFormat.AVRO) {
            Topology topology = new Topology(settings)
                    .addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), config.inputTopic());
            return withScorer(topology, SOURCE, config, models, registry, metrics);
        }
        Serde<byte[]> bytes = Serdes.ByteArray();
        StreamsBuilder builder = new StreamsBuilder(settings);
        KStream<byte[], byte[]> read = builder.stream(config.inputTopic(), Consumed.with(bytes, bytes).withName(SOURCE))
                .process(() -> new InputReadingProcessor(config, InputReader.of(input, registry,
                        config.maxCollectionItems()), JsonRecords.serializer(), metrics, READ_EVENTS, READ_DLQ_SINK),
                        Named.as(READER));
        read.to(config.dlqTopic(), Produced.with(bytes, bytes).withName(READ_DLQ_SINK));
        KStream<byte[], byte[]> events = read.filter((k, v) -> true, Named.as(READ_EVENTS));
        String parent = READ_EVENTS;
        if (input.rekeys()) {
            // a session's events reach one task, in order: through one repartition topic, exactly once
            events.repartition(Repartitioned.with(bytes, bytes).withName(REKEYED))
                    .filter((k, v) -> true, Named.as(REKEYED_EVENTS));
            parent = REKEYED_EVENTS;
        }
        return withScorer(builder.build(), parent, config, models, registry, metrics);
    }

    /** Adds the scorer under {@code parent}, with its sinks and the learned templates' global store. */
    private static Topology withScorer(Topology topology, String parent, ScorerConfig config, ModelProvider models,
                                       SchemaRegistry registry, ScorerMetrics metrics) {
        ByteArraySerializer bytes = new ByteArraySerializer();
        LearnedTemplates learned = metrics.learned();
        return topology
                .addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LEARNED_STORE),
                                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled(),
                        "learned-templates-source", new StringDeserializer(), new ByteArrayDeserializer(),
                        config.learnedTemplatesTopic(), "learned-templates-loader",
                        () -> new LearnedTemplatesLoader(learned))
                .addProcessor(SCORER, new ScoringProcessorSupplier(config, models, registry, metrics, learned), parent)
                .addSink(SCORES_SINK, config.outputTopic(), bytes, bytes, SCORER)
                .addSink(ANOMALIES_SINK, config.anomaliesTopic(), bytes, bytes, SCORER)
                .addSink(SUMMARIES_SINK, config.summariesTopic(), bytes, bytes, SCORER)
                .addSink(DLQ_SINK, config.dlqTopic(), bytes, bytes, SCORER)
                .addSink(LEARNED_SINK, config.learnedTemplatesTopic(), bytes, bytes, SCORER)
                .addSink(CLAIMS_SINK, config.newTemplateClaimsTopic(), bytes, bytes, SCORER)
                .addSource(CLAIMS_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                        config.newTemplateClaimsTopic())
                .addProcessor(JUDGE, () -> new NewTemplateJudge(metrics), CLAIMS_SOURCE)
                .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(NEW_TEMPLATE_ALERTS_STORE),
                        Serdes.String(), Serdes.String()), JUDGE)
                .addSink(JUDGED_SCORES_SINK, config.outputTopic(), bytes, bytes, JUDGE)
                .addSink(JUDGED_ANOMALIES_SINK, config.anomaliesTopic(), bytes, bytes, JUDGE);
    }
}
