package dev.surprisal.scoring;

import java.util.List;

/** How one event scored: per-token surprisal and rank, the next-token prediction, and the state after it. */
public record EventScore(List<TokenResult> tokens, List<Candidate> next, double totalBits, double maxBits,
                         int worstRank, float[] state) {

    /** One actual token. {@code topK} is null unless per-token predictions were asked for. */
    public record TokenResult(int tokenId, double surprisalBits, int rank, List<Candidate> topK) {
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
