package dev.surprisal.training;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.tokenize.TemplateSettings;

import java.time.Duration;

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
 * @param baselineWeight       share of the baseline's probability mixed into the network's; null: the
 *                             share that minimises validation loss; 0: none
 */
public record TrainingOptions(String tokenizer, Boolean endOfEvent, ModelSpec.Cell cell, int embeddingSize, int hiddenSize, int layers,
                              float dropout, Boolean tiedWeights, int maxEpochs, int patience, Duration timeBudget,
                              int batchSize, int bptt, float learningRate, float weightDecay, float clipGradient,
                              long seed, int maxSegmentTokens, double validationFraction,
                              double thresholdPercentile, int baselineOrder, TemplateSettings templates,
                              Double baselineWeight) {

    /** A size or rate to be chosen from the tokenizer and corpus. */
    public static final int AUTO = -1;

    public static TrainingOptions defaults() {
        return new TrainingOptions("byte", null, ModelSpec.Cell.LSTM, AUTO, AUTO, 1, AUTO, null, 60, 3, Duration.ZERO,
                32, 64, 3e-3f, 1e-6f, 5f, 42, 1024, 0.1, 99.0, 3, TemplateSettings.DEFAULT, null);
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
        return new TrainingOptions(t, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights, maxEpochs,
                patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed, maxSegmentTokens,
                validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight);
    }

    public TrainingOptions withEndOfEvent(Boolean ends) {
        return new TrainingOptions(tokenizer, ends, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights,
                maxEpochs, patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed,
                maxSegmentTokens, validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight);
    }

    public TrainingOptions withModel(ModelSpec.Cell c, int embedding, int hidden, int numLayers) {
        return new TrainingOptions(tokenizer, endOfEvent, c, embedding, hidden, numLayers, dropout, tiedWeights, maxEpochs,
                patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed, maxSegmentTokens,
                validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight);
    }

    public TrainingOptions withRegularisation(float dropoutRate, Boolean tied, float decay) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropoutRate, tied, maxEpochs,
                patience, timeBudget, batchSize, bptt, learningRate, decay, clipGradient, seed, maxSegmentTokens,
                validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight);
    }

    /** @param epochs the cap on epochs */
    public TrainingOptions withSchedule(int epochs, int batch, float lr, long randomSeed) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights, epochs,
                patience, timeBudget, batch, bptt, lr, weightDecay, clipGradient, randomSeed, maxSegmentTokens,
                validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight);
    }

    public TrainingOptions withStopping(int epochPatience, Duration budget) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights, maxEpochs,
                epochPatience, budget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed, maxSegmentTokens,
                validationFraction, thresholdPercentile, baselineOrder, templates, baselineWeight);
    }

    public TrainingOptions withBaselineOrder(int order) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights,
                maxEpochs, patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed,
                maxSegmentTokens, validationFraction, thresholdPercentile, order, templates, baselineWeight);
    }

    public TrainingOptions withTemplates(TemplateSettings settings) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights,
                maxEpochs, patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed,
                maxSegmentTokens, validationFraction, thresholdPercentile, baselineOrder, settings, baselineWeight);
    }

    public TrainingOptions withThresholdPercentile(double percentile) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights, maxEpochs,
                patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed, maxSegmentTokens,
                validationFraction, percentile, baselineOrder, templates, baselineWeight);
    }

    public TrainingOptions withBaselineWeight(Double weight) {
        return new TrainingOptions(tokenizer, endOfEvent, cell, embeddingSize, hiddenSize, layers, dropout, tiedWeights,
                maxEpochs, patience, timeBudget, batchSize, bptt, learningRate, weightDecay, clipGradient, seed,
                maxSegmentTokens, validationFraction, thresholdPercentile, baselineOrder, templates, weight);
    }
}
