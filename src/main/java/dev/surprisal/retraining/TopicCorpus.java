package dev.surprisal.retraining;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.evaluate.ReplayInputs;
import dev.surprisal.feedback.FeedbackLabels;
import dev.surprisal.input.InputReader;
import dev.surprisal.input.InputSettings;
import dev.surprisal.kafka.TopicRange;
import dev.surprisal.model.OpenSession;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.training.Corpus;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training text a command names on a topic ({@link TopicRange}), grouped by session in offset
 * order: a session ends at an event marked {@code endOfSession}; one still going when the range
 * stops is an {@link OpenSession}.
 */
public final class TopicCorpus {

    private TopicCorpus() {
    }

    /**
     * What was read, and what was left out: flagged events, events with an excluded label, events
     * marked anomalous by feedback; {@code keptByFeedback} flagged events were kept because feedback
     * marked them normal.
     */
    public record Read(Corpus corpus, long events, long leftOutFlagged, long leftOutLabelled, long leftOutByFeedback,
                long keptByFeedback, long unreadable, TopicRange.Slice slice) {
    }

    /** @param maxEvents a longer range is read from its newest this many offsets on */
    public static Read read(Map<String, Object> clientProps, SchemaRegistry registry, TrainCommand command,
                     String anomaliesTopic, FeedbackLabels feedback, long maxEvents) {
        return read(clientProps, registry, InputSettings.avro(), command, anomaliesTopic, feedback, maxEvents);
    }

    /** @param input how the topic is written (the scorers' {@code input.*} settings) */
    public static Read read(Map<String, Object> clientProps, SchemaRegistry registry, InputSettings input, TrainCommand command,
                     String anomaliesTopic, FeedbackLabels feedback, long maxEvents) {
        Set<String> flagged = command.getExcludeFlagged() ? flaggedEventIds(clientProps, registry, anomaliesTopic)
                : Set.of();
        InputReader reader = InputReader.of(input, registry, 1_000_000);
        Map<String, List<String>> going = new LinkedHashMap<>();
        List<List<String>> sessions = new ArrayList<>();
        long kept = 0;
        long leftOutFlagged = 0;
        long leftOutLabelled = 0;
        long leftOutByFeedback = 0;
        long keptByFeedback = 0;
        long unreadable = 0;
        TopicRange range = new TopicRange(command.getTopic(), command.getFromTimestamp(), command.getToTimestamp(),
                command.getFromOffsets(), command.getToOffsets());
        TopicRange.Slice slice = range.readNewest(clientProps, maxEvents);
        for (ConsumerRecord<String, byte[]> r : slice.records()) {
            for (dev.surprisal.input.Read read : reader.read(ReplayInputs.raw(r))) {
                if (read.refused()) {
                    unreadable++;
                    continue;
                }
                TextEvent event = read.event();
                String session = read.session();
                if (feedback.markedAnomalous(event.getEventId(), session)) {
                    leftOutByFeedback++;
                } else if (flagged.contains(event.getEventId()) && !feedback.markedNormal(event.getEventId(), session)) {
                    leftOutFlagged++;
                } else if (hasExcludedLabel(event, command.getExcludeLabels())) {
                    leftOutLabelled++;
                } else {
                    going.computeIfAbsent(session, k -> new ArrayList<>()).add(event.getText());
                    kept++;
                    keptByFeedback += flagged.contains(event.getEventId()) ? 1 : 0;
                }
                // a session ends on its end mark even when the marked event itself was left out
                if (event.getEndOfSession()) {
                    List<String> ended = going.remove(session);
                    if (ended != null) {
                        sessions.add(ended);
                    }
                }
            }
        }
        // still going when the range stops: their last event is not their end
        going.values().forEach(texts -> sessions.add(OpenSession.of(texts)));
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("the range of " + command.getTopic() + " holds no usable events");
        }
        return new Read(new Corpus(sessions), kept, leftOutFlagged, leftOutLabelled,
                leftOutByFeedback, keptByFeedback, unreadable, slice);
    }

    private static boolean hasExcludedLabel(TextEvent event, Map<String, String> excluded) {
        if (excluded == null || excluded.isEmpty() || event.getLabels() == null) {
            return false;
        }
        return excluded.entrySet().stream().anyMatch(e -> {
            String value = event.getLabels().get(e.getKey());
            // anomalous=1 excludes what the label rule reads as anomalous, whatever its spelling (true, KERNDTLB)
            return AnomalyLabel.KEY.equals(e.getKey())
                    ? value != null && AnomalyLabel.parse(value).equals(AnomalyLabel.parse(e.getValue()))
                    : e.getValue().equals(value);
        });
    }

    private static Set<String> flaggedEventIds(Map<String, Object> clientProps, SchemaRegistry registry, String topic) {
        Set<String> ids = new HashSet<>();
        Deserializer<ScoredEvent> scores = JsonRecords.orAvro(ScoredEvent.class,
                AvroSerdes.value(ScoredEvent.class, registry).deserializer());
        List<ConsumerRecord<String, byte[]>> flagged;
        try {
            flagged = TopicRange.of(topic, null, null).read(clientProps);
        } catch (IllegalArgumentException e) {
            // a wrong name would silently keep what a scorer flagged, so the command is refused, with the way out
            throw new IllegalArgumentException(e.getMessage() + ": no flagged events to leave out (no scorer has run "
                    + "yet, or another anomalies topic is meant); send the command with excludeFlagged false "
                    + "(models train --keep-flagged) to train on every event", e);
        }
        for (ConsumerRecord<String, byte[]> r : flagged) {
            try {
                ids.add(scores.deserialize(topic, r.value()).getEventId());
            } catch (SerializationException e) {
                // not a score: nothing to leave out
            }
        }
        return ids;
    }
}
