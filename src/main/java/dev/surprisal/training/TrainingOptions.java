package dev.surprisal.training;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.tokenize.TemplateFile;
import dev.surprisal.tokenize.TemplateSettings;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Hyperparameters of one training run. Sizes and regularisation left at {@link #AUTO} (embedding,
 * hidden, dropout) or null (tied weights) are chosen from the tokenizer and the corpus by
 * {@link ModelSizing}. Training stops early: see {@link ModelTrainer}.
 *
 * @param endOfEvent           events end with an end-of-event token; null: the tokenizer's default
 * @param maxEpochs            a cap; training usually stops earlier, when validation loss stops falling
 * @param patience             epochs without a new best validation loss before stopping
 * @param timeBudget           wall time after which training stops at the end of the current batch;
 *                             zero for none
 * @param bptt                 tokens per truncated back-propagation window
 * @param maxSegmentTokens     longer sessions are cut into segments of this many tokens
 * @param validationFraction   share of sessions held out for validation and threshold calibration
 * @param thresholdPercentile  percentile of held-out normal sessions that becomes the anomaly threshold
 * @param baselineOrder        order of the Kneser-Ney baseline trained and kept beside the model; 0 for none
 * @param templates            how the template tokenizer reads raw lines
 * @param givenTemplates       templates a person gave ({@code train --templates}), taken as they are; null: mined
 * @param baselineWeight       share of the baseline's probability mixed into the network's; null: the
 *                             share that minimises validation loss; 0: none
 */
