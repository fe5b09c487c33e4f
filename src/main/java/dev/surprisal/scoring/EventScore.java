package dev.surprisal.scoring;

import java.util.List;

/**
 * How one event scored: per-token surprisal and rank, the next-token prediction, and the state after
 * it. {@code endBits} is the surprisal of the session's end when the event ended its session and the
 * end was scored (it is then the last token), else NaN.
 */
public record EventScore(List<TokenResult> tokens, List<Candidate> next, double nextEntropyBits, double totalBits,
                         double maxBits, int worstRank, float[] state, double endBits) {

    /**
     * One actual token. {@code entropyBits} is the entropy of the distribution it was drawn from:
     * the surprisal the model expected there. {@code topK} is null unless per-token predictions were asked for.
     */
    public record TokenResult(int tokenId, double surprisalBits, int rank, double entropyBits, List<Candidate> topK) {
    }

    /** One predicted token and its probability. */
    public record Candidate(int tokenId, double probability) {
    }

    public double meanBits() {
        return totalBits / tokens.size();
    }

    /** The event perplexity the anomaly rule judges: see {@link #perplexity(int, double, double)}. */
    public double perplexity() {
        return perplexity(tokens.size(), totalBits, endBits);
    }

    /**
     * 2^(mean bits) of an event, with a session's end judged on its own. Averaged in, a surprising end
     * is diluted by the event's other tokens (a truncated session's last key, a whole line of text);
     * judged as an event of its own, a session that stops where normal ones never do stands out.
     */
    public static double perplexity(int tokens, double totalBits, double endBits) {
        if (Double.isNaN(endBits) || tokens < 2) {
            return Math.pow(2, totalBits / tokens);
        }
        return Math.max(Math.pow(2, (totalBits - endBits) / (tokens - 1)), Math.pow(2, endBits));
    }
}
