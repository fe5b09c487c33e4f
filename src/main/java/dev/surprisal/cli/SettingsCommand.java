package dev.surprisal.cli;

import dev.surprisal.config.Environment;
import dev.surprisal.drift.DriftSettings;
import dev.surprisal.input.InputSettings;
import dev.surprisal.model.DjlRuntime;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.stream.ScorerConfig;

import org.apache.kafka.common.config.ConfigDef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "settings", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar settings --markdown > docs/configuration.md",
            "  java -jar surprisal.jar settings --cli-markdown > docs/reference/cli.md"},
        description = "Every setting of the scorer and the trainer, from their definitions: key, environment "
                + "variable, default and meaning.")
final class SettingsCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print docs/configuration.md (the catalogue as Markdown tables).")
    boolean markdown;

    @Option(names = "--cli-markdown", description = "Print docs/reference/cli.md (every command's options and defaults).")
    boolean cliMarkdown;

    @Override
    public Integer call() {
        if (cliMarkdown) {
            System.out.print(CliReference.markdown());
            return 0;
        }
        if (markdown) {
            System.out.print(markdown());
            return 0;
        }
        for (Map.Entry<String, ConfigDef> def : definitions().entrySet()) {
            System.out.println(def.getKey());
            for (ConfigDef.ConfigKey k : keys(def.getValue())) {
                System.out.printf("  %-42s %s%n", k.name, defaultOf(k));
            }
        }
        return 0;
    }

    /**
     * One table per definition, as Kafka's documentation lists each client's: the scorer's own, then those of
     * the parts it composes (input, drift watch, lifecycle topics, which the trainer shares in part), then the
     * trainer's own.
     */
    static Map<String, ConfigDef> definitions() {
        Map<String, ConfigDef> parts = new java.util.LinkedHashMap<>();
        parts.put("Input: how the topics people already have are read (score, demo, trainer)",
                InputSettings.define(new ConfigDef()));
        parts.put("Drift watch (score, demo)", DriftSettings.define(new ConfigDef()));
        parts.put("Model lifecycle topics (score, demo, trainer, models)", ReleaseTopics.define(new ConfigDef()));
        ConfigDef scorerOwn = new ConfigDef();
        ScorerConfig.DEFINITION.configKeys().values().stream()
                .filter(k -> parts.values().stream().noneMatch(d -> d.names().contains(k.name)))
                .forEach(scorerOwn::define);
        ConfigDef trainerOnly = new ConfigDef();
        TrainerConfig.DEFINITION.configKeys().values().stream()
                .filter(k -> !ScorerConfig.DEFINITION.names().contains(k.name))
                .forEach(trainerOnly::define);
        Map<String, ConfigDef> out = new java.util.LinkedHashMap<>();
        out.put("Scorer (score, demo)", scorerOwn);
        out.putAll(parts);
        out.put("Trainer (trainer), besides the topic and input settings it shares with the scorer", trainerOnly);
        return out;
    }

    static String markdown() {
        StringBuilder md = new StringBuilder("# Configuration\n\n")
                .append("Generated from the settings' definitions by `java -jar target/surprisal.jar settings --markdown`")
                .append(" (`SettingsCatalogueTest` fails when this file and the definitions differ).\n\n")
                .append("Every key can also be set in the environment as `").append(Environment.PREFIX)
                .append("` + the key upper-cased with `_` for `.`. One order holds for every command: a flag or `--set`, then the `--config` file, then the ")
                .append("environment, then the default. Keys ")
                .append("starting with `kafka.` (or `SURPRISAL_KAFKA_*`) go to Kafka Streams and its clients without ")
                .append("the prefix, and `--config` files hold Kafka client and registry client settings.\n");
        for (Map.Entry<String, ConfigDef> def : definitions().entrySet()) {
            md.append("\n## ").append(def.getKey()).append("\n\n| key | environment | default | meaning |\n")
                    .append("| --- | --- | --- | --- |\n");
            for (ConfigDef.ConfigKey k : keys(def.getValue())) {
                md.append("| `").append(k.name).append("` | `").append(Environment.name(k.name)).append("` | ")
                        .append(cell(defaultOf(k))).append(" | ").append(cell(k.documentation)).append(" |\n");
            }
        }
        md.append("\n## Every command (process-wide: a system property `-Dkey=value`, or the variable)\n\n")
                .append("| key | environment | default | meaning |\n| --- | --- | --- | --- |\n");
        for (DjlRuntime.Setting k : DjlRuntime.SETTINGS) {
            // read by Environment.setting: SURPRISAL_ + the key without its own surprisal. prefix
            md.append("| `").append(k.key()).append("` | `")
                    .append(Environment.name(k.key().replaceFirst("^surprisal\\.", ""))).append("` | ")
                    .append(k.defaultValue().matches("[0-9]+") ? "`" + k.defaultValue() + "`" : k.defaultValue())
                    .append(" | ").append(cell(k.doc())).append(" |\n");
        }
        md.append("| `DJL_CACHE_DIR` | `DJL_CACHE_DIR` | `$XDG_CACHE_HOME/surprisal/djl`, else `~/.cache/surprisal/djl` | ")
                .append("Where DJL unpacks PyTorch's native libraries from the jar (offline). |\n")
                .append("| `NO_COLOR` | `NO_COLOR` | (unset) | Set: `demo` and `consume` print without colour. |\n");
        return md.toString();
    }

    private static List<ConfigDef.ConfigKey> keys(ConfigDef def) {
        return new TreeMap<>(def.configKeys()).values().stream().collect(Collectors.toList());
    }

    private static String defaultOf(ConfigDef.ConfigKey k) {
        if (!k.hasDefault()) {
            return "(required)";
        }
        Object v = k.defaultValue;
        if (v == null || "".equals(v) || (v instanceof List<?> l && l.isEmpty())) {
            return "(empty)";
        }
        if (k.type == ConfigDef.Type.PASSWORD) {
            return "(hidden)";
        }
        String tmp = System.getProperty("java.io.tmpdir");
        String text = v instanceof List<?> l ? l.stream().map(String::valueOf).collect(Collectors.joining(",")) : v.toString();
        // the machine's temporary directory is not part of the catalogue
        return "`" + text.replace(tmp, "$TMPDIR") + "`";
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }
}
