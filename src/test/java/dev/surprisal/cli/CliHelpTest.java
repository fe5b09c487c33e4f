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

    /** Help that formats cleanly (a bare % in a description makes picocli warn) and says what every option is. */
    @Test
    void everyOptionIsDescribedAndEveryHelpFormats() {
        List<String> undescribed = new java.util.ArrayList<>();
        java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        System.setErr(new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            visit(Main.commandLine(), undescribed);
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of(), undescribed, "options without a description");
        assertEquals("", warnings.toString(java.nio.charset.StandardCharsets.UTF_8), "help printed warnings");
    }

    private static void visit(CommandLine command, List<String> undescribed) {
        String name = command.getCommandSpec().qualifiedName();
        for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
            if (String.join(" ", option.description()).isBlank()) {
                undescribed.add(name + " " + option.longestName());
            }
        }
        command.getUsageMessage();
        command.getSubcommands().values().forEach(sub -> visit(sub, undescribed));
    }
}
