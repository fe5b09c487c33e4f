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
        return fromForward(model.forwardBatch(List.of(state), List.of(tokens), keep(), perTokenTopK > 0).get(0), tokens,
                model.tokenizer().bosId());
    }

    /** Top tokens kept per position: enough for the per-token and the next-token predictions. */
    private int keep() {
        return Math.max(1, Math.max(topK, perTokenTopK));
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
     * Events of different sessions in one model call ({@link LanguageModel#forwardBatch}). Result i
     * belongs to states i and tokens i.
     */
    public List<EventScore> scoreAll(LanguageModel model, List<float[]> states, List<int[]> tokens) {
        List<LanguageModel.Forward> forwards = model.forwardBatch(states, tokens, keep(), perTokenTopK > 0);
        List<EventScore> out = new ArrayList<>(forwards.size());
        for (int i = 0; i < forwards.size(); i++) {
            out.add(fromForward(forwards.get(i), tokens.get(i), model.tokenizer().bosId()));
        }
        return out;
    }

    /** The {@code topK} most likely next tokens after {@code state}. */
    public List<EventScore.Candidate> predictNext(LanguageModel model, float[] state) {
        return top(model.predict(state, topK), 0, topK);
    }

    /** {@code end}: the session-start id, which as a scored token can only be the session's end. */
    EventScore fromForward(LanguageModel.Forward forward, int[] tokens, int end) {
        List<EventScore.TokenResult> results = new ArrayList<>(tokens.length);
        double total = 0;
        double max = 0;
        int worstRank = 1;
        for (int t = 0; t < tokens.length; t++) {
            double bits = -forward.logProb(t) / LN2;
            int rank = forward.rank(t);
            total += bits;
            max = Math.max(max, bits);
            worstRank = Math.max(worstRank, rank);
            results.add(new EventScore.TokenResult(tokens[t], bits, rank, forward.entropy(t) / LN2,
                    perTokenTopK > 0 ? top(forward, t, perTokenTopK) : null));
        }
        int last = tokens.length;
        double endBits = last > 0 && tokens[last - 1] == end ? results.get(last - 1).surprisalBits() : Double.NaN;
        return new EventScore(results, top(forward, last, topK), forward.entropy(last) / LN2, total, max, worstRank,
                forward.state(), endBits);
    }

    /** The k most likely tokens at a position, most likely first. */
    static List<EventScore.Candidate> top(LanguageModel.Forward forward, int position, int k) {
        int n = Math.min(k, forward.k());
        List<EventScore.Candidate> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new EventScore.Candidate(forward.topId(position, i), Math.exp(forward.topLogProb(position, i))));
        }
        return out;
    }
}
