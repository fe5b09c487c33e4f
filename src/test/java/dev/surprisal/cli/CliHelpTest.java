package dev.surprisal.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliHelpTest {

    @Test
    void everyCommandsHelpShowsAnExample() {
        CommandLine cli = new CommandLine(new Main());
        List<String> without = cli.getSubcommands().entrySet().stream()
                .filter(e -> !e.getValue().getUsageMessage().contains("Example"))
                .map(java.util.Map.Entry::getKey).toList();
        assertEquals(List.of(), without);
    }

    @Test
    void theVersionNamesWhatItRunsOn() {
        String version = String.join("\n", new Versions().getVersion());
        for (String part : List.of("surprisal ", "Kafka 4.", "DJL ", "PyTorch ", "Java ")) {
            assertTrue(version.contains(part), version);
        }
    }
}
