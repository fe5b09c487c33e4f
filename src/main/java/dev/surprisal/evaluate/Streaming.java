package dev.surprisal.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What a replay says about the detector as it would have run live: the share of events flagged over
 * time (over event time where the input has one, else over the input's order), and how long after a
 * session's first anomalous event the first flag came, in events and in seconds.
 */
final class Streaming {

    static final int BUCKETS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Timed(Instant time, long order, boolean flagged) {
    }

    private Streaming() {
    }

    static ObjectNode of(List<Replayer.SessionResult> results) {
        ObjectNode out = JSON.createObjectNode();
        out.set("flagRateOverTime", flagRate(results));
        out.set("detectionLatency", latency(results));
        return out;
    }

    private static ObjectNode flagRate(List<Replayer.SessionResult> results) {
        List<Timed> events = new ArrayList<>();
        long order = 0;
        for (Replayer.SessionResult r : results) {
            for (Replayer.EventResult e : r.events()) {
                events.add(new Timed(e.time(), order++, e.flagged()));
            }
        }
        boolean timed = !events.isEmpty() && events.stream().allMatch(t -> t.time() != null);
        ObjectNode out = JSON.createObjectNode().put("axis", timed ? "eventTime" : "inputOrder");
        ArrayNode buckets = out.putArray("buckets");
        if (events.isEmpty()) {
            return out;
        }
        // sessions are replayed one after another: put events back on one clock before bucketing
        events.sort(timed ? Comparator.comparing(Timed::time) : Comparator.comparingLong(Timed::order));
        double first = position(events.get(0), timed);
        double span = Math.max(1e-9, position(events.get(events.size() - 1), timed) - first);
        long[] counts = new long[BUCKETS];
        long[] flagged = new long[BUCKETS];
        for (Timed t : events) {
            int b = (int) Math.min(BUCKETS - 1, (position(t, timed) - first) / span * BUCKETS);
            counts[b]++;
            flagged[b] += t.flagged() ? 1 : 0;
        }
        for (int b = 0; b < BUCKETS; b++) {
            if (counts[b] == 0) {
                continue;
            }
            double start = first + span * b / BUCKETS;
            buckets.addObject()
                    .put("start", timed ? Instant.ofEpochMilli((long) start).toString() : String.valueOf((long) start))
                    .put("offset", timed ? (start - first) / 1000.0 : start - first)
                    .put("events", counts[b]).put("flagged", flagged[b])
                    .put("rate", (double) flagged[b] / counts[b]);
        }
        return out;
    }

    private static double position(Timed t, boolean timed) {
        return timed ? t.time().toEpochMilli() : t.order();
    }

    /**
     * Over anomalous sessions: from the first event labelled anomalous (the session's first event
     * when only the session is labelled) to the first flag at or after it.
     */
    private static ObjectNode latency(List<Replayer.SessionResult> results) {
        List<Double> events = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        int anomalous = 0;
        for (Replayer.SessionResult r : results) {
            if (!Boolean.TRUE.equals(r.session().label()) || r.events().isEmpty()) {
                continue;
            }
            anomalous++;
            List<Replayer.EventResult> es = r.events();
            int start = 0;
            for (int i = 0; i < es.size(); i++) {
                if (Boolean.TRUE.equals(es.get(i).label())) {
                    start = i;
                    break;
                }
            }
            for (int i = start; i < es.size(); i++) {
                if (es.get(i).flagged()) {
                    events.add((double) (i - start));
                    if (es.get(i).time() != null && es.get(start).time() != null) {
                        seconds.add(Duration.between(es.get(start).time(), es.get(i).time()).toMillis() / 1000.0);
                    }
                    break;
                }
            }
        }
        ObjectNode out = JSON.createObjectNode().put("anomalousSessions", anomalous).put("detected", events.size());
        out.set("events", summary(events));
        out.set("seconds", summary(seconds));
        return out;
    }

    private static ObjectNode summary(List<Double> values) {
        ObjectNode out = JSON.createObjectNode().put("count", values.size());
        if (values.isEmpty()) {
            return out;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return out.put("mean", Arrays.stream(sorted).average().orElse(Double.NaN))
                .put("median", sorted[(sorted.length - 1) / 2])
                .put("p90", sorted[(int) Math.ceil(0.9 * sorted.length) - 1])
                .put("max", sorted[sorted.length - 1]);
    }
}
