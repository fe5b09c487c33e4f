package dev.surprisal.cli;

import dev.surprisal.tokenize.TemplateMiner;
import dev.surprisal.tokenize.TemplateSettings;

import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** How raw log lines are mined into templates: shared by {@code templates} and {@code train --tokenizer template}. */
final class TemplateOptions {

    @Option(names = "--log-format", description = "Layout of a line in logparser's notation, e.g. "
            + "'<Date> <Time> <Pid> <Level> <Component>: <Content>'; only <Content> is mined (default: a header detector skips leading dates, times, pids, levels and a "
            + "component: token).")
    String logFormat;

    @Option(names = "--mask", description = "A regular expression for variables of your own, masked as <*> before the "
            + "built-in rules (repeatable).")
    List<String> masks = new ArrayList<>();

    @Option(names = "--template-similarity", defaultValue = "" + TemplateMiner.DEFAULT_SIMILARITY,
            description = "Share of a template's constant tokens a line must repeat to be that template.")
    double similarity;

    TemplateSettings settings() {
        return new TemplateSettings(logFormat, masks, similarity);
    }
}
