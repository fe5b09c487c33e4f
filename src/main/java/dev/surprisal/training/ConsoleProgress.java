package dev.surprisal.training;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Training progress for people. On a terminal, a one-line bar redrawn in place at most five times a
 * second; anywhere else (a log file, a pipe, CI) whole lines, at most one every ten seconds, so a log
 * holds lines rather than one 30 KB line of carriage returns. Every epoch ends with a line of its own.
 */
public final class ConsoleProgress implements TrainingProgress.Listener {

    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final long LINE_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private long lastDraw;
    private boolean barOpen;

    public ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.lastDraw = terminal ? 0 : System.nanoTime();
    }

    /** Progress on standard error, redrawn only when that is a terminal; results keep standard output. */
    public static ConsoleProgress toStandardError() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public void onEpoch(TrainingProgress.Epoch e) {
        if (barOpen) {
            out.println();
            barOpen = false;
        }
        out.println(String.format(Locale.ROOT, "  epoch %d: train loss %.3f, validation %.3f bits/token (perplexity %.2f)%s,"
                        + " next learning rate %.2g, %d s", e.epoch(), e.trainLoss(), e.validationBitsPerToken(),
                Math.exp(e.validationLoss()), e.best() ? " best so far" : "", e.learningRate(), e.elapsed().toSeconds()));
        out.flush();
    }

    @Override
    public void onProgress(TrainingProgress p) {
        long now = System.nanoTime();
        boolean last = p.step() == p.totalSteps();
        if (!terminal) {
            if (now - lastDraw >= LINE_NANOS) {
                lastDraw = now;
                out.println(String.format(Locale.ROOT, "  epoch %d/%d: %.0f%%, loss %.3f (%.2f bits/token), %,.0f tokens/s",
                        p.epoch(), p.epochs(), 100.0 * p.step() / p.totalSteps(), p.loss(), p.bitsPerToken(),
                        p.tokensPerSecond()));
                out.flush();
            }
            return;
        }
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
        barOpen = !last;
        if (last) {
            out.println();
        }
        out.flush();
    }
}
