package dev.surprisal.training;

import java.time.Duration;

/** Where a training run is, reported after every optimiser step. */
public record TrainingProgress(int epoch, int epochs, long step, long totalSteps, double loss,
                               double tokensPerSecond, Duration eta) {

    /** Receives progress; must be cheap, it is called on the training thread. */
    @FunctionalInterface
    public interface Listener {
        void onProgress(TrainingProgress progress);

        Listener NONE = p -> { };
    }

    /** Loss in bits per token (the loss itself is in nats). */
    public double bitsPerToken() {
        return loss / Math.log(2);
    }
}
