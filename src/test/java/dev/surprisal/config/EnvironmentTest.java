package dev.surprisal.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EnvironmentTest {

    /** Two users of one account (different HOMEs) do not share a demo broker's directory. */
    @Test
    void cachesFollowXdgThenHomeNotJavasUserHome() {
        assertEquals(Path.of("/x/cache", "surprisal"), Environment.cacheDir(Map.of("XDG_CACHE_HOME", "/x/cache",
                "HOME", "/home/a")));
        assertEquals(Path.of("/home/b", ".cache", "surprisal"), Environment.cacheDir(Map.of("HOME", "/home/b")));
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "surprisal"), Environment.cacheDir(Map.of()));
    }
}
