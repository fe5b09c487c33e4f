package dev.surprisal.cli;

import dev.surprisal.bench.TemplateBenchmark;
import dev.surprisal.tokenize.TemplateMiner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "templates", mixinStandardHelpOptions = true,
        description = "Template mining on the loghub 2k samples (or any labelled log: --input, --truth): grouping "
                + "accuracy against the true templates, and lines mined per second on one core.")
final class BenchTemplates implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "../shared/data", description = "Holds hdfs/ and loghub/.")
    Path data;

    @Option(names = "--similarity", defaultValue = "" + TemplateMiner.DEFAULT_SIMILARITY,
            description = "Share of a template's constant tokens a line must repeat to be that template.")
    double similarity;

    @Option(names = "--rounds", defaultValue = "20", description = "Times each file is mined for the speed figure.")
    int rounds;

    @Option(names = "--without-formats", description = "Mine whole lines, headers included.")
    boolean withoutFormats;

    @Option(names = "--input", description = "Any labelled log instead of the samples under --data: its raw lines "
            + "(with --truth).")
    Path input;

    @Option(names = "--truth", description = "The true template of each line of --input: a loghub-style CSV with an "
            + "EventId (or EventTemplate) column, a row per line.")
    Path truth;

    @Option(names = "--log-format", description = "The layout of --input's lines (default: the header detector).")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        List<TemplateBenchmark.Result> results = new java.util.ArrayList<>();
        if (input != null || truth != null) {
            if (input == null || truth == null) {
                throw new IllegalArgumentException("--input and --truth go together");
            }
            results.add(TemplateBenchmark.run(input.getFileName().toString(), input, truth,
                    withoutFormats ? null : logFormat, similarity, rounds));
            System.out.print(TemplateBenchmark.table(results));
            return 0;
        }
        for (TemplateBenchmark.Sample s : TemplateBenchmark.samples(data)) {
            results.add(TemplateBenchmark.run(s.system(), s.log(), s.structured(), withoutFormats ? null : s.format(),
                    similarity, rounds));
        }
        System.out.print(TemplateBenchmark.table(results));
        return 0;
    }
}
