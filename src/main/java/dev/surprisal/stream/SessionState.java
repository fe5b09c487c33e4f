package dev.surprisal.stream;

/**
 * What the scorer remembers of a session between events: the recurrent state after its last token
 * (meaningful only to the model version that made it), the session's most recent text (to prime
 * another model's state after a model switch), and running totals for the session summary.
 */
public record SessionState(String modelVersion, float[] recurrent, String recentText, long events, long tokens,
                           double totalBits, long anomalousEvents, long firstEventTime, long lastEventTime) {

    public static SessionState start(String modelVersion, float[] recurrent, long timestamp) {
        return new SessionState(modelVersion, recurrent, "", 0, 0, 0, 0, timestamp, timestamp);
    }

    /** The same session carried over to another model, whose state for it is {@code primed}. */
    public SessionState switchedTo(String version, float[] primed) {
        return new SessionState(version, primed, recentText, events, tokens, totalBits, anomalousEvents,
                firstEventTime, lastEventTime);
    }

    /** @param window how many characters of recent text to keep for priming (0 keeps none) */
    public SessionState after(float[] newRecurrent, String text, int window, int eventTokens, double eventBits,
                              boolean anomalous, long timestamp) {
        return new SessionState(modelVersion, newRecurrent, tail(recentText + text, window), events + 1,
                tokens + eventTokens, totalBits + eventBits, anomalousEvents + (anomalous ? 1 : 0), firstEventTime,
                Math.max(lastEventTime, timestamp));
    }

    private static String tail(String text, int window) {
        if (text.length() <= window) {
            return text;
        }
        int from = text.length() - window;
        // never start inside a surrogate pair
        return text.substring(Character.isLowSurrogate(text.charAt(from)) ? from + 1 : from);
    }

    public double perplexity() {
        return tokens == 0 ? Double.NaN : Math.pow(2, totalBits / tokens);
    }
}
