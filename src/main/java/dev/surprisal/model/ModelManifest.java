package dev.surprisal.model;

import dev.surprisal.tokenize.Tokenizer;

import java.util.Map;

/**
 * Everything besides the weights that a model needs to be rebuilt and used the way it was
 * trained: architecture, tokenizer, the anomaly threshold calibrated at training, and how well it
 * did on held-out text.
 */
public record ModelManifest(
        int formatVersion,
        String version,
        String createdAt,
        ModelSpec spec,
        Tokenizer.TokenizerSpec tokenizer,
        double anomalyThreshold,
        double thresholdPercentile,
        Map<String, Double> metrics) {

    public static final int FORMAT_VERSION = 1;

    public ModelManifest withVersion(String newVersion) {
        return new ModelManifest(formatVersion, newVersion, createdAt, spec, tokenizer, anomalyThreshold,
                thresholdPercentile, metrics);
    }
}
