package dev.surprisal.stream;

/**
 * How many tokens a batch may take for its events to be visible within the latency target, from
 * what the model has been measured to cost. An event that arrives just after a batch started waits
 * for the window, then for that batch, then for its own, then for the commit: so a batch gets a
 * third of what the target leaves after the window and the commit interval, the third share
 * leaving room for the commit itself and the hand-over between threads. A backlog older than the
 * target is past saving; its batches grow to the configured caps, which is what throughput needs.
 *
 * <p>The cost per token and the tokens per character of text are moving averages over recent
 * batches, restarted when the model changes, so they follow the model, the event sizes and the
 * load (a loaded machine makes each call slower). Used by one stream thread only.
 */
final class LatencyPlan {

    /** Weight of the newest batch in the moving averages. */
    private static final double ALPHA = 0.3;

    private final long targetNanos;
    private final long waitNanos;
    private final long commitNanos;
    private final int maxTokens;
    private String model;
    private volatile double nanosPerToken = Double.NaN;
    private double tokensPerChar = 1;
    /** The last budget given, for the metrics scrape (another thread). */
    private volatile int planned;

    LatencyPlan(ScorerConfig config) {
        this.targetNanos = config.latencyTarget().toNanos();
        this.waitNanos = config.batchWait().toNanos();
        this.commitNanos = config.commitInterval().toNanos();
        this.maxTokens = config.batchMaxTokens();
        this.planned = maxTokens;
    }

    long waitNanos() {
        return waitNanos;
    }

    /** Tokens the next batch may take when its oldest event has waited {@code oldestWaitNanos}; at least one event. */
    int tokenBudget(long oldestWaitNanos) {
        int budget;
        if (Double.isNaN(nanosPerToken) || oldestWaitNanos > targetNanos) {
            budget = maxTokens;
        } else {
            double modelNanos = Math.max(0, targetNanos - waitNanos - commitNanos) / 3.0;
            budget = (int) Math.max(1, Math.min(maxTokens, modelNanos / nanosPerToken));
        }
        planned = budget;
        return budget;
    }

    /** The tokens an event of this many characters is expected to have, from what recent batches had. */
    int expectedTokens(int chars) {
        return Math.max(1, (int) Math.ceil(chars * tokensPerChar));
    }

    /** What a model call cost: its tokens, the characters of text they came from, and its time. */
    void observe(String modelVersion, int tokens, long chars, long nanos) {
        if (tokens <= 0 || chars <= 0) {
            return;
        }
        double perToken = (double) nanos / tokens;
        double perChar = (double) tokens / chars;
        if (!modelVersion.equals(model) || Double.isNaN(nanosPerToken)) {
            model = modelVersion;
            nanosPerToken = perToken;
            tokensPerChar = perChar;
        } else {
            nanosPerToken += ALPHA * (perToken - nanosPerToken);
            tokensPerChar += ALPHA * (perChar - tokensPerChar);
        }
    }

    double secondsPerToken() {
        return Double.isNaN(nanosPerToken) ? 0 : nanosPerToken / 1e9;
    }

    int planned() {
        return planned;
    }

    double targetSeconds() {
        return targetNanos / 1e9;
    }
}
