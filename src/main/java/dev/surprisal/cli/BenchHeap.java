package dev.surprisal.cli;

import dev.surprisal.bench.BenchModels;
import dev.surprisal.bench.HeapBenchmark;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.stream.ScorerConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "heap", mixinStandardHelpOptions = true,
        description = "Scores batches of events at the text size limit with the scorer's defaults; run under "
                + "-Xmx to show the defaults fit. Prints the peak heap seen.")
final class BenchHeap implements Callable<Integer> {

    @Option(names = "--vocabulary", defaultValue = "0", description = "0: a byte model; N: a word model of N words.")
    int vocabulary;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
    int hidden;

    @Option(names = "--events", defaultValue = "300", description = "Events scored.")
    int events;

    @Option(names = "--set", description = "Scorer settings, key=value (text.max.bytes, scoring.batch.max.*).")
    Map<String, String> settings = new HashMap<>();

    @Override
    public Integer call() {
        try (LanguageModel model = BenchModels.random(hidden, vocabulary)) {
            System.out.println(new HeapBenchmark(model, new ScorerConfig(settings)).run(events));
        }
        return 0;
    }
}
