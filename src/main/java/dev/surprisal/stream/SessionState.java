package dev.surprisal.stream;

/**
 * What the scorer remembers of a session between events: the recurrent state after its last token
 * (meaningful only to the model version that made it) and running totals for the session summary.
 */
public record SessionState(String modelVersion, float[] recurrent, long events, long tokens, double totalBits,
                           long anomalousEvents, long firstEventTime, long lastEventTime) {

    public static SessionState start(String modelVersion, float[] recurrent, long timestamp) {
        return new SessionState(modelVersion, recurrent, 0, 0, 0, 0, timestamp, timestamp);
    }

    public SessionState after(float[] newRecurrent, int eventTokens, double eventBits, boolean anomalous,
                              long timestamp) {
        return new SessionState(modelVersion, newRecurrent, events + 1, tokens + eventTokens, totalBits + eventBits,
                anomalousEvents + (anomalous ? 1 : 0), firstEventTime, Math.max(lastEventTime, timestamp));
    }

    public double perplexity() {
        return tokens == 0 ? Double.NaN : Math.pow(2, totalBits / tokens);
    }
}
