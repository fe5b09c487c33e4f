package dev.surprisal.kafka;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class TopicRangeTest {

    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);
    private static final TopicPartition P2 = new TopicPartition("t", 2);

    @Test
    void aRangeOverTheCapKeepsEachPartitionsNewestInProportion() {
        Map<TopicPartition, long[]> open = Map.of(P0, new long[] {0, 100}, P1, new long[] {50, 350});
        Map<TopicPartition, long[]> kept = TopicRange.newest(open, 200);
        assertArrayEquals(new long[] {50, 100}, kept.get(P0));
        assertArrayEquals(new long[] {200, 350}, kept.get(P1));
    }

    @Test
    void aRangeWithinTheCapIsReadWholeAndATinyShareIsLeftOut() {
        Map<TopicPartition, long[]> open = Map.of(P0, new long[] {0, 100}, P1, new long[] {0, 100});
        assertSame(open, TopicRange.newest(open, 200));
        Map<TopicPartition, long[]> kept = TopicRange.newest(Map.of(P0, new long[] {0, 1000}, P2, new long[] {0, 1}), 10);
        assertEquals(1, kept.size(), "a partition whose share rounds to nothing is not read");
        assertArrayEquals(new long[] {991, 1000}, kept.get(P0));
    }
}
