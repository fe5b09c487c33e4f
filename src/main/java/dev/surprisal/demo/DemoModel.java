package dev.surprisal.demo;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.training.ConsoleProgress;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;

import ai.djl.MalformedModelException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The demo's model: trained on generated normal traffic on first use, then reused from a cache directory. */
public final class DemoModel {

    /** Bump when the generator or these settings change, so that an old cached model is not reused. */
    private static final int RECIPE = 5;
    static final int TRAINING_SESSIONS = 800;

    private DemoModel() {
    }

    public static TrainingOptions options(long seed) {
        return TrainingOptions.defaults()
                .withModel(ModelSpec.Cell.LSTM, 32, 128, 1)
                .withRegularisation(0f, false, 0f)
                .withSchedule(3, 32, 3e-3f, seed);
    }

    /** Trains the demo model from scratch on generated normal traffic. */
    public static LanguageModel train(long seed, PrintStream log) throws MalformedModelException {
        TrainingOptions options = options(seed);
        log.printf(Locale.ROOT, "training the demo model (byte LSTM, hidden %d) on %d generated normal sessions…%n",
                options.hiddenSize(), TRAINING_SESSIONS);
        Corpus corpus = new Corpus(new TrafficGenerator(seed, 0).normalSessions(TRAINING_SESSIONS));
        return new ModelTrainer(options, new ConsoleProgress(log, System.console() != null)).train(corpus);
    }

    public static LanguageModel loadOrTrain(Path cache, long seed, boolean retrain, PrintStream log)
            throws IOException, MalformedModelException {
        Path dir = cache.resolve("demo-model-r" + RECIPE + "-seed" + seed);
        if (!retrain && Files.exists(dir.resolve(ModelArtifact.MANIFEST))) {
            LanguageModel model = ModelArtifact.load(dir);
            log.printf(Locale.ROOT, "using the cached demo model %s from %s%n", model.version(), dir);
            return model;
        }
        LanguageModel model = train(seed, log);
        ModelArtifact.save(model, dir);
        log.printf(Locale.ROOT, "trained %s: validation perplexity %.3f, anomaly threshold %.2f; cached in %s%n",
                model.version(), model.manifest().metrics().validationPerplexity(),
                model.manifest().anomalyThreshold(), dir);
        return model;
    }
}
