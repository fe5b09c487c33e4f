package dev.surprisal.stream;

import dev.surprisal.kafka.RateLimitedLog;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Decides which line of a new template is its alert, in one place per template: claims arrive keyed by
 * the template's id, so every claim on one template reaches one task, whichever scorer instance met it.
 * The first claim is alerted ({@code NEW_TEMPLATE}); a later claim from another scorer is emitted as a
 * line of the learned template. The store (changelogged) remembers the alerted line, so a restart or a
 * replayed claim never alerts a template twice, and replaying the alerted line's own claim alerts it
 * again, as it was.
 */
final class NewTemplateJudge implements Processor<byte[], byte[], byte[], byte[]> {

    private static final Logger LOG = LoggerFactory.getLogger(NewTemplateJudge.class);

    private final ScorerMetrics metrics;
    private final RateLimitedLog unreadable = new RateLimitedLog(LOG, Duration.ofMinutes(1));
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, String> alerted;

    NewTemplateJudge(ScorerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.alerted = context.getStateStore(ScoringTopology.NEW_TEMPLATE_ALERTS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            unreadable.warn("skipped a record without a key or value on the new-template claims topic");
            return;
        }
        String template = new String(record.key(), StandardCharsets.UTF_8);
        NewTemplateClaim claim;
        try {
            claim = NewTemplateClaim.decode(record.value());
        } catch (IllegalArgumentException e) {
            // the topic is the scorers' own: a record they did not write must not stop the task on every retry
            unreadable.warn("skipped a record on the new-template claims topic that is not a claim (" + e.getMessage()
                    + "; is another application writing to it?)");
            return;
        }
        String first = alerted.get(template);
        if (first == null) {
            alerted.put(template, claim.eventId());
            first = claim.eventId();
        }
        if (first.equals(claim.eventId())) {
            context.forward(new Record<>(claim.sessionKey(), claim.alerted(), record.timestamp(), record.headers()),
                    ScoringTopology.JUDGED_SCORES_SINK);
            context.forward(new Record<>(claim.sessionKey(), claim.alertedAsAnomaly(), record.timestamp(),
                    record.headers()), ScoringTopology.JUDGED_ANOMALIES_SINK);
            metrics.anomaly("NEW_TEMPLATE");
        } else {
            LOG.info("template {} was alerted on event {}, met first by another scorer; event {} is a line of it",
                    template, first, claim.eventId());
            context.forward(new Record<>(claim.sessionKey(), claim.recognised(), record.timestamp(), record.headers()),
                    ScoringTopology.JUDGED_SCORES_SINK);
        }
    }
}
