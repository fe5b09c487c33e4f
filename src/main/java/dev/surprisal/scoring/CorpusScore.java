package dev.surprisal.scoring;

import dev.surprisal.model.LanguageModel;

import java.util.Arrays;
import java.util.List;

/**
 * Language-model quality of a model on a corpus, measured through the scoring path itself (state
 * carried across the events of a session, exactly as the scorer does).
 */
public record CorpusScore(long tokens, double totalBits, double[] eventPerplexities) {

    public static CorpusScore of(LanguageModel model, List<List<String>> sessions) {
        EventScorer scorer = new EventScorer(0, 0);
        long tokens = 0;
        double bits = 0;
        double[] perplexities = new double[sessions.stream().mapToInt(List::size).sum()];
        int events = 0;
        for (List<String> session : sessions) {
            float[] state = model.initialState();
            for (String text : session) {
                int[] ids = model.tokenizer().encode(text);
                if (ids.length == 0) {
                    continue;
                }
                EventScore score = scorer.score(model, state, ids);
                state = score.state();
                tokens += ids.length;
                bits += score.totalBits();
                perplexities[events++] = score.perplexity();
            }
        }
        return new CorpusScore(tokens, bits, Arrays.copyOf(perplexities, events));
    }

    public double bitsPerToken() {
        return tokens == 0 ? Double.NaN : totalBits / tokens;
    }

    public double perplexity() {
        return Math.pow(2, bitsPerToken());
    }

    /** Nearest-rank percentile of the per-event perplexities. */
    public double eventPerplexityPercentile(double percentile) {
        if (eventPerplexities.length == 0) {
            throw new IllegalStateException("no events were scored");
        }
        double[] sorted = eventPerplexities.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
