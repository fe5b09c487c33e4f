package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.session.ScoredEvents;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;

/**
 * What a scoring task writes, to its sinks: an event's scores (and its anomaly, its session's summary, the
 * template it taught), a new template's claim, an idle session's summary, a dead letter.
 */
final class ScoredOutput {

    private final ProcessorContext<byte[], byte[]> context;
    private final ScorerConfig config;
    private final Serializer<ScoredEvent> scores;
    private final Serializer<SessionSummary> summaries;
    private final ScorerMetrics metrics;

    ScoredOutput(ProcessorContext<byte[], byte[]> context, ScorerConfig config, Serializer<ScoredEvent> scores,
                 Serializer<SessionSummary> summaries, ScorerMetrics metrics) {
        this.context = context;
        this.config = config;
        this.scores = scores;
        this.summaries = summaries;
        this.metrics = metrics;
    }

    /** A scored event: its scores, its anomaly, the template it taught, its session's summary if it ended it. */
    void scored(PendingEvent source, SessionScorer.Prepared prepared, SessionScorer.Outcome outcome) {
        ScoredEvent scored = outcome.scored();
        if (source.clampedFrom() != PendingEvent.NOT_CLAMPED) {
            metrics.futureTimestamp();
            scored.getNotes().add(ScoredEvents.NOTE_FUTURE_TIMESTAMP);
        }
        byte[] value = fitted(scored);
        if (value == null) {
            deadLetter(source, "output-too-large", "its scores exceed " + config.outputMaxRecordBytes()
                    + " bytes (" + ScorerConfig.OUTPUT_MAX_RECORD_BYTES + ") even without per-token predictions");
            return;
        }
        ScoredEvent ifAlertedElsewhere = outcome.ifAlertedElsewhere();
        if (ifAlertedElsewhere == null) {
            forward(source, value, ScoringTopology.SCORES_SINK);
        } else {
            claimNewTemplate(source, scored, value, ifAlertedElsewhere);
        }
        if (outcome.learned() != null) {
            KeyValue<byte[], byte[]> learned = LearnedTemplatesLoader.record(outcome.learned());
            context.forward(new Record<>(learned.key, learned.value, source.timestamp()), ScoringTopology.LEARNED_SINK);
        }
        metrics.emitted(scored);
        if (scored.getAnomalous() && ifAlertedElsewhere == null) {
            metrics.anomaly(scored.getAnomalyRule().name());
            forward(source, scores.serialize(config.anomaliesTopic(), scored), ScoringTopology.ANOMALIES_SINK);
        }
        if (prepared.event().getEndOfSession()) {
            summary(prepared.session(), outcome.next(), SessionEndReason.END_OF_SESSION,
                    source.timestamp());
        }
    }

    /**
     * The first line of a template this scorer learned goes to the judge, keyed by the template's id, both
     * ways: alerted, and as a line of a template another instance alerted first. Two instances that meet
     * a new template at once then alert it once between them.
     */
    private void claimNewTemplate(PendingEvent source, ScoredEvent alerted, byte[] alertedValue,
                                  ScoredEvent ifAlertedElsewhere) {
        byte[] recognised = fitted(ifAlertedElsewhere);
        NewTemplateClaim claim = new NewTemplateClaim(source.key(), alerted.getEventId(), alertedValue,
                scores.serialize(config.anomaliesTopic(), alerted), recognised == null ? alertedValue : recognised);
        context.forward(new Record<>(alerted.getTemplateId().getBytes(StandardCharsets.UTF_8),
                claim.encode(), source.timestamp(), source.headers()), ScoringTopology.CLAIMS_SINK);
    }

    /**
     * The scored event's bytes, within the output limit: without per-token predictions (noted on the
     * event) when they make it too large; null when even that is too large.
     */
    private byte[] fitted(ScoredEvent scored) {
        byte[] value = scores.serialize(config.outputTopic(), scored);
        if (value.length <= config.outputMaxRecordBytes()) {
            return value;
        }
        scored.getTokens().forEach(t -> t.setTopK(null));
        scored.getNotes().add(ScoredEvents.NOTE_TOP_K_DROPPED);
        value = scores.serialize(config.outputTopic(), scored);
        return value.length <= config.outputMaxRecordBytes() ? value : null;
    }

    void summary(String session, SessionState state, SessionEndReason reason, long timestamp) {
        byte[] value = summaries.serialize(config.summariesTopic(), ScoredEvents.summary(session, state, reason));
        context.forward(new Record<>(session.getBytes(StandardCharsets.UTF_8), value, timestamp),
                ScoringTopology.SUMMARIES_SINK);
    }

    void deadLetter(PendingEvent record, String code, String reason) {
        DeadLetter.send(context, ScoringTopology.DLQ_SINK, record, code, reason, config, metrics);
    }

    private void forward(PendingEvent input, byte[] value, String sink) {
        context.forward(new Record<>(input.key(), value, input.timestamp(), input.headers()), sink);
    }
}
