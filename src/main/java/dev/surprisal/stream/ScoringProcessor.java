package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
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
    private final SessionScorer sessions;
    private final ScorerMetrics metrics;
    private final RateLimitedLog deadLetterLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, SessionState> store;

    ScoringProcessor(ScorerConfig config, ModelProvider models, Deserializer<TextEvent> events,
                     Serializer<ScoredEvent> scores, Serializer<SessionSummary> summaries, ScorerMetrics metrics) {
        this.config = config;
        this.models = models;
        this.events = events;
        this.scores = scores;
        this.summaries = summaries;
        this.sessions = new SessionScorer(config);
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
        score(record, new String(record.key(), StandardCharsets.UTF_8), event);
    }

    private void score(Record<byte[], byte[]> record, String session, TextEvent event) {
        long started = System.nanoTime();
        LanguageModel model = models.current();
        metrics.modelInUse(model.version());
        SessionScorer.Outcome outcome;
        try {
            outcome = sessions.score(model, storedState(session), session, event, record.timestamp());
        } catch (RuntimeException e) {
            LOG.error("scoring failed for session {} with model {}", session, model.version(), e);
            deadLetter(record, "scoring-failed", "scoring failed: " + e);
            return;
        }
        if (outcome.rejected()) {
            deadLetter(record, outcome.rejectCode(), outcome.rejectReason());
            return;
        }
        ScoredEvent scored = outcome.scored();
        metrics.scored(scored.getTokens().size(), scored.getMeanSurprisalBits(), scored.getEventPerplexity(),
                System.nanoTime() - started);
        forward(record, scores.serialize(config.outputTopic(), scored), ScoringTopology.SCORES_SINK);
        if (scored.getAnomalous()) {
            metrics.anomaly(scored.getAnomalyRule().name());
            forward(record, scores.serialize(config.anomaliesTopic(), scored), ScoringTopology.ANOMALIES_SINK);
        }
        if (event.getEndOfSession()) {
            store.delete(session);
            emitSummary(session, outcome.next(), SessionEndReason.END_OF_SESSION, record.timestamp());
        } else {
            store.put(session, outcome.next());
        }
    }

    /** A stored state that cannot be read must not stop scoring (it would fail the task on every retry). */
    private SessionState storedState(String session) {
        try {
            return store.get(session);
        } catch (SerializationException e) {
            LOG.warn("unreadable state of session {} ({}); starting the session afresh", session, e.getMessage());
            return null;
        }
    }

    private void forward(Record<byte[], byte[]> input, byte[] value, String sink) {
        context.forward(new Record<>(input.key(), value, input.timestamp(), input.headers()), sink);
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
