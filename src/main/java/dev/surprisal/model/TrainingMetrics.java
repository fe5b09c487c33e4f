package dev.surprisal.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How training went, kept in the manifest (as a JSON object with these names) and copied into a
 * release's metrics map.
 *
 * @param validationPerplexity   perplexity per token on the held-out sessions
 * @param validationBitsPerToken the same, in bits per token
 * @param validationTokens       held-out tokens scored
 * @param validationEvents       held-out events scored
 * @param thresholdFromSessions  1 when the anomaly threshold was calibrated on whole sessions, 0 on events
 * @param trainTokens            tokens seen in training, all epochs
 * @param trainTokensPerSecond   training throughput
 * @param finalTrainLoss         the last training loss, nats per token
 * @param trainSeconds           wall time of training and calibration
 * @param epochs                 epochs run (some may have been cut by the time budget)
 * @param bestEpoch              the epoch whose weights were kept: the lowest validation loss
 */
public record TrainingMetrics(double validationPerplexity, double validationBitsPerToken, double validationTokens,
                              double validationEvents, double thresholdFromSessions, double trainTokens,
                              double trainTokensPerSecond, double finalTrainLoss, double trainSeconds, double epochs,
                              double bestEpoch) {

    /** Nothing measured yet (an untrained model). */
    public static final TrainingMetrics NONE = new TrainingMetrics(Double.NaN, Double.NaN, 0, 0, 0, 0, 0, Double.NaN, 0,
            0, 0);

    /** By name, as a release carries them. */
    public Map<String, Double> asMap() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("validationPerplexity", validationPerplexity);
        out.put("validationBitsPerToken", validationBitsPerToken);
        out.put("validationTokens", validationTokens);
        out.put("validationEvents", validationEvents);
        out.put("thresholdFromSessions", thresholdFromSessions);
        out.put("trainTokens", trainTokens);
        out.put("trainTokensPerSecond", trainTokensPerSecond);
        out.put("finalTrainLoss", finalTrainLoss);
        out.put("trainSeconds", trainSeconds);
        out.put("epochs", epochs);
        out.put("bestEpoch", bestEpoch);
        return out;
    }
}
