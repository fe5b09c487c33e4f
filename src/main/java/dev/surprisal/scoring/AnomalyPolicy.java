package dev.surprisal.scoring;

/**
 * The anomaly rules: event perplexity above a threshold, and (DeepLog's rule) an actual token
 * outside the model's top-g predictions. Either may fire; the verdict says which did. For a model
 * of log templates a line that fits no known template is flagged as such ({@code NEW_TEMPLATE}),
 * whatever its perplexity.
 *
 * @param perplexityThreshold event perplexity above which the perplexity rule fires
 * @param topG                g of the top-g rule; 0 turns the rule off
 */
public record AnomalyPolicy(double perplexityThreshold, int topG) {

    public enum Rule { NONE, PERPLEXITY, TOP_G, PERPLEXITY_AND_TOP_G, NEW_TEMPLATE }

    /** What a new template scores at least, so that it sorts among the flagged. */
    public static final double NEW_TEMPLATE_SCORE = 2;

    /**
     * {@code score} is the larger of perplexity / threshold and worst rank / g (at least
     * {@link #NEW_TEMPLATE_SCORE} for a new template): above 1 means flagged.
     */
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

    /** @param newTemplate the event is a log line that fits no template the model knows */
    public Verdict judge(EventScore score, boolean newTemplate) {
        Verdict v = judge(score);
        return newTemplate ? new Verdict(true, Math.max(v.score(), NEW_TEMPLATE_SCORE), Rule.NEW_TEMPLATE) : v;
    }

    /**
     * A log line of a template learned while scoring, whose first line was alerted: not flagged again,
     * whatever the model (to which the template is still unknown) makes of it.
     */
    public Verdict learned(EventScore score) {
        return new Verdict(false, Math.min(judge(score).score(), 1), Rule.NONE);
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
