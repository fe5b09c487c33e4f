package dev.surprisal.cli;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TrainingMetrics;
import dev.surprisal.session.FileFormat;
import dev.surprisal.tokenize.LogFormat;
import dev.surprisal.tokenize.TemplateFile;
import dev.surprisal.tokenize.Tokenizers;
import dev.surprisal.training.ConsoleProgress;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.CorpusReader;
import dev.surprisal.training.HyperparameterSearch;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

@Command(name = "train", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar train --corpus app.log --session-regex \\", "      'user=(\\w+)' --out models/app", "  java -jar surprisal.jar train --corpus HDFS.log --session-regex \\", "      '(blk_-?\\d+)' --tokenizer template --out models/hdfs"},

        description = "Trains a model on a text file and saves it (weights + manifest) to a directory.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--corpus", required = true, description = "Training text.")
    Path corpus;

    @Option(names = "--format", defaultValue = "lines", description = "lines, sessions or sessions-tsv.")
    String format;

    @Option(names = "--session-regex", description = "lines format: lines sharing this regex's first group form a session.")
    Pattern sessionRegex;

    @Option(names = "--normal-only", description = "sessions-tsv format: learn only from sessions labelled 0; lines "
            + "format with --label-field or --label-regex: only from sessions with no anomalous line.")
    boolean normalOnly;

    @Option(names = "--tokenizer", defaultValue = "byte", description = "byte, word (words and punctuation), "
            + "whitespace (pre-tokenised text), keys (log keys: one event per key) or template (raw log lines: each "
            + "line is the log template it fits, mined from the corpus).")
    String tokenizer;

    @Mixin
    TemplateOptions templates;

    @Option(names = "--templates", description = "A template file (templates --write), maybe corrected by hand: the "
            + "model's templates exactly as given, mined under the file's settings, nothing mined from the corpus "
            + "(implies --tokenizer template).")
    Path templateFile;

    @Mixin
    WindowOptions windows;

    @Option(names = "--end-of-event", negatable = true, description = "Events end with an end-of-event token the "
            + "model predicts (default: on for byte, word and whitespace, off for keys).")
    Boolean endOfEvent;

    @Option(names = "--out", required = true, description = "Directory to write the model to.")
    Path out;

    @Option(names = "--cell", defaultValue = "lstm", description = "lstm or gru.")
    String cell;

    @Option(names = "--embedding", defaultValue = "-1", description = "Embedding size (-1: chosen from the tokenizer "
            + "and corpus size, see docs/design.md).")
    int embedding;

    @Option(names = "--hidden", defaultValue = "-1", description = "Hidden size (-1: chosen from the tokenizer and corpus size).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "Recurrent layers.")
    int layers;

    @Option(names = "--dropout", defaultValue = "-1", description = "Dropout on embeddings, between layers and before "
            + "the output (-1: chosen from the tokenizer and corpus size).")
    float dropout;

    @Option(names = "--tie-weights", negatable = true, description = "Output layer reuses the embedding matrix "
            + "(default: on for word and whitespace tokenizers).")
    Boolean tieWeights;

    @Option(names = "--weight-decay", defaultValue = "1e-6", description = "L2 penalty on the weights.")
    float weightDecay;

    @Option(names = {"--max-epochs", "--epochs"}, defaultValue = "60",
            description = "Cap on epochs; training stops earlier when validation loss stops improving.")
    int epochs;

    @Option(names = "--patience", defaultValue = "3", description = "Epochs without a better validation loss before stopping.")
    int patience;

    @Option(names = "--time-budget", defaultValue = "PT0S", description = "Stop training after this long "
            + "(ISO-8601 duration, e.g. PT10M; PT0S: no budget).")
    Duration timeBudget;

    @Option(names = "--batch", defaultValue = "32", description = "Sequences per training step.")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Initial learning rate; halved on every epoch "
            + "that does not improve validation loss.")
    float learningRate;

    @Option(names = "--search", description = "Try a few variations around the default architecture (size, dropout, "
            + "learning rate) on the validation split, print the table, keep the best.")
    boolean search;

    @Option(names = "--search-budget", defaultValue = "PT30M", description = "Wall time for all of --search's trials.")
    Duration searchBudget;

    @Option(names = "--baseline-order", defaultValue = "3", description = "Order of the Kneser-Ney n-gram baseline "
            + "trained on the same text and kept with the model (0: none).")
    int baselineOrder;

    @Option(names = "--baseline-weight", description = "Share of the baseline's probability mixed into the "
            + "network's (0: none). Default: the share that minimises the held-out text's loss.")
    Double baselineWeight;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the initial weights, the split and the "
            + "batches: the same seed and data train the same model.")
    long seed;

    @Option(names = "--threshold-percentile", defaultValue = "99",
            description = "Budget for false alarms: 100 - p %% of normal sessions flagged. The threshold and g are cut from "
                    + "held-out normal sessions (their largest event perplexity, their worst rank) so that new normal "
                    + "sessions are flagged at most that often, with 90%% confidence.")
    double thresholdPercentile;

    /** The options as given; their defaults are {@link TrainingOptions#defaults()}'s (TrainDefaultsTest). */
    TrainingOptions options() throws IOException {
        TrainingOptions options = TrainingOptions.defaults().withTokenizer(tokenizer).withEndOfEvent(endOfEvent)
                .withModel(ModelSpec.Cell.parse(cell), embedding, hidden, layers)
                .withRegularisation(dropout, tieWeights, weightDecay)
                .withSchedule(epochs, batch, learningRate, seed)
                .withStopping(patience, timeBudget)
                .withThresholdPercentile(thresholdPercentile)
                .withBaselineOrder(baselineOrder)
                .withBaselineWeight(baselineWeight)
                .withTemplates(templates.settings());
        if (templateFile == null) {
            return options;
        }
        TemplateFile given = TemplateFile.read(templateFile);
        if (templates.logFormat != null && !templates.logFormat.equals(given.settings().logFormat())) {
            throw new IllegalArgumentException("--log-format differs from the layout " + templateFile + " was mined with ("
                    + given.settings().logFormat() + "): the templates only fit lines read that way");
        }
        if (!Tokenizers.TEMPLATE.equals(tokenizer) && !"byte".equals(tokenizer)) {
            throw new IllegalArgumentException("--templates is a template tokenizer's vocabulary, not --tokenizer " + tokenizer);
        }
        return options.withTokenizer(Tokenizers.TEMPLATE).withGivenTemplates(given);
    }

    @Override
    public Integer call() throws Exception {
        TrainingOptions options = options();
        String layout = options.templates().logFormat(); // a template file's own, with --templates
        if (layout != null && Files.isRegularFile(corpus)) {
            // before anything is read or said: a layout that fits no line of the file is refused in its terms
            try (Stream<String> lines = Files.lines(corpus, StandardCharsets.UTF_8)) {
                LogFormat.parse(layout).requireFitsAny(lines::iterator);
            }
        }
        Corpus text = CorpusReader.read(corpus, FileFormat.parse(format),
                windows.sessions(layout, sessionRegex), normalOnly);
        System.out.printf(Locale.ROOT, "training a %s %s on %d sessions, %d events of %s%n",
                options.tokenizer(), cell, text.sessions().size(), text.events(), corpus);
        try (LanguageModel model = search ? new HyperparameterSearch(options, searchBudget, System.out).run(text)
                : new ModelTrainer(options, ConsoleProgress.toStandardError()).train(text)) {
            ModelArtifact.save(model, out);
            TrainingMetrics m = model.manifest().metrics();
            System.out.printf(Locale.ROOT, "saved model %s to %s%n", model.version(), out);
            ModelSpec spec = model.spec();
            System.out.printf(Locale.ROOT, "architecture: %s, embedding %d, hidden %d, %d layer%s, dropout %.2f%s%n",
                    spec.cell(), spec.embeddingSize(), spec.hiddenSize(), spec.layers(), spec.layers() == 1 ? "" : "s",
                    spec.dropout(), spec.tiedWeights() ? ", tied weights" : "");
            System.out.printf(Locale.ROOT, "trained %.0f epochs (kept epoch %.0f) on %.0f tokens at %.0f tokens/s in %.1f s%n",
                    m.epochs(), m.bestEpoch(), m.trainTokens(), m.trainTokensPerSecond(), m.trainSeconds());
            System.out.printf(Locale.ROOT, "anomaly rules for a budget of %.2f%% of normal %s flagged (cut from the held-out "
                            + "%s): event perplexity > %.3f; top-g: g = %d%n", 100 - thresholdPercentile,
                    m.thresholdFromSessions() > 0 ? "sessions" : "events", m.thresholdFromSessions() > 0
                            ? "sessions' largest event perplexity and worst rank" : "events' perplexity",
                    model.manifest().anomalyThreshold(), model.manifest().topG());
            System.out.printf(Locale.ROOT, "validation perplexity: %.3f (%.3f bits/token over %.0f held-out tokens)%n",
                    m.validationPerplexity(), m.validationBitsPerToken(), m.validationTokens());
            if (model.manifest().baselineWeight() > 0) {
                System.out.printf(Locale.ROOT, "the baseline's probabilities are mixed in with weight %.2f%s%n",
                        model.manifest().baselineWeight(), baselineWeight == null ? " (fitted on the held-out text)" : "");
            }
            model.baseline().ifPresent(kn -> System.out.printf(Locale.ROOT,
                    "Kneser-Ney %d-gram baseline kept with it: threshold %.3f, g = %d%n", kn.order(),
                    kn.anomalyThreshold(), kn.topG()));
        }
        return 0;
    }
}
