package dev.surprisal.model;

import dev.surprisal.tokenize.Tokenizer;

/**
 * Everything besides the weights that a model needs to be rebuilt and used the way it was
 * trained: architecture, tokenizer, the anomaly threshold calibrated at training, and how well it
 * did on held-out text. {@code scoresSessionEnd}: trained with the session-start token also after
 * each session's last token, so the end of a session can be scored (how likely it was to end there).
 * {@code topG}: g of the top-g rule calibrated at training like the threshold (0: not calibrated).
 * {@code baselineWeight}: the share of the Kneser-Ney baseline's probability mixed into the
 * network's (0: none; manifests written before it existed read as 0), see {@link Interpolation}.
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
        int topG,
        double baselineWeight) {

    public static final int FORMAT_VERSION = 1;

    public ModelManifest(int formatVersion, String version, String createdAt, ModelSpec spec,
                         Tokenizer.TokenizerSpec tokenizer, double anomalyThreshold, double thresholdPercentile,
                         TrainingMetrics metrics, boolean scoresSessionEnd, int topG) {
        this(formatVersion, version, createdAt, spec, tokenizer, anomalyThreshold, thresholdPercentile, metrics,
                scoresSessionEnd, topG, 0);
    }

    public ModelManifest withVersion(String newVersion) {
        return new ModelManifest(formatVersion, newVersion, createdAt, spec, tokenizer, anomalyThreshold,
                thresholdPercentile, metrics, scoresSessionEnd, topG, baselineWeight);
    }

    public ModelManifest withBaselineWeight(double weight) {
        return new ModelManifest(formatVersion, version, createdAt, spec, tokenizer, anomalyThreshold,
                thresholdPercentile, metrics, scoresSessionEnd, topG, weight);
    }
}
