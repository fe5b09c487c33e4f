package dev.surprisal.scoring;

/**
 * The two anomaly rules: event perplexity above a threshold, and (DeepLog's rule) an actual token
 * outside the model's top-g predictions. Either may fire; the verdict says which did.
 *
 * @param perplexityThreshold event perplexity above which the perplexity rule fires
 * @param topG                g of the top-g rule; 0 turns the rule off
 */
public record AnomalyPolicy(double perplexityThreshold, int topG) {

    public enum Rule { NONE, PERPLEXITY, TOP_G, PERPLEXITY_AND_TOP_G }

    /** {@code score} is the larger of perplexity / threshold and worst rank / g: above 1 means flagged. */
    public record Verdict(boolean anomalous, double score, Rule rule) {
    }

    public AnomalyPolicy {
        if (!(perplexityThreshold > 0)) {
            throw new IllegalArgumentException("perplexity threshold must be positive, was " + perplexityThreshold);
        }
        if (topG < 0) {
            throw new IllegalArgumentException("top-g must be 0 (off) or positive, was " + topG);
        }
    }

    public Verdict judge(EventScore score) {
        return judge(score.perplexity(), score.worstRank());
    }

    public Verdict judge(double eventPerplexity, int worstRank) {
        boolean byPerplexity = eventPerplexity > perplexityThreshold;
        boolean byRank = topG > 0 && worstRank > topG;
        double ratio = eventPerplexity / perplexityThreshold;
        if (topG > 0) {
            ratio = Math.max(ratio, (double) worstRank / topG);
        }
        Rule rule = byPerplexity && byRank ? Rule.PERPLEXITY_AND_TOP_G
                : byPerplexity ? Rule.PERPLEXITY
                : byRank ? Rule.TOP_G
                : Rule.NONE;
        return new Verdict(rule != Rule.NONE, ratio, rule);
    }
}
