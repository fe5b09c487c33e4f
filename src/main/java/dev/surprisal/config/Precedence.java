package dev.surprisal.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one order in which a setting's sources win, for every command, the scorer, the trainer and the demo:
 * a flag (or {@code --set}), then the {@code --config} file, then the {@code SURPRISAL_*} environment, then
 * the default.
 */
public final class Precedence {

    private Precedence() {
    }

    /**
     * The settings of a configuration whose names are {@code keys}: {@code defaults}, overridden by the
     * environment's (and its {@code SURPRISAL_KAFKA_*} client passthroughs), by {@code file}'s, by {@code flags}.
     */
    public static Map<String, Object> merged(Set<String> keys, Map<String, ?> defaults, Map<String, String> env,
                                             Map<String, ?> file, Map<String, ?> flags) {
        Map<String, Object> out = new HashMap<>(defaults);
        out.putAll(Environment.settings(keys, env));
        out.putAll(file);
        out.putAll(flags);
        return out;
    }

    /** One setting: {@code flag} if given, else {@code file}'s, else the environment's, else {@code fallback}. */
    public static Object resolve(String key, Object flag, Map<String, ?> file, Map<String, String> env, Object fallback) {
        return merged(Set.of(key), Map.of(key, fallback), env, file.containsKey(key) ? Map.of(key, file.get(key)) : Map.of(),
                flag == null ? Map.of() : Map.of(key, flag)).get(key);
    }
}
