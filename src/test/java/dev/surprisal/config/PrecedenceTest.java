package dev.surprisal.config;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrecedenceTest {

    private static final Map<String, String> ENV = Map.of("SURPRISAL_A", "env", "SURPRISAL_B", "env",
            "SURPRISAL_C", "env", "SURPRISAL_KAFKA_LINGER_MS", "7");

    @Test
    void aFlagBeatsTheFileWhichBeatsTheEnvironmentWhichBeatsTheDefault() {
        Map<String, Object> merged = Precedence.merged(Set.of("a", "b", "c", "d"),
                Map.of("a", "default", "b", "default", "c", "default", "d", "default"), ENV,
                Map.of("a", "file", "b", "file"), Map.of("a", "flag"));
        assertEquals("flag", merged.get("a"));
        assertEquals("file", merged.get("b"));
        assertEquals("env", merged.get("c"));
        assertEquals("default", merged.get("d"));
        assertEquals("7", merged.get("kafka.linger.ms"), "client settings pass through from the environment");
    }

    @Test
    void oneSettingResolvesInTheSameOrder() {
        assertEquals("flag", Precedence.resolve("a", "flag", Map.of("a", "file"), ENV, "default"));
        assertEquals("file", Precedence.resolve("a", null, Map.of("a", "file"), ENV, "default"));
        assertEquals("env", Precedence.resolve("a", null, Map.of(), ENV, "default"));
        assertEquals("default", Precedence.resolve("z", null, Map.of(), ENV, "default"));
    }
}
