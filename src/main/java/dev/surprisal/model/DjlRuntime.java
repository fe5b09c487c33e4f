package dev.surprisal.model;

import java.nio.file.Path;

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
            setDefault("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".cache", "surprisal", "djl").toString());
        }
    }

    /**
     * Intra-op threads for a batched call ({@code surprisal.batch.threads}, env SURPRISAL_BATCH_THREADS;
     * default 1). A batch is enough work to share between cores (at hidden 256 a 64-session batch ran
     * 95k tokens/s on one thread, 149k on two), but with the broker on the same two cores the second
     * thread bought no end-to-end throughput and lengthened the latency tail: raise it where the
     * scorer has cores of its own.
     */
    public static int batchThreads() {
        String configured = System.getProperty("surprisal.batch.threads", System.getenv("SURPRISAL_BATCH_THREADS"));
        return configured == null ? 1 : Math.max(1, Integer.parseInt(configured));
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
