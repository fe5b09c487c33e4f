package dev.surprisal.evaluate;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what to replay: files in the formats {@code train} takes, or a range of a topic. */
public final class ReplayInputs {

    public static final String LABEL_KEY = "anomalous";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ReplayInputs() {
    }

    /**
     * {@code lines}: one event per line, sessions by the regex's first group (or one session for the
     * file), labelled {@code label} (may be null). {@code sessions}: one session per line, one event
     * per whitespace-separated token, all labelled {@code label}. {@code sessions-tsv}:
     * {@code id<TAB>label<TAB>tokens}, one event per token.
     */
    public static List<ReplaySession> file(Path path, String format, Pattern sessionRegex, Boolean label)
            throws IOException {
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "lines" -> lines(lines, sessionRegex, label, path.getFileName().toString());
            case "sessions" -> tokenSessions(lines, false, label);
            case "sessions-tsv" -> tokenSessions(lines, true, null);
            default -> throw new IllegalArgumentException("unknown format '" + format
                    + "' (expected lines, sessions or sessions-tsv)");
        };
    }

    private static List<ReplaySession> lines(List<String> lines, Pattern regex, Boolean label, String name) {
        Map<String, List<ReplaySession.Event>> sessions = new LinkedHashMap<>();
        int n = 0;
        for (String line : lines) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String session = name;
            if (regex != null) {
                Matcher m = regex.matcher(line);
                if (!m.find()) {
                    continue;
                }
                session = m.groupCount() > 0 ? m.group(1) : m.group();
            }
            sessions.computeIfAbsent(session, s -> new ArrayList<>()).add(new ReplaySession.Event("line-" + n, line, null));
        }
        List<ReplaySession> out = new ArrayList<>();
        sessions.forEach((id, events) -> out.add(new ReplaySession(id, label, events)));
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
                sessionLabel = parseLabel(cols[1]);
                tokens = cols[2];
            }
            List<ReplaySession.Event> events = new ArrayList<>();
            String[] keys = tokens.strip().split("\\s+");
            for (int k = 0; k < keys.length; k++) {
                if (!keys[k].isEmpty()) {
                    events.add(new ReplaySession.Event(id + "#" + k, keys[k], null));
                }
            }
            out.add(new ReplaySession(id, sessionLabel, events));
        }
        return out;
    }

    static Boolean parseLabel(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "anomalous", "yes" -> true;
            case "0", "false", "normal", "no" -> false;
            default -> null;
        };
    }

    /**
     * A topic range read with a plain consumer (no group, nothing committed, so the live application
     * is never disturbed): [from, to] by timestamp, or offsets per partition. Labels come from each
     * event's {@code anomalous} label; a session is anomalous when any of its events is.
     */
    public static List<ReplaySession> topic(Map<String, Object> clientProps, SchemaRegistry registry, String topic,
                                            Instant from, Instant to) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Deserializer<TextEvent> reader = AvroSerdes.value(TextEvent.class, registry).deserializer();
        Map<String, List<ReplaySession.Event>> sessions = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> start = from == null ? consumer.beginningOffsets(partitions, TIMEOUT)
                    : offsetsAt(consumer, partitions, from, end);
            Map<TopicPartition, Long> stop = to == null ? end : offsetsAt(consumer, partitions, to.plusMillis(1), end);
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, start.get(tp)));
            List<TopicPartition> open = new ArrayList<>(partitions);
            open.removeIf(tp -> start.get(tp) >= stop.get(tp));
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= stop.get(tp) || r.key() == null) {
                        continue;
                    }
                    try {
                        TextEvent e = reader.deserialize(topic, r.value());
                        Boolean label = e.getLabels() == null ? null : parseLabel(e.getLabels().get(LABEL_KEY));
                        sessions.computeIfAbsent(r.key(), k -> new ArrayList<>())
                                .add(new ReplaySession.Event(e.getEventId(), e.getText(), label));
                    } catch (SerializationException ex) {
                        // not a TextEvent: the scorer sends these to its dead-letter topic; nothing to replay
                    }
                }
                open.removeIf(tp -> consumer.position(tp, TIMEOUT) >= stop.get(tp));
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

    private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<String, byte[]> consumer,
                                                      List<TopicPartition> partitions, Instant time,
                                                      Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, found.get(tp) == null ? end.get(tp) : found.get(tp).offset()));
        return out;
    }
}
