package dev.surprisal.training;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar redrawn in place, at most five times a second. */
public final class ConsoleProgress implements TrainingProgress.Listener {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private long lastDraw;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onEpoch(TrainingProgress.Epoch e) {
        out.println(String.format(Locale.ROOT, "  epoch %d: train loss %.3f, validation %.3f bits/token (perplexity %.2f)%s,"
                        + " next learning rate %.2g, %d s", e.epoch(), e.trainLoss(), e.validationBitsPerToken(),
                Math.exp(e.validationLoss()), e.best() ? " best so far" : "", e.learningRate(), e.elapsed().toSeconds()));
        out.flush();
    }

    @Override
    public void onProgress(TrainingProgress p) {
        long now = System.nanoTime();
        boolean last = p.step() == p.totalSteps();
        if (!last && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        double done = (double) p.step() / p.totalSteps();
        int filled = (int) Math.round(done * WIDTH);
        long eta = p.eta().toSeconds();
        out.print(String.format(Locale.ROOT, "\r  epoch %d/%d [%s%s] %3.0f%%  loss %.3f (%.2f bits/token)  %,.0f tokens/s  ETA %d:%02d ",
                p.epoch(), p.epochs(), "#".repeat(filled), ".".repeat(WIDTH - filled), done * 100, p.loss(),
                p.bitsPerToken(), p.tokensPerSecond(), eta / 60, eta % 60));
        if (last) {
            out.println();
        }
        out.flush();
    }
}
