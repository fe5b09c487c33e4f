package dev.surprisal.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one place settings are read from the environment: any key of a configuration can be set as
 * {@code SURPRISAL_} + the key upper-cased with dots as underscores (e.g. SURPRISAL_INPUT_TOPIC),
 * and {@code SURPRISAL_KAFKA_*} variables become {@code kafka.*} client settings.
 */
public final class Environment {

    public static final String PREFIX = "SURPRISAL_";
    public static final String KAFKA_PREFIX = "kafka.";

    private Environment() {
    }

    /**
     * Where the product keeps its caches (the DJL natives, the demo's model and broker):
     * {@code $XDG_CACHE_HOME/surprisal}, else {@code $HOME/.cache/surprisal}, else under Java's
     * {@code user.home} (which does not follow {@code HOME}, so two users of one account would share it).
     */
    public static Path cacheDir(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "surprisal");
        }
        String home = env.get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".cache", "surprisal");
    }

    public static Path cacheDir() {
        return cacheDir(System.getenv());
    }

    public static String name(String key) {
        return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** The settings {@code env} gives for {@code keys} (a configuration's names), and every Kafka client passthrough. */
    public static Map<String, Object> settings(Set<String> keys, Map<String, String> env) {
        Map<String, Object> out = new HashMap<>();
        for (String key : keys) {
            String value = env.get(name(key));
            if (value != null) {
                out.put(key, value);
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith(PREFIX + "KAFKA_")) {
                out.put(KAFKA_PREFIX + name.substring((PREFIX + "KAFKA_").length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.'), value);
            }
        });
        return out;
    }

    /** The variable that sets {@code key}, or null. */
    public static String variable(String key) {
        return System.getenv(name(key));
    }

    /**
     * Whether a terminal may be coloured: it is one, and NO_COLOR (the convention of no-color.org, any
     * value) is not set.
     */
    public static boolean colourTerminal() {
        return System.console() != null && System.getenv("NO_COLOR") == null;
    }

    /** A process-level setting outside any configuration class: a system property, else its variable. */
    public static String setting(String key) {
        return System.getProperty(key, System.getenv(name(key.startsWith("surprisal.")
                ? key.substring("surprisal.".length()) : key)));
    }
}
