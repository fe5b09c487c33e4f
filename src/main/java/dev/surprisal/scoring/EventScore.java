package dev.surprisal.scoring;

import java.util.List;

/** How one event scored: per-token surprisal and rank, the next-token prediction, and the state after it. */
public record EventScore(List<TokenResult> tokens, List<Candidate> next, double nextEntropyBits, double totalBits,
                         double maxBits, int worstRank, float[] state) {

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

    public double perplexity() {
        return Math.pow(2, meanBits());
    }
}
