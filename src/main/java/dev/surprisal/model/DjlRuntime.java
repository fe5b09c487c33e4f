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

    public static void configure() {
        setDefault("ai.djl.offline", "true");
        setDefault("ai.djl.pytorch.num_threads", "1");
        setDefault("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getenv("DJL_CACHE_DIR") == null) {
            setDefault("DJL_CACHE_DIR", Environment.cacheDir().resolve("djl").toString());
        }
    }

    /**
     * Intra-op threads for a large batched call ({@code surprisal.batch.threads}, env
     * SURPRISAL_BATCH_THREADS; default: the available cores). At hidden 256 a 64-session batch ran
     * 95k tokens/s on one thread and 149k on two; single events and small batches stay on one thread
     * (see {@link #batchThreadsFromSessions()}).
     */
    public static int batchThreads() {
        String configured = Environment.setting("surprisal.batch.threads");
        return configured == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, Integer.parseInt(configured));
    }

    /**
     * Sessions from which a batched call uses {@link #batchThreads()} ({@code surprisal.batch.threads.from.sessions},
     * env SURPRISAL_BATCH_THREADS_FROM_SESSIONS; default 64). On two cores shared with Kafka the
     * second thread waits for the core at every step: worth it when a backlog fills batches, while
     * at moderate load (smaller batches) it only lengthened the latency tail (half-load p99 416 ms
     * against 229 ms on one thread).
     */
    public static int batchThreadsFromSessions() {
        String configured = Environment.setting("surprisal.batch.threads.from.sessions");
        return configured == null ? 64 : Math.max(2, Integer.parseInt(configured));
    }

    /**
     * Logits (sessions × positions × vocabulary floats) one native call may produce
     * ({@code surprisal.max.logits.per.call}, env SURPRISAL_MAX_LOGITS_PER_CALL; default 8M, 32 MB).
     * Longer segments are cut in time: native memory stays bounded by this, not by the input, at the
     * price of more calls for large vocabularies.
     */
    public static long maxLogitsPerCall() {
        String configured = Environment.setting("surprisal.max.logits.per.call");
        return configured == null ? 8L << 20 : Math.max(1, Long.parseLong(configured));
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
