package dev.surprisal.testing;

import dev.surprisal.stream.ScorerConfig;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Settings of a scorer whose application id and topics are its own, so tests on one broker never share them. */
public final class IsolatedScorer {

    private IsolatedScorer() {
    }

    /** {@code name} with a suffix of this run's own: a broker kept between runs never mixes them. */
    public static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Application id {@code name}; topics {@code name.text-events}, {@code name.token-scores}, … */
    public static Map<String, Object> settings(String bootstrapServers, String name) {
        Map<String, Object> settings = new HashMap<>(ScorerConfig.prefixedTopics(name));
        settings.put(ScorerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(ScorerConfig.APPLICATION_ID, name);
        return settings;
    }
}
