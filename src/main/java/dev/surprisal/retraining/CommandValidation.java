package dev.surprisal.retraining;

import dev.surprisal.avro.TrainCommand;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.tokenize.Tokenizers;
import dev.surprisal.training.TrainingOptions;

import java.time.Duration;
import java.util.Set;

/** What makes a train command invalid, and the training options it asks for. */
public final class CommandValidation {

    private CommandValidation() {
    }

    /** Null when the command can be run; otherwise what is wrong with it. */
    public static String problem(TrainCommand c) {
        if (c.getCommandId() == null || c.getCommandId().isBlank()) {
            return "commandId is empty";
        }
        if ((c.getTopic() == null) == (c.getFile() == null)) {
            return "exactly one of topic and file must be set";
        }
        if (c.getTokenizer() != null && !Tokenizers.TYPES.contains(c.getTokenizer())) {
            return "tokenizer must be one of " + String.join(", ", Tokenizers.TYPES) + ", not '" + c.getTokenizer() + "'";
        }
        if (c.getCell() != null && !Set.of("lstm", "gru").contains(c.getCell().toLowerCase(java.util.Locale.ROOT))) {
            return "cell must be lstm or gru, not '" + c.getCell() + "'";
        }
        if (notPositive(c.getLayers()) || notPositive(c.getHiddenSize()) || notPositive(c.getEmbeddingSize())
                || notPositive(c.getEpochs()) || notPositive(c.getBatchSize())) {
            return "layers, hiddenSize, embeddingSize, epochs and batchSize must be positive";
        }
        if (c.getTimeBudgetSeconds() != null && c.getTimeBudgetSeconds() < 0) {
            return "timeBudgetSeconds must not be negative";
        }
        if (c.getLearningRate() != null && !(c.getLearningRate() > 0)) {
            return "learningRate must be positive";
        }
        if (c.getPromotionMargin() < 0 || c.getPromotionMargin() >= 1) {
            return "promotionMargin must be in [0, 1)";
        }
        if (c.getFromTimestamp() != null && c.getToTimestamp() != null && c.getFromTimestamp().isAfter(c.getToTimestamp())) {
            return "fromTimestamp is after toTimestamp";
        }
        return null;
    }

    /** Given and below 1 (absent: the default applies). */
    private static boolean notPositive(Integer value) {
        return value != null && value < 1;
    }

    /** @param budget how long to train when the command names no time budget */
    static TrainingOptions options(TrainCommand c, Duration budget) {
        TrainingOptions d = TrainingOptions.defaults();
        return d.withTokenizer(c.getTokenizer() != null ? c.getTokenizer() : d.tokenizer())
                .withModel(c.getCell() != null ? ModelSpec.Cell.parse(c.getCell()) : d.cell(),
                        c.getEmbeddingSize() != null ? c.getEmbeddingSize() : d.embeddingSize(),
                        c.getHiddenSize() != null ? c.getHiddenSize() : d.hiddenSize(),
                        c.getLayers() != null ? c.getLayers() : d.layers())
                .withSchedule(c.getEpochs() != null ? c.getEpochs() : d.maxEpochs(),
                        c.getBatchSize() != null ? c.getBatchSize() : d.batchSize(),
                        c.getLearningRate() != null ? c.getLearningRate().floatValue() : d.learningRate(),
                        c.getSeed() != null ? c.getSeed() : d.seed())
                .withStopping(d.patience(), c.getTimeBudgetSeconds() != null
                        ? Duration.ofSeconds(c.getTimeBudgetSeconds()) : budget);
    }
}
