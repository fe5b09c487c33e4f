package dev.surprisal.training;

import dev.surprisal.model.ModelSpec;

/**
 * Hyperparameters of one training run.
 *
 * @param bptt                 tokens per truncated back-propagation window
 * @param maxSegmentTokens     longer sessions are cut into segments of this many tokens
 * @param validationFraction   share of sessions held out for validation and threshold calibration
 * @param thresholdPercentile  percentile of held-out event perplexity that becomes the anomaly threshold
 */
public record TrainingOptions(String tokenizer, ModelSpec.Cell cell, int embeddingSize, int hiddenSize, int layers,
                              int epochs, int batchSize, int bptt, float learningRate, float clipGradient,
                              long seed, int maxSegmentTokens, double validationFraction,
                              double thresholdPercentile) {

    public static TrainingOptions defaults() {
        return new TrainingOptions("byte", ModelSpec.Cell.LSTM, 64, 256, 1, 3, 32, 64, 2e-3f, 5f, 42, 1024, 0.1, 99.5);
    }

    public TrainingOptions {
        if (epochs < 1 || batchSize < 1 || bptt < 2 || maxSegmentTokens < 2 || learningRate <= 0) {
            throw new IllegalArgumentException("epochs, batch, bptt, segment length and learning rate must be positive");
        }
        if (validationFraction <= 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), was " + validationFraction);
        }
        if (thresholdPercentile <= 0 || thresholdPercentile > 100) {
            throw new IllegalArgumentException("threshold percentile must be in (0, 100], was " + thresholdPercentile);
        }
    }

    public TrainingOptions withTokenizer(String t) {
        return new TrainingOptions(t, cell, embeddingSize, hiddenSize, layers, epochs, batchSize, bptt, learningRate,
                clipGradient, seed, maxSegmentTokens, validationFraction, thresholdPercentile);
    }

    public TrainingOptions withModel(ModelSpec.Cell c, int embedding, int hidden, int numLayers) {
        return new TrainingOptions(tokenizer, c, embedding, hidden, numLayers, epochs, batchSize, bptt, learningRate,
                clipGradient, seed, maxSegmentTokens, validationFraction, thresholdPercentile);
    }

    public TrainingOptions withSchedule(int numEpochs, int batch, float lr, long randomSeed) {
        return new TrainingOptions(tokenizer, cell, embeddingSize, hiddenSize, layers, numEpochs, batch, bptt, lr,
                clipGradient, randomSeed, maxSegmentTokens, validationFraction, thresholdPercentile);
    }
}
