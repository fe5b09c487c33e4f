package dev.surprisal.model;

import dev.surprisal.tokenize.Tokenizer;

/**
 * Everything besides the weights that a model needs to be rebuilt and used the way it was
 * trained: architecture, tokenizer, the anomaly threshold calibrated at training, and how well it
 * did on held-out text. {@code scoresSessionEnd}: trained with the session-start token also after
 * each session's last token, so the end of a session can be scored (how likely it was to end there).
 * {@code topG}: g of the top-g rule calibrated at training like the threshold (0: not calibrated).
 */
public record ModelManifest(
        int formatVersion,
        String version,
        String createdAt,
        ModelSpec spec,
        Tokenizer.TokenizerSpec tokenizer,
        double anomalyThreshold,
        double thresholdPercentile,
        TrainingMetrics metrics,
        boolean scoresSessionEnd,
        int topG) {

    public static final int FORMAT_VERSION = 1;

    public ModelManifest withVersion(String newVersion) {
        return new ModelManifest(formatVersion, newVersion, createdAt, spec, tokenizer, anomalyThreshold,
                thresholdPercentile, metrics, scoresSessionEnd, topG);
    }
}
