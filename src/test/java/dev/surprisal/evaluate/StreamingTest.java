package dev.surprisal.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Flag rate over event time, and latency from a session's first anomalous event to its first flag. */
class StreamingTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    /** A session whose events are {@code seconds} apart from {@code start}; labels and flags given per event. */
    private static Replayer.SessionResult session(String id, Boolean label, int start, int seconds, Boolean[] labels,
                                                  boolean[] flags) {
        List<ReplaySession.Event> events = new ArrayList<>();
        List<Replayer.EventResult> results = new ArrayList<>();
        for (int i = 0; i < flags.length; i++) {
            Instant t = T0.plusSeconds(start + (long) i * seconds);
            events.add(new ReplaySession.Event(id + i, "x", labels[i], false, t));
            results.add(new Replayer.EventResult(id + i, "x", labels[i], 1, 1, 2, 1, 0, flags[i], List.of(), t));
        }
        return new Replayer.SessionResult(new ReplaySession(id, label, events), results, List.of());
    }

    @Test
    void latencyCountsFromTheFirstAnomalousEventToTheFirstFlag() {
        JsonNode latency = Streaming.of(List.of(
                session("a", true, 0, 10, new Boolean[] {false, true, true, true}, new boolean[] {false, false, false, true}),
                session("b", true, 0, 5, new Boolean[] {null, null}, new boolean[] {true, false}),
                session("c", true, 0, 5, new Boolean[] {null, null}, new boolean[] {false, false}),
                session("d", false, 0, 5, new Boolean[] {null, null}, new boolean[] {true, false})))
                .get("detectionLatency");
        assertEquals(3, latency.get("anomalousSessions").asInt());
        assertEquals(2, latency.get("detected").asInt(), "c was never flagged; d is normal");
        assertEquals(2.0, latency.get("events").get("max").asDouble(), "a: labelled at its 2nd event, flagged at its 4th");
        assertEquals(0.0, latency.get("events").get("median").asDouble());
        assertEquals(20.0, latency.get("seconds").get("max").asDouble());
    }

    @Test
    void flagRateFollowsEventTimeAcrossSessions() {
        // two sessions side by side in time: the first half of the hour calm, the second half all flagged
        boolean[] calm = new boolean[30];
        boolean[] loud = new boolean[30];
        java.util.Arrays.fill(loud, 15, 30, true);
        Boolean[] none = new Boolean[30];
        JsonNode rate = Streaming.of(List.of(session("s1", null, 0, 120, none, calm),
                session("s2", null, 60, 120, none, loud))).get("flagRateOverTime");
        assertEquals("eventTime", rate.get("axis").asText());
        JsonNode buckets = rate.get("buckets");
        assertEquals(0.0, buckets.get(0).get("rate").asDouble());
        assertEquals(0.5, buckets.get(buckets.size() - 1).get("rate").asDouble(), 1e-9);
        long total = 0;
        for (JsonNode b : buckets) {
            total += b.get("events").asLong();
        }
        assertEquals(60, total);
    }
}
