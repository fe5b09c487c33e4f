package dev.surprisal.testing;

import dev.surprisal.stream.ScorerConfig;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings of a scorer whose application id and topics are its own, so tests on one broker never share them. */
public final class IsolatedScorer {

    private static final List<String> TOPICS = List.of(ScorerConfig.INPUT_TOPIC, ScorerConfig.OUTPUT_TOPIC,
            ScorerConfig.DLQ_TOPIC, ScorerConfig.ANOMALIES_TOPIC, ScorerConfig.SUMMARIES_TOPIC);

    private IsolatedScorer() {
    }

    /** Application id {@code name}; topics {@code name.input}, {@code name.output}, … */
    public static Map<String, Object> settings(String bootstrapServers, String name) {
        Map<String, Object> settings = new HashMap<>();
        settings.put(ScorerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(ScorerConfig.APPLICATION_ID, name);
        for (String topic : TOPICS) {
            settings.put(topic, name + "." + topic.replace(".topic", ""));
        }
        return settings;
    }
}
