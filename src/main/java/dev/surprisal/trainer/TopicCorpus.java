package dev.surprisal.trainer;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.training.Corpus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training text a command names on a topic: a range per partition (offsets, or timestamps),
 * read with a plain consumer that never commits, grouped by session in offset order.
 */
final class TopicCorpus {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicCorpus() {
    }

    /** What was read, and what was left out. */
    record Read(Corpus corpus, long events, long leftOutFlagged, long leftOutLabelled, long unreadable) {
    }

    static Read read(Map<String, Object> clientProps, SchemaRegistry registry, TrainCommand command,
                     String anomaliesTopic) {
        Set<String> flagged = command.getExcludeFlagged() ? flaggedEventIds(clientProps, registry, anomaliesTopic)
                : Set.of();
        Deserializer<TextEvent> events = AvroSerdes.value(TextEvent.class, registry).deserializer();
        Map<String, List<String>> sessions = new LinkedHashMap<>();
        long kept = 0;
        long leftOutFlagged = 0;
        long leftOutLabelled = 0;
        long unreadable = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientProps)) {
            Map<TopicPartition, long[]> ranges = ranges(consumer, command);
            for (ConsumerRecord<String, byte[]> r : readRanges(consumer, ranges)) {
                TextEvent event;
                try {
                    event = events.deserialize(r.topic(), r.value());
                } catch (SerializationException e) {
                    unreadable++;
                    continue;
                }
                if (event == null || r.key() == null) {
                    unreadable++;
                } else if (flagged.contains(event.getEventId())) {
                    leftOutFlagged++;
                } else if (hasExcludedLabel(event, command.getExcludeLabels())) {
                    leftOutLabelled++;
                } else {
                    sessions.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(event.getText());
                    kept++;
                }
            }
        }
        if (sessions.isEmpty()) {
            throw new IllegalArgumentException("the range of " + command.getTopic() + " holds no usable events");
        }
        return new Read(new Corpus(new ArrayList<>(sessions.values())), kept, leftOutFlagged, leftOutLabelled, unreadable);
    }

    private static boolean hasExcludedLabel(TextEvent event, Map<String, String> excluded) {
        if (excluded == null || excluded.isEmpty() || event.getLabels() == null) {
            return false;
        }
        return excluded.entrySet().stream().anyMatch(e -> e.getValue().equals(event.getLabels().get(e.getKey())));
    }

    /** [from, to) offsets per partition, resolved now: a range never grows while it is read. */
    private static Map<TopicPartition, long[]> ranges(KafkaConsumer<String, byte[]> consumer, TrainCommand c) {
        List<TopicPartition> partitions = consumer.partitionsFor(c.getTopic(), TIMEOUT).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("topic " + c.getTopic() + " does not exist");
        }
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> fromTime = c.getFromTimestamp() == null ? Map.of()
                : atTime(consumer, partitions, c.getFromTimestamp().toEpochMilli(), end);
        Map<TopicPartition, Long> toTime = c.getToTimestamp() == null ? Map.of()
                : atTime(consumer, partitions, c.getToTimestamp().toEpochMilli() + 1, end);
        Map<TopicPartition, long[]> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            String key = Integer.toString(tp.partition());
            long from = c.getFromOffsets() != null && c.getFromOffsets().containsKey(key) ? c.getFromOffsets().get(key)
                    : fromTime.getOrDefault(tp, begin.get(tp));
            long to = c.getToOffsets() != null && c.getToOffsets().containsKey(key) ? c.getToOffsets().get(key)
                    : toTime.getOrDefault(tp, end.get(tp));
            out.put(tp, new long[] {Math.max(from, begin.get(tp)), Math.min(to, end.get(tp))});
        }
        return out;
    }

    private static Map<TopicPartition, Long> atTime(KafkaConsumer<String, byte[]> consumer,
                                                    List<TopicPartition> partitions, long time,
                                                    Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp at = found.get(tp);
            out.put(tp, at == null ? end.get(tp) : at.offset());
        }
        return out;
    }

    private static List<ConsumerRecord<String, byte[]>> readRanges(KafkaConsumer<String, byte[]> consumer,
                                                                   Map<TopicPartition, long[]> ranges) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        Map<TopicPartition, long[]> open = new HashMap<>();
        ranges.forEach((tp, r) -> {
            if (r[0] < r[1]) {
                open.put(tp, r);
            }
        });
        consumer.assign(open.keySet());
        open.forEach((tp, r) -> consumer.seek(tp, r[0]));
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!open.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading the training range took longer than 10 minutes");
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                long[] range = open.get(tp);
                if (range != null && r.offset() < range[1]) {
                    out.add(r);
                }
            }
            // with transactions, offsets past the last record (markers) count as read
            open.entrySet().removeIf(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue()[1]);
            consumer.assign(open.keySet());
        }
        return out;
    }

    private static Set<String> flaggedEventIds(Map<String, Object> clientProps, SchemaRegistry registry, String topic) {
        Set<String> ids = new HashSet<>();
        Deserializer<ScoredEvent> scores = AvroSerdes.value(ScoredEvent.class, registry).deserializer();
        try (KafkaConsumer<String, byte[]> consumer = consumer(clientProps)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            Map<TopicPartition, long[]> all = new HashMap<>();
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
            consumer.endOffsets(partitions, TIMEOUT).forEach((tp, end) -> all.put(tp, new long[] {begin.get(tp), end}));
            for (ConsumerRecord<String, byte[]> r : readRanges(consumer, all)) {
                try {
                    ids.add(scores.deserialize(topic, r.value()).getEventId());
                } catch (SerializationException e) {
                    // not a score: nothing to leave out
                }
            }
        }
        return ids;
    }

    private static KafkaConsumer<String, byte[]> consumer(Map<String, Object> clientProps) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
