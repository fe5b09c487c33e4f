package dev.surprisal.scoring;

import dev.surprisal.model.LanguageModel;

import java.util.Arrays;
import java.util.List;

/**
 * Language-model quality of a model on a corpus, measured through the scoring path itself (state
 * carried across the events of a session, exactly as the scorer does).
 */
public record CorpusScore(long tokens, double totalBits, double[] eventPerplexities, double[] sessionMaxPerplexities,
                          double[] sessionWorstRanks) {

    public static CorpusScore of(LanguageModel model, List<List<String>> sessions) {
        EventScorer scorer = new EventScorer(0, 0);
        long tokens = 0;
        double bits = 0;
        double[] perplexities = new double[sessions.stream().mapToInt(List::size).sum()];
        double[] sessionMax = new double[sessions.size()];
        double[] sessionRank = new double[sessions.size()];
        int events = 0;
        int scoredSessions = 0;
        for (List<String> session : sessions) {
            float[] state = model.initialState();
            double max = 0;
            int worst = 0;
            for (int e = 0; e < session.size(); e++) {
                int[] ids = model.tokenizer().encode(session.get(e));
                if (ids.length == 0) {
                    continue;
                }
                EventScore score = scorer.score(model, state, ids, e == session.size() - 1);
                state = score.state();
                tokens += score.tokens().size();
                bits += score.totalBits();
                perplexities[events++] = score.perplexity();
                max = Math.max(max, score.perplexity());
                worst = Math.max(worst, score.worstRank());
            }
            if (max > 0) {
                sessionRank[scoredSessions] = worst;
                sessionMax[scoredSessions++] = max;
            }
        }
        return new CorpusScore(tokens, bits, Arrays.copyOf(perplexities, events), Arrays.copyOf(sessionMax, scoredSessions),
                Arrays.copyOf(sessionRank, scoredSessions));
    }

    public double bitsPerToken() {
        return tokens == 0 ? Double.NaN : totalBits / tokens;
    }

    public double perplexity() {
        return Math.pow(2, bitsPerToken());
    }

    /** Below this many held-out sessions, a threshold is calibrated on events instead of sessions. */
    public static final int MIN_SESSIONS_FOR_SESSION_CALIBRATION = 50;

    /** Nearest-rank percentile of the per-event perplexities. */
    public double eventPerplexityPercentile(double percentile) {
        return percentile(eventPerplexities, percentile);
    }

    /**
     * The anomaly threshold for a percentile: alerts are raised per session (a session is flagged
     * when any event is), so the threshold is that percentile of each session's largest event
     * perplexity: at p99.5, about 0.5% of normal sessions get a flagged event, however many events
     * they have. Too few sessions (a text read as one stream) fall back to the event percentile.
     */
    public double anomalyThreshold(double percentile) {
        return sessionMaxPerplexities.length >= MIN_SESSIONS_FOR_SESSION_CALIBRATION
                ? percentile(sessionMaxPerplexities, percentile) : eventPerplexityPercentile(percentile);
    }

    /** g for the top-g rule at the same percentile: that share of held-out sessions has a token ranked worse. */
    public int topG(double percentile) {
        return (int) (sessionWorstRanks.length >= MIN_SESSIONS_FOR_SESSION_CALIBRATION
                ? percentile(sessionWorstRanks, percentile) : 0);
    }

    private static double percentile(double[] values, double percentile) {
        if (values.length == 0) {
            throw new IllegalStateException("no events were scored");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
