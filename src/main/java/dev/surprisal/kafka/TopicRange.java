package dev.surprisal.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A range of a topic, read with a plain consumer: no group, nothing committed, committed records
 * only, so reading never disturbs the live application. The range is fixed when reading starts
 * (later records are not included); per partition it runs from {@code fromOffsets} or the first
 * record at or after {@code from}, to {@code toOffsets} or the last record at or before {@code to}.
 */
public record TopicRange(String topic, Instant from, Instant to, Map<String, Long> fromOffsets,
                         Map<String, Long> toOffsets) {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LIMIT = Duration.ofMinutes(10);

    public static TopicRange of(String topic, Instant from, Instant to) {
        return new TopicRange(topic, from, to, null, null);
    }

    /** The range's records, in offset order within each partition. */
    public List<ConsumerRecord<String, byte[]>> read(Map<String, Object> clientProps) {
        return readNewest(clientProps, Long.MAX_VALUE).records();
    }

    /** Records read from a range, and how many offsets the whole range spans (more when it was cut). */
    public record Slice(List<ConsumerRecord<String, byte[]>> records, long offsetsInRange, long offsetsRead) {
        public boolean cut() {
            return offsetsRead < offsetsInRange;
        }
    }

    /**
     * At most {@code newest} offsets of the range: when it spans more, each partition keeps its latest,
     * in proportion to its share of the range.
     */
    public Slice readNewest(Map<String, Object> clientProps, long newest) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<String, byte[]> consumer = Clients.readCommitted(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("topic " + topic + " does not exist");
            }
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            Map<TopicPartition, Long> start = from == null ? begin : at(consumer, partitions, from, end);
            Map<TopicPartition, Long> stop = to == null ? end : at(consumer, partitions, to.plusMillis(1), end);
            Map<TopicPartition, long[]> open = new HashMap<>();
            for (TopicPartition tp : partitions) {
                String key = Integer.toString(tp.partition());
                long first = fromOffsets != null && fromOffsets.containsKey(key) ? fromOffsets.get(key) : start.get(tp);
                long last = toOffsets != null && toOffsets.containsKey(key) ? toOffsets.get(key) : stop.get(tp);
                first = Math.max(first, begin.get(tp));
                last = Math.min(last, end.get(tp));
                if (first < last) {
                    open.put(tp, new long[] {first, last});
                }
            }
            Map<TopicPartition, long[]> kept = newest(open, newest);
            long inRange = span(open);
            long read = span(kept);
            return new Slice(drain(consumer, kept), inRange, read);
        }
    }

    private static long span(Map<TopicPartition, long[]> ranges) {
        return ranges.values().stream().mapToLong(r -> r[1] - r[0]).sum();
    }

    /** Moves each partition's start forward so that the offsets left add up to at most {@code max}. */
    static Map<TopicPartition, long[]> newest(Map<TopicPartition, long[]> open, long max) {
        long total = span(open);
        if (total <= max) {
            return open;
        }
        Map<TopicPartition, long[]> kept = new HashMap<>();
        open.forEach((tp, r) -> {
            long keep = (long) Math.floor((double) max * (r[1] - r[0]) / total);
            if (keep > 0) {
                kept.put(tp, new long[] {r[1] - keep, r[1]});
            }
        });
        return kept;
    }

    private static List<ConsumerRecord<String, byte[]>> drain(KafkaConsumer<String, byte[]> consumer,
                                                             Map<TopicPartition, long[]> open) {
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        consumer.assign(open.keySet());
        open.forEach((tp, r) -> consumer.seek(tp, r[0]));
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!open.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("reading the range took longer than " + LIMIT);
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                long[] range = open.get(new TopicPartition(r.topic(), r.partition()));
                if (range != null && r.offset() < range[1]) {
                    out.add(r);
                }
            }
            // transaction markers take offsets without records: a position past the end means done
            open.entrySet().removeIf(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue()[1]);
            consumer.assign(open.keySet());
        }
        return out;
    }

    private static Map<TopicPartition, Long> at(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions,
                                                Instant time, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, found.get(tp) == null ? end.get(tp) : found.get(tp).offset()));
        return out;
    }
}
