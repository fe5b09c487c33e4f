package dev.surprisal.cli;

import dev.surprisal.bench.BenchModels;
import dev.surprisal.bench.RestoreBenchmark;
import dev.surprisal.model.LanguageModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Restart to resumed scoring against the number of sessions in the store: on local state, "
                + "and on an empty state directory (rebuilt from the changelog, as after a kill -9).")
final class BenchRestore implements Callable<Integer> {

    @Option(names = "--sessions", split = ",", defaultValue = "1000,100000",
            description = "Sessions in the store, one measurement each (comma-separated).")
    List<Integer> sessions;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden size of the model.")
    int hidden;

    @Override
    public Integer call() throws Exception {
        try (LanguageModel model = BenchModels.random(hidden, 0)) {
            System.out.println(new RestoreBenchmark(model).run(sessions).toPrettyString());
        }
        return 0;
    }
}
