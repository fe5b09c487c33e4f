package dev.surprisal.scoring;

import dev.surprisal.model.LanguageModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Turns the model's log-probabilities for one event into surprisal, ranks and top-k predictions. */
public final class EventScorer {

    private static final double LN2 = Math.log(2);

    private final int topK;
    private final int perTokenTopK;

    /**
     * @param topK         predictions reported for the token after the event
     * @param perTokenTopK predictions reported at every token position; 0 leaves them out
     */
    public EventScorer(int topK, int perTokenTopK) {
        this.topK = topK;
        this.perTokenTopK = perTokenTopK;
    }

    public EventScore score(LanguageModel model, float[] state, int[] tokens) {
        return fromForward(model.forward(state, tokens), tokens);
    }

    /**
     * Scores an event; when it ends its session and the model was trained to know session ends,
     * the end itself is scored too, as one more token (the session-start token) after the event's.
     */
    public EventScore score(LanguageModel model, float[] state, int[] tokens, boolean endsSession) {
        return score(model, state, withEnd(model, tokens, endsSession));
    }

    /** The tokens an event is scored on: its own, plus the session end when the model scores it. */
    public static int[] withEnd(LanguageModel model, int[] tokens, boolean endsSession) {
        if (!endsSession || !model.manifest().scoresSessionEnd()) {
            return tokens;
        }
        int[] withEnd = Arrays.copyOf(tokens, tokens.length + 1);
        withEnd[tokens.length] = model.tokenizer().bosId();
        return withEnd;
    }

    /**
     * Events of different sessions in one model call ({@link LanguageModel#forwardBatch}); a single
     * event takes the per-event call. Result i belongs to states i and tokens i.
     */
    public List<EventScore> scoreAll(LanguageModel model, List<float[]> states, List<int[]> tokens) {
        if (states.size() == 1) {
            return List.of(score(model, states.get(0), tokens.get(0)));
        }
        List<LanguageModel.Forward> forwards = model.forwardBatch(states, tokens);
        List<EventScore> out = new ArrayList<>(forwards.size());
        for (int i = 0; i < forwards.size(); i++) {
            out.add(fromForward(forwards.get(i), tokens.get(i)));
        }
        return out;
    }

    /** The {@code topK} most likely next tokens after {@code state}. */
    public List<EventScore.Candidate> predictNext(LanguageModel model, float[] state) {
        return top(model.predict(state), 0, topK);
    }

    EventScore fromForward(LanguageModel.Forward forward, int[] tokens) {
        List<EventScore.TokenResult> results = new ArrayList<>(tokens.length);
        double total = 0;
        double max = 0;
        int worstRank = 1;
        for (int t = 0; t < tokens.length; t++) {
            double bits = -forward.logProb(t, tokens[t]) / LN2;
            int rank = rank(forward, t, tokens[t]);
            total += bits;
            max = Math.max(max, bits);
            worstRank = Math.max(worstRank, rank);
            results.add(new EventScore.TokenResult(tokens[t], bits, rank,
                    perTokenTopK > 0 ? top(forward, t, perTokenTopK) : null));
        }
        return new EventScore(results, top(forward, tokens.length, topK), total, max, worstRank, forward.state());
    }

    /** 1 + the number of tokens the model found strictly more likely than the actual one. */
    static int rank(LanguageModel.Forward forward, int position, int token) {
        float[] lp = forward.logProbs();
        int base = position * forward.vocabularySize();
        float actual = lp[base + token];
        int higher = 0;
        for (int v = 0; v < forward.vocabularySize(); v++) {
            if (lp[base + v] > actual) {
                higher++;
            }
        }
        return higher + 1;
    }

    /** The k most likely tokens at a position, most likely first; ties go to the lower id. */
    static List<EventScore.Candidate> top(LanguageModel.Forward forward, int position, int k) {
        int vocab = forward.vocabularySize();
        int n = Math.min(k, vocab);
        if (n <= 0) {
            return List.of();
        }
        int[] best = new int[n];
        float[] bestLp = new float[n];
        int filled = 0;
        float[] lp = forward.logProbs();
        int base = position * vocab;
        for (int v = 0; v < vocab; v++) {
            float x = lp[base + v];
            if (filled == n && x <= bestLp[n - 1]) {
                continue;
            }
            int i = filled < n ? filled++ : n - 1;
            while (i > 0 && bestLp[i - 1] < x) {
                best[i] = best[i - 1];
                bestLp[i] = bestLp[i - 1];
                i--;
            }
            best[i] = v;
            bestLp[i] = x;
        }
        List<EventScore.Candidate> out = new ArrayList<>(filled);
        for (int i = 0; i < filled; i++) {
            out.add(new EventScore.Candidate(best[i], Math.exp(bestLp[i])));
        }
        return out;
    }
}
