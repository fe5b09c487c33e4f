package dev.surprisal.training;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.model.TrainingMetrics;

import ai.djl.MalformedModelException;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code train --search}: a few variations around the architecture {@link ModelSizing} picks, each
 * trained to convergence on the same split, compared on the same held-out sessions, the best kept.
 * The default comes first, so a budget that runs out early still leaves it.
 */
public final class HyperparameterSearch {

    /** One trial: what it changed and how it did; {@code validationBitsPerToken} NaN when skipped. */
    public record Trial(String change, ModelSpec spec, float learningRate, double validationBitsPerToken,
                        double seconds, int epochs) {
    }

    private final TrainingOptions options;
    private final Duration budget;
    private final PrintStream out;

    /** @param budget for all trials together; each trial gets an equal share of what is left */
    public HyperparameterSearch(TrainingOptions options, Duration budget, PrintStream out) {
        this.options = options;
        this.budget = budget;
        this.out = out;
    }

    public LanguageModel run(Corpus corpus) throws MalformedModelException {
        Instant deadline = Instant.now().plus(budget);
        List<Trial> trials = new ArrayList<>();
        LanguageModel best = null;
        double bestBits = Double.POSITIVE_INFINITY;
        // the variations are known once the default has been trained (its sizes come from the data);
        // index 0 of the list is that default, so the loop goes on from index 1
        List<Variation> variations = null;
        for (int i = 0; variations == null || i < variations.size(); i++) {
            int left = variations == null ? 6 : variations.size() - i;
            Duration share = Duration.between(Instant.now(), deadline).dividedBy(left);
            Variation v = variations == null ? new Variation("default", options) : variations.get(i);
            if (share.toSeconds() < 1) {
                trials.add(new Trial(v.change + " (skipped: budget spent)", null, v.options.learningRate(), Double.NaN, 0, 0));
                continue;
            }
            out.printf(Locale.ROOT, "trial %d: %s%n", i + 1, v.change);
            LanguageModel model = new ModelTrainer(v.options.withStopping(v.options.patience(), share),
                    ConsoleProgress.toStandardError()).train(corpus);
            TrainingMetrics m = model.manifest().metrics();
            trials.add(new Trial(v.change, model.spec(), v.options.learningRate(), m.validationBitsPerToken(),
                    m.trainSeconds(), (int) m.epochs()));
            if (variations == null) {
                variations = variations(model.spec());
            }
            if (m.validationBitsPerToken() < bestBits) {
                bestBits = m.validationBitsPerToken();
                if (best != null) {
                    best.close();
                }
                best = model;
            } else {
                model.close();
            }
        }
        print(trials, best);
        return best;
    }

    /** The default as trained, then one change at a time around it. */
    private List<Variation> variations(ModelSpec chosen) {
        List<Variation> out = new ArrayList<>();
        out.add(new Variation("default", options));
        out.add(sized("hidden x2", chosen, chosen.hiddenSize() * 2));
        out.add(sized("hidden /2", chosen, Math.max(8, chosen.hiddenSize() / 2)));
        out.add(new Variation("more dropout", fixed(chosen, chosen.embeddingSize(), chosen.hiddenSize())
                .withRegularisation(Math.min(0.7f, chosen.dropout() + 0.2f), chosen.tiedWeights(),
                        options.weightDecay())));
        out.add(new Variation("less dropout", fixed(chosen, chosen.embeddingSize(), chosen.hiddenSize())
                .withRegularisation(Math.max(0f, chosen.dropout() - 0.2f), chosen.tiedWeights(),
                        options.weightDecay())));
        TrainingOptions base = fixed(chosen, chosen.embeddingSize(), chosen.hiddenSize());
        out.add(new Variation("learning rate /3", base.withSchedule(base.maxEpochs(), base.batchSize(),
                base.learningRate() / 3, base.seed())));
        return out;
    }

    private Variation sized(String change, ModelSpec chosen, int hidden) {
        int embedding = chosen.tiedWeights() ? hidden : chosen.embeddingSize();
        return new Variation(change, fixed(chosen, embedding, hidden));
    }

    private TrainingOptions fixed(ModelSpec chosen, int embedding, int hidden) {
        return options.withModel(chosen.cell(), embedding, hidden, chosen.layers())
                .withRegularisation(chosen.dropout(), chosen.tiedWeights(), options.weightDecay());
    }

    private void print(List<Trial> trials, LanguageModel best) {
        out.println();
        out.println("trial  change                               embedding  hidden  dropout  tied  lr       epochs  "
                + "seconds  validation bits/token");
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            boolean kept = best != null && t.spec() != null && !Double.isNaN(t.validationBitsPerToken())
                    && t.validationBitsPerToken() == best.manifest().metrics().validationBitsPerToken();
            out.printf(Locale.ROOT, "%5d  %-36s %9s  %6s  %7s  %4s  %-7.2g  %6d  %7.0f  %s%s%n", i + 1, t.change(),
                    t.spec() == null ? "-" : t.spec().embeddingSize(), t.spec() == null ? "-" : t.spec().hiddenSize(),
                    t.spec() == null ? "-" : String.format(Locale.ROOT, "%.2f", t.spec().dropout()),
                    t.spec() == null ? "-" : t.spec().tiedWeights() ? "yes" : "no", t.learningRate(), t.epochs(),
                    t.seconds(), Double.isNaN(t.validationBitsPerToken()) ? "-"
                            : String.format(Locale.ROOT, "%.4f", t.validationBitsPerToken()), kept ? "  <- kept" : "");
        }
    }

    private record Variation(String change, TrainingOptions options) {
    }
}
