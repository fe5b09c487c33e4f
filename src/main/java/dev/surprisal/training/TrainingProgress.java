package dev.surprisal.training;

import java.time.Duration;

/** Where a training run is, reported after every optimiser step; {@code eta} is to the end of the epoch. */
public record TrainingProgress(int epoch, int epochs, long step, long totalSteps, double loss,
                               double tokensPerSecond, Duration eta) {

    /** Receives progress; must be cheap, it is called on the training thread. */
    @FunctionalInterface
    public interface Listener {
        void onProgress(TrainingProgress progress);

        /** After each epoch's validation. */
        default void onEpoch(Epoch epoch) {
        }

        Listener NONE = p -> { };
    }

    /**
     * One finished epoch: losses in nats per token; {@code best} when its weights are the ones kept so
     * far; {@code learningRate} the rate the next epoch will use.
     */
    public record Epoch(int epoch, double trainLoss, double validationLoss, boolean best, float learningRate,
                        Duration elapsed) {
        public double validationBitsPerToken() {
            return validationLoss / Math.log(2);
        }
    }

    /** Loss in bits per token (the loss itself is in nats). */
    public double bitsPerToken() {
        return loss / Math.log(2);
    }
}
