package dev.surprisal.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/reference/cli.md is the commands' options written out: it cannot drift from them. */
class CliReferenceTest {

    @Test
    void theReferenceMatchesTheCommands() throws Exception {
        String written = Files.readString(Path.of("docs", "reference", "cli.md"));
        assertEquals(CliReference.markdown(), written, "docs/reference/cli.md is stale: regenerate it with "
                + "java -jar target/surprisal.jar settings --cli-markdown > docs/reference/cli.md");
    }

    @Test
    void everyCommandAndItsOwnDefaultsAreInIt() {
        String md = CliReference.markdown();
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            assertTrue(md.contains("## `surprisal " + command + "`"), command);
        }
        assertTrue(md.contains("| `--partitions` | `4` |"), "a default only the command line has");
        assertTrue(md.contains("## `surprisal bench formats`"), "subcommands too");
    }
}
