package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores each event from its session's stored state and stores the state after it. Input arrives
 * as raw bytes so that anything unreadable can be sent on, untouched, to the dead-letter sink.
 */
public final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    public static final String HEADER_REASON = "surprisal.dlq.reason";
    public static final String HEADER_TOPIC = "surprisal.dlq.topic";
    public static final String HEADER_PARTITION = "surprisal.dlq.partition";
    public static final String HEADER_OFFSET = "surprisal.dlq.offset";

    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    private final ScorerConfig config;
    private final ModelProvider models;
    private final Deserializer<TextEvent> events;
    private final Serializer<ScoredEvent> scores;
    private final Serializer<SessionSummary> summaries;
    private final EventScorer scorer;
    private final ScorerMetrics metrics;
    private final RateLimitedLog deadLetterLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, SessionState> store;
    private String policyVersion;
    private AnomalyPolicy policy;

    ScoringProcessor(ScorerConfig config, ModelProvider models, Deserializer<TextEvent> events,
                     Serializer<ScoredEvent> scores, Serializer<SessionSummary> summaries, ScorerMetrics metrics) {
        this.config = config;
        this.models = models;
        this.events = events;
        this.scores = scores;
        this.summaries = summaries;
        this.scorer = new EventScorer(config.topK(), config.perTokenTopK());
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(ScoringTopology.STATE_STORE);
        context.schedule(config.idleScanInterval(), PunctuationType.STREAM_TIME, this::evictIdle);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.key() == null || record.key().length == 0) {
            deadLetter(record, "missing-key", "missing session key: the record key must be the session id");
            return;
        }
        if (record.value() == null) {
            deadLetter(record, "null-value", "null value");
            return;
        }
        TextEvent event;
        try {
            event = events.deserialize(config.inputTopic(), record.value());
        } catch (SerializationException e) {
            deadLetter(record, "undeserializable", "undeserializable value: " + e.getMessage());
            return;
        }
        String text = event.getText();
        if (text.isBlank()) {
            deadLetter(record, "empty-text", "empty text");
            return;
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxTextBytes()) {
            deadLetter(record, "too-large", "text too large: " + bytes + " bytes, limit " + config.maxTextBytes()
                    + " (" + ScorerConfig.MAX_TEXT_BYTES + ")");
            return;
        }
        score(record, new String(record.key(), StandardCharsets.UTF_8), event);
    }

    private void score(Record<byte[], byte[]> record, String session, TextEvent event) {
        long started = System.nanoTime();
        LanguageModel model = models.current();
        metrics.modelInUse(model.version());
        int[] tokens = model.tokenizer().encode(event.getText());
        if (tokens.length == 0) {
            deadLetter(record, "no-tokens", "no tokens: the " + model.tokenizer().spec().type() + " tokenizer found none");
            return;
        }
        SessionState state = store.get(session);
        if (state == null) {
            state = SessionState.start(model.version(), model.initialState(), record.timestamp());
        } else if (!state.modelVersion().equals(model.version())) {
            // a state made by another model means nothing to this one: re-run the session's recent text
            state = state.switchedTo(model.version(), model.stateAfter(state.recentText()));
        }
        EventScore score;
        try {
            score = scorer.score(model, state.recurrent(), tokens);
        } catch (RuntimeException e) {
            LOG.error("scoring failed for session {} with model {}", session, model.version(), e);
            deadLetter(record, "scoring-failed", "scoring failed: " + e);
            return;
        }
        AnomalyPolicy rules = policyFor(model);
        AnomalyPolicy.Verdict verdict = rules.judge(score);
        metrics.scored(tokens.length, score.meanBits(), score.perplexity(), System.nanoTime() - started);
        if (verdict.anomalous()) {
            metrics.anomaly(verdict.rule().name());
        }
        SessionState next = state.after(score.state(), event.getText(), config.primeWindowChars(), tokens.length,
                score.totalBits(), verdict.anomalous(), record.timestamp());
        ScoredEvent scored = ScoredEvents.of(event, session, model.version(), model.tokenizer(), score, rules,
                verdict, next);
        forward(record, scores.serialize(config.outputTopic(), scored), ScoringTopology.SCORES_SINK);
        if (verdict.anomalous()) {
            forward(record, scores.serialize(config.anomaliesTopic(), scored),
                    ScoringTopology.ANOMALIES_SINK);
        }
        if (event.getEndOfSession()) {
            store.delete(session);
            emitSummary(session, next, SessionEndReason.END_OF_SESSION, record.timestamp());
        } else {
            store.put(session, next);
        }
    }

    private void forward(Record<byte[], byte[]> input, byte[] value, String sink) {
        context.forward(new Record<>(input.key(), value, input.timestamp(), input.headers()), sink);
    }

    private AnomalyPolicy policyFor(LanguageModel model) {
        if (!model.version().equals(policyVersion)) {
            double configured = config.perplexityThreshold();
            double calibrated = model.manifest().anomalyThreshold();
            double threshold = configured > 0 ? configured : calibrated > 0 ? calibrated : Double.POSITIVE_INFINITY;
            policy = new AnomalyPolicy(threshold, config.topG());
            policyVersion = model.version();
        }
        return policy;
    }

    private void evictIdle(long streamTime) {
        long cutoff = streamTime - config.idleTimeout().toMillis();
        List<KeyValue<String, SessionState>> idle = new ArrayList<>();
        try (KeyValueIterator<String, SessionState> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, SessionState> kv = it.next();
                if (kv.value.lastEventTime() <= cutoff) {
                    idle.add(kv);
                }
            }
        }
        for (KeyValue<String, SessionState> kv : idle) {
            store.delete(kv.key);
            emitSummary(kv.key, kv.value, SessionEndReason.IDLE, streamTime);
        }
    }

    private void emitSummary(String session, SessionState state, SessionEndReason reason, long timestamp) {
        byte[] value = summaries.serialize(config.summariesTopic(), ScoredEvents.summary(session, state, reason));
        context.forward(new Record<>(session.getBytes(StandardCharsets.UTF_8), value, timestamp),
                ScoringTopology.SUMMARIES_SINK);
    }

    private void deadLetter(Record<byte[], byte[]> record, String code, String reason) {
        metrics.deadLetter(code);
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(HEADER_REASON, reason.getBytes(StandardCharsets.UTF_8));
        String where = "";
        if (context.recordMetadata().isPresent()) {
            RecordMetadata m = context.recordMetadata().get();
            headers.add(HEADER_TOPIC, m.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_PARTITION, Integer.toString(m.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(HEADER_OFFSET, Long.toString(m.offset()).getBytes(StandardCharsets.UTF_8));
            where = " at " + m.topic() + "-" + m.partition() + "@" + m.offset();
        }
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                ScoringTopology.DLQ_SINK);
        deadLetterLog.warn("sent an input record" + where + " to " + config.dlqTopic() + ": " + reason);
    }
}
