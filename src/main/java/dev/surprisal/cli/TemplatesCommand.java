package dev.surprisal.cli;

import dev.surprisal.tokenize.LogFormat;
import dev.surprisal.tokenize.TemplateFile;
import dev.surprisal.tokenize.TemplateMiner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "templates", mixinStandardHelpOptions = true,
        footer = {"%nExample:", "  java -jar surprisal.jar templates --input HDFS.log --log-format \\", "      '<Date> <Time> <Pid> <Level> <Component>: <Content>'"},

        description = "Mines the log templates of a file, as train --tokenizer template would: to inspect parsing "
                + "before training.")
final class TemplatesCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, description = "Raw log lines.")
    Path input;

    @Option(names = "--output", defaultValue = "summary", description = "summary (templates by lines), or tsv: "
            + "lineNumber<TAB>templateId<TAB>template for every line, with each line's final template.")
    String output;

    @Option(names = "--write", description = "Also writes the templates to this file, one per line in id order, for a "
            + "person to correct (merge, split by a word) and train --templates FILE to use as given.")
    Path write;

    @Mixin
    TemplateOptions options;

    @Override
    public Integer call() throws Exception {
        TemplateMiner miner = TemplateMiner.of(options.settings());
        long lines = 0;
        long start = System.nanoTime();
        LogFormat layout = options.logFormat == null ? null : LogFormat.parse(options.logFormat);
        long fitting = 0;
        String first = null;
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines++;
                if (!line.isBlank()) {
                    miner.mine(line);
                }
                if (layout != null && !line.isBlank()) {
                    first = first == null ? line : first;
                    fitting += layout.fits(line) ? 1 : 0;
                }
            }
        }
        miner.settle();
        if (layout != null) {
            layout.requireFits(fitting, miner.templates().stream().mapToLong(TemplateMiner.Template::lines).sum(), first);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (write != null) {
            new TemplateFile(options.settings(), miner.templates().stream().map(TemplateMiner.Template::text).toList())
                    .write(write);
        }
        if ("tsv".equalsIgnoreCase(output)) {
            // each line's template as the model will see it: matched again once mining has settled
            try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                int number = 0;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    number++;
                    TemplateMiner.Template t = line.isBlank() ? null : miner.match(line);
                    if (t != null) {
                        System.out.append(Integer.toString(number)).append('\t').append(Integer.toString(t.id()))
                                .append('\t').append(t.text()).append('\n');
                    }
                }
            }
            System.out.flush();
            return 0;
        }
        List<TemplateMiner.Template> templates = new ArrayList<>(miner.templates());
        templates.sort(Comparator.comparingLong(TemplateMiner.Template::lines).reversed());
        System.out.printf(Locale.ROOT, "%d lines, %d templates, mined at %,.0f lines/s%n", lines,
                templates.size(), lines / Math.max(seconds, 1e-9));
        for (TemplateMiner.Template t : templates) {
            System.out.printf(Locale.ROOT, "%6d  %8d  %s%n", t.id(), t.lines(), t.text());
        }
        return 0;
    }
}
