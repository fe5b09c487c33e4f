package dev.surprisal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.List;

/**
 * docs/reference/cli.md: every command's options with their defaults, written from the commands
 * themselves, so the reference cannot drift from what the jar accepts. Settings a command shares
 * with the scorer or trainer take their defaults from those definitions (configuration.md).
 */
final class CliReference {

    private CliReference() {
    }

    static String markdown() {
        StringBuilder md = new StringBuilder("# Command-line options\n\n")
                .append("Generated from the commands by `java -jar target/surprisal.jar settings --cli-markdown` ")
                .append("(`CliReferenceTest` fails when this file and the commands differ). Options that are settings ")
                .append("of the scorer or the trainer share their defaults with [the configuration](../configuration.md); ")
                .append("`--set key=value` sets any of those.\n");
        CommandLine root = Main.commandLine();
        for (CommandLine command : root.getSubcommands().values()) {
            write(md, command.getCommandSpec());
        }
        return md.toString();
    }

    private static void write(StringBuilder md, CommandSpec spec) {
        md.append("\n## `").append(spec.qualifiedName()).append("`\n\n")
                .append(String.join(" ", spec.usageMessage().description()).replace("%n", " ").trim()).append("\n");
        List<OptionSpec> options = spec.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
        if (!options.isEmpty()) {
            md.append("\n| option | default | meaning |\n| --- | --- | --- |\n");
            for (OptionSpec o : options) {
                String value = o.defaultValue() == null ? "" : "`" + o.defaultValue().replace("\t", "\\t") + "`";
                md.append("| `").append(String.join("`, `", o.names())).append("` | ").append(cell(value)).append(" | ")
                        .append(cell(String.join(" ", o.description()))).append(" |\n");
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            if (sub.getCommandSpec().parent() == spec) {
                write(md, sub.getCommandSpec());
            }
        }
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ").replace("%n", " ");
    }
}
