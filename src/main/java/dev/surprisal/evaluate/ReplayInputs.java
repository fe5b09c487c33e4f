package dev.surprisal.evaluate;

import dev.surprisal.avro.FeedbackVerdict;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.feedback.FeedbackLabels;
import dev.surprisal.input.InputReader;
import dev.surprisal.input.InputSettings;
import dev.surprisal.input.RawRecord;
import dev.surprisal.input.Read;
import dev.surprisal.kafka.TopicRange;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.session.AnomalyLabel;
import dev.surprisal.session.FileFormat;
import dev.surprisal.session.LineSessions;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads what to replay: files in the formats {@code train} takes, or a range of a topic. */
public final class ReplayInputs {


    private ReplayInputs() {
    }

    /**
     * {@code lines}: one event per line, sessions by the regex's first group (or one session for the
     * file), labelled {@code label} (may be null). {@code sessions}: one session per line, one event
     * per whitespace-separated token, all labelled {@code label}. {@code sessions-tsv}:
     * {@code id<TAB>label<TAB>tokens}, one event per token.
     */
    public static List<ReplaySession> file(Path path, FileFormat format, Pattern sessionRegex, Boolean label)
            throws IOException {
        return file(path, format, LineSessions.byRegex(sessionRegex), label);
    }

    /**
     * As {@link #file(Path, FileFormat, Pattern, Boolean)}, with {@code lines}' sessions by regex or by time
     * windows; with a label field or regex, each line carries its label and a session is anomalous when
     * any of its lines is ({@code label} then only labels the lines that have none).
     */
    public static List<ReplaySession> file(Path path, FileFormat format, LineSessions reading, Boolean label)
            throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        return switch (format) {
            case LINES -> lines(lines, reading, label, path.getFileName().toString());
            case SESSIONS -> tokenSessions(lines, false, label);
            case SESSIONS_TSV -> tokenSessions(lines, true, null);
        };
    }

    private static List<ReplaySession> lines(List<String> lines, LineSessions reading, Boolean label, String name) {
        Map<String, List<ReplaySession.Event>> sessions = new LinkedHashMap<>();
        Map<String, Boolean> labels = new LinkedHashMap<>();
        Set<String> unlabelled = new HashSet<>();
        LineSessions.Line previous = null;
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            LineSessions.Line read = reading.read(line, name, previous);
            previous = read.time() != null ? read : previous;
            Boolean lineLabel = read.anomalous() != null ? read.anomalous() : label;
            for (String session : read.sessions()) {
                sessions.computeIfAbsent(session, s -> new ArrayList<>()).add(new ReplaySession.Event("line-" + n, line,
                        read.anomalous(), false));
                if (lineLabel == null) {
                    unlabelled.add(session);
                } else {
                    labels.merge(session, lineLabel, Boolean::logicalOr);
                }
            }
        }
        List<ReplaySession> out = new ArrayList<>();
        sessions.forEach((id, events) -> out.add(new ReplaySession(id, unlabelled.contains(id) ? null : labels.get(id),
                endingLast(events))));
        return out;
    }

    /** A file holds whole sessions: the last event of each ends it. */
    private static List<ReplaySession.Event> endingLast(List<ReplaySession.Event> events) {
        List<ReplaySession.Event> out = new ArrayList<>(events);
        if (!out.isEmpty()) {
            ReplaySession.Event last = out.get(out.size() - 1);
            out.set(out.size() - 1, new ReplaySession.Event(last.eventId(), last.text(), last.label(), true));
        }
        return out;
    }

    private static List<ReplaySession> tokenSessions(List<String> lines, boolean tsv, Boolean label) {
        List<ReplaySession> out = new ArrayList<>();
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String id = "line-" + n;
            Boolean sessionLabel = label;
            String tokens = line;
            if (tsv) {
                String[] cols = line.split("\t", 3);
                if (cols.length < 3) {
                    throw new IllegalArgumentException("line " + n + ": expected id<TAB>label<TAB>tokens");
                }
                id = cols[0];
                sessionLabel = AnomalyLabel.parse(cols[1]);
                tokens = cols[2];
            }
            List<ReplaySession.Event> events = new ArrayList<>();
            String[] keys = tokens.strip().split("\\s+");
            for (int k = 0; k < keys.length; k++) {
                if (!keys[k].isEmpty()) {
                    events.add(new ReplaySession.Event(id + "#" + k, keys[k], null, false));
                }
            }
            out.add(new ReplaySession(id, sessionLabel, endingLast(events)));
        }
        return out;
    }

    /**
     * A topic range (see {@link TopicRange}); never disturbs the live application. Labels come from
     * each event's {@code anomalous} label; a session is anomalous when any of its events is.
     */
    public static List<ReplaySession> topic(Map<String, Object> clientProps, SchemaRegistry registry, TopicRange range) {
        return records(range.read(clientProps), registry);
    }

    /** Sessions from records already read (so that a shadow replay can be given exactly the same ones). */
    public static List<ReplaySession> records(List<ConsumerRecord<String, byte[]>> records, SchemaRegistry registry) {
        return records(records, registry, FeedbackLabels.NONE);
    }

    /** As {@link #records(List, InputReader, FeedbackLabels)} for the product's own Avro records. */
    public static List<ReplaySession> records(List<ConsumerRecord<String, byte[]>> records, SchemaRegistry registry,
                                              FeedbackLabels feedback) {
        return records(records, InputReader.of(InputSettings.avro(), registry, 1_000_000), feedback);
    }

    /**
     * Sessions from records read by {@code reader} (any input format, sessions as the scorer finds
     * them), with feedback as labels where there is some: a verdict on an event, else on its
     * session, replaces the event's own label. What the scorer would dead-letter is not replayed.
     */
    public static List<ReplaySession> records(List<ConsumerRecord<String, byte[]>> records, InputReader reader,
                                              FeedbackLabels feedback) {
        Map<String, List<ReplaySession.Event>> sessions = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            for (Read read : reader.read(raw(r))) {
                if (read.refused()) {
                    continue;
                }
                TextEvent e = read.event();
                Boolean label = feedback.of(e.getEventId(), read.session()).map(v -> v == FeedbackVerdict.ANOMALOUS)
                        .orElse(e.getLabels() == null ? null : AnomalyLabel.parse(e.getLabels().get(AnomalyLabel.KEY)));
                sessions.computeIfAbsent(read.session(), k -> new ArrayList<>())
                        .add(new ReplaySession.Event(e.getEventId(), e.getText(), label, e.getEndOfSession(), e.getEventTime()));
            }
        }
        List<ReplaySession> out = new ArrayList<>();
        sessions.forEach((id, events) -> {
            boolean anyTrue = events.stream().anyMatch(e -> Boolean.TRUE.equals(e.label()));
            boolean anyLabel = events.stream().anyMatch(e -> e.label() != null);
            out.add(new ReplaySession(id, anyTrue ? Boolean.TRUE : anyLabel ? Boolean.FALSE : null, events));
        });
        return out;
    }

    /** A consumed record as the input readers take it. */
    public static RawRecord raw(ConsumerRecord<String, byte[]> r) {
        return new RawRecord(r.topic(), r.partition(), r.offset(),
                r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8), r.value(), r.timestamp());
    }
}
