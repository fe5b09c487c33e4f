package dev.surprisal.config;

/**
 * The scorer's output topics by default: the scorer writes them, the trainer and the command-line tools
 * read them, so their names are defined here, below all of them.
 */
public final class DefaultTopics {

    /** Every {@code ScoredEvent}. */
    public static final String SCORES = "token-scores";
    /** The flagged ones. */
    public static final String ANOMALIES = "text-anomalies";

    private DefaultTopics() {
    }
}
