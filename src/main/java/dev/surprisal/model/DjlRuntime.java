package dev.surprisal.model;

import dev.surprisal.config.Environment;


/**
 * DJL settings that must be in place before the engine loads: offline (native libraries come from
 * the pytorch-native jar on the classpath, never from the network), a cache directory of our own,
 * and one intra-op thread, which on few cores gives far steadier per-event latency than the default.
 * Anything the user set already (system property or environment) wins.
 */
public final class DjlRuntime {

    private DjlRuntime() {
    }

    /** A process-wide setting: a system property, or the {@code SURPRISAL_*} variable of its key. */
    public record Setting(String key, String defaultValue, String doc) {

        /** What the process was given, else the default: the one place the default is written. */
        String value() {
            String configured = Environment.setting(key);
            return configured != null ? configured : defaultValue;
        }
    }

    public static final Setting BATCH_THREADS = new Setting("surprisal.batch.threads", "the available cores",
            "Intra-op threads of a large batched model call. At hidden 256 a 64-session batch ran 95k tokens/s on one "
                    + "thread and 149k on two.");
    public static final Setting BATCH_THREADS_FROM_SESSIONS = new Setting("surprisal.batch.threads.from.sessions",
            "64", "Sessions from which a batched call uses surprisal.batch.threads; smaller calls stay on one thread "
                    + "(on two cores shared with Kafka a second thread lengthened the half-load latency tail).");
    public static final Setting MAX_LOGITS_PER_CALL = new Setting("surprisal.max.logits.per.call", "8388608",
            "Logits (sessions x positions x vocabulary floats) one native call may produce; longer segments are cut "
                    + "in time, so native memory is bounded by this (32 MB), not by the input.");
    /** Every process-wide setting, for the settings catalogue. */
    public static final java.util.List<Setting> SETTINGS = java.util.List.of(BATCH_THREADS, BATCH_THREADS_FROM_SESSIONS,
            MAX_LOGITS_PER_CALL);

    public static void configure() {
        setDefault("ai.djl.offline", "true");
        setDefault("ai.djl.pytorch.num_threads", "1");
        setDefault("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getenv("DJL_CACHE_DIR") == null) {
            setDefault("DJL_CACHE_DIR", Environment.cacheDir().resolve("djl").toString());
        }
    }

    /** {@link #BATCH_THREADS}. */
    public static int batchThreads() {
        String configured = Environment.setting(BATCH_THREADS.key());
        return configured == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(configured));
    }

    /** {@link #BATCH_THREADS_FROM_SESSIONS}. */
    public static int batchThreadsFromSessions() {
        return Math.max(2, Integer.parseInt(BATCH_THREADS_FROM_SESSIONS.value()));
    }

    /** {@link #MAX_LOGITS_PER_CALL}. */
    public static long maxLogitsPerCall() {
        return Math.max(1, Long.parseLong(MAX_LOGITS_PER_CALL.value()));
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
