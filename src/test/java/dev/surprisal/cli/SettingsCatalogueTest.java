package dev.surprisal.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md is the settings' definitions written out: it cannot drift from them. */
class SettingsCatalogueTest {

    @Test
    void theCatalogueMatchesTheDefinitions() throws Exception {
        String written = Files.readString(Path.of("docs", "configuration.md"));
        assertEquals(SettingsCommand.markdown(), written, "docs/configuration.md is stale: regenerate it with "
                + "java -jar target/surprisal.jar settings --markdown > docs/configuration.md");
    }

    @Test
    void everySettingIsInIt() {
        String md = SettingsCommand.markdown();
        for (String key : dev.surprisal.stream.ScorerConfig.DEFINITION.names()) {
            assertTrue(md.contains("| `" + key + "` |"), key);
        }
        for (String key : dev.surprisal.retraining.TrainerConfig.DEFINITION.names()) {
            assertTrue(md.contains("| `" + key + "` |"), key);
        }
        assertTrue(md.contains("`$TMPDIR/surprisal-state`"), "no machine's own temporary directory");
    }
}