public record TrainingOptions(String tokenizer, Boolean endOfEvent, ModelSpec.Cell cell, int embeddingSize, int hiddenSize, int layers,
                              float dropout, Boolean tiedWeights, int maxEpochs, int patience, Duration timeBudget,
                              int batchSize, int bptt, float learningRate, float weightDecay, float clipGradient,
                              long seed, int maxSegmentTokens, double validationFraction,
                              double thresholdPercentile, int baselineOrder, TemplateSettings templates,
                              Double baselineWeight, TemplateFile givenTemplates) {

    /** A size or rate to be chosen from the tokenizer and corpus. */
    public static final int AUTO = -1;

    /**
     * The share of {@code corpus} held out. A corpus read as one or a few streams (a raw log without
     * sessions) holds out its last events, and its event threshold is the budget's quantile of them:
     * at least enough of them that about three fall beyond it, so that the threshold is not just the
     * largest of a hundred (at most half the corpus). Sessions are held out at the configured share.
     */
    public double heldOutFraction(Corpus corpus) {
        if (corpus.sessions().size() >= Corpus.SHUFFLED || corpus.events() == 0) {
            return validationFraction;
        }
        double tail = 3 / (1 - Math.min(thresholdPercentile, 99.99) / 100);
        return Math.max(validationFraction, Math.min(0.5, tail / corpus.events()));
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions("byte", null, ModelSpec.Cell.LSTM, AUTO, AUTO, 1, AUTO, null, 60, 3, Duration.ZERO,
                32, 64, 3e-3f, 1e-6f, 5f, 42, 1024, 0.1, 99.0, 3, TemplateSettings.DEFAULT, null, null);
    }

    public TrainingOptions {
        if (maxEpochs < 1 || patience < 1 || batchSize < 1 || bptt < 2 || maxSegmentTokens < 2 || learningRate <= 0
                || layers < 1) {
            throw new IllegalArgumentException(
                    "epochs, patience, batch, bptt, segment length, layers and learning rate must be positive");
        }
        if (timeBudget == null || timeBudget.isNegative() || weightDecay < 0) {
            throw new IllegalArgumentException("time budget and weight decay must not be negative");
        }
        if (dropout >= 1 || (dropout < 0 && dropout != AUTO)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
        if (baselineOrder < 0 || baselineOrder > KneserNey.MAX_ORDER) {
            throw new IllegalArgumentException("baseline order must be 0 (none) to " + KneserNey.MAX_ORDER);
        }
        if (validationFraction <= 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), was " + validationFraction);
        }
        if (baselineWeight != null && !(baselineWeight >= 0 && baselineWeight < 1)) {
            throw new IllegalArgumentException("baseline weight must be in [0, 1), was " + baselineWeight);
        }
        if (thresholdPercentile <= 0 || thresholdPercentile > 100) {
            throw new IllegalArgumentException("threshold percentile must be in (0, 100], was " + thresholdPercentile);
        }
    }

    public TrainingOptions withTokenizer(String t) {
        return with(b -> b.tokenizer = t);
    }

    public TrainingOptions withEndOfEvent(Boolean ends) {
        return with(b -> b.endOfEvent = ends);
    }

    public TrainingOptions withModel(ModelSpec.Cell c, int embedding, int hidden, int numLayers) {
        return with(b -> {
            b.cell = c;
            b.embeddingSize = embedding;
            b.hiddenSize = hidden;
            b.layers = numLayers;
        });
    }

    public TrainingOptions withRegularisation(float dropoutRate, Boolean tied, float decay) {
        return with(b -> {
            b.dropout = dropoutRate;
            b.tiedWeights = tied;
            b.weightDecay = decay;
        });
    }

    /** @param epochs the cap on epochs */
    public TrainingOptions withSchedule(int epochs, int batch, float lr, long randomSeed) {
        return with(b -> {
            b.maxEpochs = epochs;
            b.batchSize = batch;
            b.learningRate = lr;
            b.seed = randomSeed;
        });
    }

    public TrainingOptions withStopping(int epochPatience, Duration budget) {
        return with(b -> {
            b.patience = epochPatience;
            b.timeBudget = budget;
        });
    }

    public TrainingOptions withBaselineOrder(int order) {
        return with(b -> b.baselineOrder = order);
    }

    public TrainingOptions withTemplates(TemplateSettings settings) {
        return with(b -> b.templates = settings);
    }

    /** Trains on these templates as given: their settings, and no mining. */
    public TrainingOptions withGivenTemplates(TemplateFile file) {
        return with(b -> {
            b.templates = file.settings();
            b.givenTemplates = file;
        });
    }

    public TrainingOptions withThresholdPercentile(double percentile) {
        return with(b -> b.thresholdPercentile = percentile);
    }

    public TrainingOptions withBaselineWeight(Double weight) {
        return with(b -> b.baselineWeight = weight);
    }

    /** A copy with some settings changed (and checked again), so that a new setting is added in one place here. */
    private TrainingOptions with(Consumer<Settings> change) {
        Settings settings = new Settings(this);
        change.accept(settings);
        return settings.options();
    }

    private static final class Settings {
        String tokenizer;
        Boolean endOfEvent;
        ModelSpec.Cell cell;
        int embeddingSize;
        int hiddenSize;
        int layers;
        float dropout;
        Boolean tiedWeights;
        int maxEpochs;
        int patience;
        Duration timeBudget;
        int batchSize;
        int bptt;
        float learningRate;
        float weightDecay;
        float clipGradient;
        long seed;
        int maxSegmentTokens;
        double validationFraction;
        double thresholdPercentile;
        int baselineOrder;
        TemplateSettings templates;
        Double baselineWeight;
        TemplateFile givenTemplates;

        Settings(TrainingOptions o) {
            tokenizer = o.tokenizer;
            endOfEvent = o.endOfEvent;
            cell = o.cell;
            embeddingSize = o.embeddingSize;
            hiddenSize = o.hiddenSize;
            layers = o.layers;
            dropout = o.dropout;
            tiedWeights = o.tiedWeights;
            maxEpochs = o.maxEpochs;
            patience = o.patience;
            timeBudget = o.timeBudget;
            batchSize = o.batchSize;
            bptt = o.bptt;
            learningRate = o.learningRate;
            weightDecay = o.weightDecay;
            clipGradient = o.clipGradient;
            seed = o.seed;
            maxSegmentTokens = o.maxSegmentTokens;
            validationFraction = o.validationFraction;
            thresholdPercentile = o.thresholdPercentile;
            baselineOrder = o.baselineOrder;
            templates = o.templates;
            baselineWeight = o.baselineWeight;
            givenTemplates = o.givenTemplates;
        }

        TrainingOptions options() {
            return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights,
                    maxEpochs, patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed,
                    maxSegmentTokens, validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight,
                    givenTemplates);
        }
    }
}
