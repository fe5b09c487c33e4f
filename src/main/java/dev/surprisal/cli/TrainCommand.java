package dev.surprisal.cli;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.training.ConsoleProgress;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.CorpusReader;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains a model on a text file and saves it (weights + manifest) to a directory.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--corpus", required = true, description = "Training text.")
    Path corpus;

    @Option(names = "--format", defaultValue = "lines", description = "lines, sessions or sessions-tsv.")
    String format;

    @Option(names = "--session-regex", description = "lines format: lines sharing this regex's first group form a session.")
    Pattern sessionRegex;

    @Option(names = "--normal-only", description = "sessions-tsv format: learn only from sessions labelled 0.")
    boolean normalOnly;

    @Option(names = "--tokenizer", defaultValue = "byte", description = "byte, word or keys.")
    String tokenizer;

    @Option(names = "--out", required = true, description = "Directory to write the model to.")
    Path out;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm or gru.")
    String cell;

    @Option(names = "--embedding", defaultValue = "64")
    int embedding;

    @Option(names = "--hidden", defaultValue = "256")
    int hidden;

    @Option(names = "--layers", defaultValue = "1")
    int layers;

    @Option(names = "--epochs", defaultValue = "3")
    int epochs;

    @Option(names = "--batch", defaultValue = "32")
    int batch;

    @Option(names = "--lr", defaultValue = "0.002")
    float learningRate;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--threshold-percentile", defaultValue = "99.5",
            description = "Percentile of held-out normal sessions (their largest event perplexity, their worst rank) "
                    + "that calibrates the anomaly threshold and g: about 100 - p % of normal sessions get flagged.")
    double thresholdPercentile;

    @Override
    public Integer call() throws Exception {
        Corpus text = CorpusReader.read(corpus, CorpusReader.Format.parse(format), sessionRegex, normalOnly);
        TrainingOptions defaults = TrainingOptions.defaults();
        TrainingOptions options = new TrainingOptions(tokenizer, ModelSpec.Cell.parse(cell), embedding, hidden, layers,
                epochs, batch, defaults.bptt(), learningRate, defaults.clipGradient(), seed,
                defaults.maxSegmentTokens(), defaults.validationFraction(), thresholdPercentile);
        System.out.printf(Locale.ROOT, "training a %s %s (hidden %d, %d layer%s) on %d sessions, %d events of %s%n",
                tokenizer, cell, hidden, layers, layers == 1 ? "" : "s", text.sessions().size(), text.events(), corpus);
        try (LanguageModel model = new ModelTrainer(options, new ConsoleProgress(System.out)).train(text)) {
            ModelArtifact.save(model, out);
            TrainingMetrics m = model.manifest().metrics();
            System.out.printf(Locale.ROOT, "saved model %s to %s%n", model.version(), out);
            System.out.printf(Locale.ROOT, "trained on %.0f tokens at %.0f tokens/s in %.1f s%n",
                    m.trainTokens(), m.trainTokensPerSecond(), m.trainSeconds());
            System.out.printf(Locale.ROOT, "anomaly threshold (p%s of held-out %s): event perplexity %.3f; top-g: g = %d%n",
                    thresholdPercentile, m.thresholdFromSessions() > 0
                            ? "sessions' largest event perplexity and worst rank" : "event perplexity",
                    model.manifest().anomalyThreshold(), model.manifest().topG());
            System.out.printf(Locale.ROOT, "validation perplexity: %.3f (%.3f bits/token over %.0f held-out tokens)%n",
                    m.validationPerplexity(), m.validationBitsPerToken(), m.validationTokens());
        }
        return 0;
    }
}
