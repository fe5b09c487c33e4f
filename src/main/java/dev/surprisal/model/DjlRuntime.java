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

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
