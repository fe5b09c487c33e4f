package dev.surprisal.scoring;

import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.OpenSession;
import dev.surprisal.tokenize.Tokenizer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Language-model quality of a model on a corpus, measured through the scoring path itself (state
 * carried across the events of a session, exactly as the scorer does).
 */
public record CorpusScore(long tokens, double totalBits, double[] eventPerplexities, double[] sessionMaxPerplexities,
                          double[] sessionWorstRanks) {

    public static CorpusScore of(LanguageModel model, List<List<String>> sessions) {
        EventScorer scorer = new EventScorer(0, 0);
        return of(model.tokenizer(), sessions, () -> new SessionScoring() {
            private float[] state = model.initialState();

            @Override
            public Figures next(int[] ids, boolean last) {
                EventScore score = scorer.score(model, state, ids, last);
                state = score.state();
                return new Figures(score.tokens().size(), score.totalBits(), score.worstRank(), score.endBits());
            }
        });
    }

    /** The n-gram baseline on the same sessions, scored the same way (session end included). */
    public static CorpusScore of(KneserNey baseline, Tokenizer tokenizer, List<List<String>> sessions) {
        return of(tokenizer, sessions, () -> {
            KneserNey.Session session = baseline.newSession();
            return (ids, last) -> Figures.of(session.score(last ? withEnd(ids, tokenizer.bosId()) : ids), last);
        });
    }

    private static int[] withEnd(int[] ids, int end) {
        int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = end;
        return out;
    }

    /** What one event scored; {@code endBits} as in {@link EventScore}. */
    public record Figures(int tokens, double bits, int worstRank, double endBits) {
        /** @param endsSession whether the last prediction is the session's end */
        public static Figures of(KneserNey.Prediction[] predictions, boolean endsSession) {
            double bits = 0;
            int worst = 0;
            for (KneserNey.Prediction p : predictions) {
                bits += p.bits();
                worst = Math.max(worst, p.rank());
            }
            return new Figures(predictions.length, bits, worst,
                    endsSession ? predictions[predictions.length - 1].bits() : Double.NaN);
        }

        public double perplexity() {
            return EventScore.perplexity(tokens, bits, endBits);
        }
    }

    /** Scores one session's events in order. */
    @FunctionalInterface
    public interface SessionScoring {
        Figures next(int[] ids, boolean last);
    }

    private static CorpusScore of(Tokenizer tokenizer, List<List<String>> sessions, Supplier<SessionScoring> sessionStart) {
        long tokens = 0;
        double bits = 0;
        double[] perplexities = new double[sessions.stream().mapToInt(List::size).sum()];
        double[] sessionMax = new double[sessions.size()];
        double[] sessionRank = new double[sessions.size()];
        int events = 0;
        int scoredSessions = 0;
        for (List<String> session : sessions) {
            SessionScoring scoring = sessionStart.get();
            boolean ends = OpenSession.ends(session);
            double max = 0;
            int worst = 0;
            for (int e = 0; e < session.size(); e++) {
                int[] ids = tokenizer.encode(session.get(e));
                if (ids.length == 0) {
                    continue;
                }
                Figures score = scoring.next(ids, ends && e == session.size() - 1);
                tokens += score.tokens();
                bits += score.bits();
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

    /**
     * The anomaly threshold for a percentile p: a budget of (100 - p)% of normal sessions flagged.
     * Alerts are raised per session (a session is flagged when any event is), so the threshold is
     * cut from each held-out session's largest event perplexity (see {@link #withinBudget}), so that
     * new normal sessions are flagged within the budget.
     * Too few sessions (a text read as one stream) fall back to events.
     */
    public double anomalyThreshold(double percentile) {
        return sessionMaxPerplexities.length >= MIN_SESSIONS_FOR_SESSION_CALIBRATION
                ? withinBudget(sessionMaxPerplexities, percentile) : withinBudget(eventPerplexities, percentile);
    }

    /** The two rules' settings, cut from held-out sessions for one false-positive budget. */
    public record Calibration(double threshold, int topG) {
    }

    /**
     * Both rules for a budget of (100 - p)% of normal sessions. When both rules judge (the top-g rule
     * is on by default for key models) a session is flagged by either, so each rule gets half the
     * budget and together they keep to it; otherwise the perplexity rule has it all.
     */
    public Calibration calibrate(double percentile, boolean bothRules) {
        double perRule = bothRules ? 100 - (100 - percentile) / 2 : percentile;
        return new Calibration(anomalyThreshold(perRule), topG(perRule));
    }

    /** g for the top-g rule, cut from each held-out session's worst rank the same way. */
    public int topG(double percentile) {
        return (int) (sessionWorstRanks.length >= MIN_SESSIONS_FOR_SESSION_CALIBRATION
                ? withinBudget(sessionWorstRanks, percentile) : 0);
    }

    /**
     * The confidence with which a calibrated cut keeps new normal sessions within the budget. The
     * plain split-conformal cut, the ⌈(n + 1)(1 - α)⌉-th smallest of n held-out scores, keeps to the
     * budget only on average over held-out draws: from 400 sessions, a 1% budget is exceeded in 43% of
     * draws. So the cut is the smallest order statistic that keeps to it with this
     * confidence (a binomial tail bound over the held-out draw).
     */
    static final double CONFIDENCE = 0.9;

    /**
     * The lowest of n held-out normal scores that a new normal session from the same traffic
     * exceeds with probability at most α, the budget, with {@link #CONFIDENCE} over the draw of the
     * held-out set: the (n - j)-th smallest, j the most held-out scores that may lie above it, the
     * largest j with P(Binomial(n, α) ≤ j) ≤ 1 - confidence. With too few scores for even j = 0 it
     * is the largest.
     */
    static double withinBudget(double[] values, double percentile) {
        if (values.length == 0) {
            throw new IllegalStateException("no events were scored");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return sorted[n - 1 - scoresAllowedAbove(n, 1 - percentile / 100.0)];
    }

    static int scoresAllowedAbove(int n, double budget) {
        if (budget <= 0) {
            return 0;
        }
        if (budget >= 1) {
            return n - 1;
        }
        double risk = Math.log(1 - CONFIDENCE);
        // log P(Binomial(n, budget) = j) and log P(Binomial(n, budget) <= j), in logs: (1 - budget)^n underflows
        double logPmf = n * Math.log1p(-budget);
        double logCdf = logPmf;
        int allowed = 0;
        for (int j = 0; j < n - 1 && logCdf <= risk; j++) {
            allowed = j;
            logPmf += Math.log((double) (n - j) / (j + 1)) + Math.log(budget) - Math.log1p(-budget);
            logCdf = logCdf + Math.log1p(Math.exp(logPmf - logCdf));
        }
        return allowed;
    }

    /** Nearest-rank percentile of the per-event perplexities. */
    public double eventPerplexityPercentile(double percentile) {
        return percentile(eventPerplexities, percentile);
    }

    private static double percentile(double[] values, double percentile) {
        if (values.length == 0) {
            throw new IllegalStateException("no events were scored");
        }
        return Percentiles.of(values, percentile);
    }
}
