package dev.surprisal.cli;

import dev.surprisal.stream.ScorerConfig;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What score's flags become among the scorer's settings. */
class ScoreCommandTest {

    private static final String STREAMS_REPLICATION = ScorerConfig.KAFKA_PREFIX + "replication.factor";

    private static Map<String, Object> overrides(String... args) {
        ScoreCommand command = new ScoreCommand();
        new CommandLine(command).parseArgs(args);
        return command.overrides();
    }

    @Test
    void oneReplicationFlagCoversKafkaStreamsOwnTopicsToo() {
        assertEquals(3, overrides("--replication-factor", "3").get(STREAMS_REPLICATION));
    }

    @Test
    void anExplicitStreamsSettingWinsAndNoFlagLeavesItToTheEnvironmentAndTheDefault() {
        assertEquals("2", overrides("--replication-factor", "3", "--set", STREAMS_REPLICATION + "=2")
                .get(STREAMS_REPLICATION));
        assertFalse(overrides().containsKey(STREAMS_REPLICATION));
    }
}
