package dev.surprisal.cli;

import dev.surprisal.bench.RawLogBenchmark;
import dev.surprisal.bench.TemplateBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "raw-logs", mixinStandardHelpOptions = true,
        description = "A new user's first hours on each loghub 2k sample: a template model trained on its first "
                + "half (only the log format given), its second half scored as one stream; new-template alerts per "
                + "truly new template and flags on lines of templates seen in training, with templates learned "
                + "while scoring and without.")
final class BenchRawLogs implements Callable<Integer> {

    @Option(names = "--data", defaultValue = "../shared/data", description = "Holds hdfs/ and loghub/.")
    Path data;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of each model's training.")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<RawLogBenchmark.Result> results = new java.util.ArrayList<>();
        for (TemplateBenchmark.Sample s : TemplateBenchmark.samples(data)) {
            results.addAll(RawLogBenchmark.run(s.system(), s.log(), s.structured(), s.format(), seed));
        }
        System.out.print(RawLogBenchmark.table(results));
        return 0;
    }
}
