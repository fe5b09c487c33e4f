package dev.surprisal.session;

/**
 * What the scorer remembers of a session between events: the recurrent state after its last token
 * (meaningful only to the model version that made it), the session's most recent text (to prime
 * another model's state after a model switch), and running totals for the session summary.
 */
public record SessionState(String modelVersion, float[] recurrent, String recentText, long events, long tokens,
                           double totalBits, long anomalousEvents, long firstEventTime, long lastEventTime,
                           long[] recentEventIds) {

    private static final long[] NONE = new long[0];

    public static SessionState start(String modelVersion, float[] recurrent, long timestamp) {
        return new SessionState(modelVersion, recurrent, "", 0, 0, 0, 0, timestamp, timestamp, NONE);
    }

    /** The same session carried over to another model, whose state for it is {@code primed}. */
    public SessionState switchedTo(String version, float[] primed) {
        return new SessionState(version, primed, recentText, events, tokens, totalBits, anomalousEvents,
                firstEventTime, lastEventTime, recentEventIds);
    }

    /**
     * @param window   how many characters of recent text to keep for priming (0 keeps none)
     * @param idWindow how many of the latest event ids to keep, to recognise a resent event
     */
    public SessionState after(float[] newRecurrent, String text, int window, int eventTokens, double eventBits,
                              boolean anomalous, long timestamp, String eventId, int idWindow) {
        return new SessionState(modelVersion, newRecurrent, tail(recentText + text, window), events + 1,
                tokens + eventTokens, totalBits + eventBits, anomalousEvents + (anomalous ? 1 : 0), firstEventTime,
                Math.max(lastEventTime, timestamp), remember(recentEventIds, eventId, idWindow));
    }

    /** Whether an event with this id was among the session's latest (those {@link #after} kept). */
    public boolean hasSeen(String eventId) {
        long h = idHash(eventId);
        for (long id : recentEventIds) {
            if (id == h) {
                return true;
            }
        }
        return false;
    }

    private static long[] remember(long[] ids, String eventId, int window) {
        if (window <= 0) {
            return NONE;
        }
        int keep = Math.min(ids.length, window - 1);
        long[] out = new long[keep + 1];
        System.arraycopy(ids, ids.length - keep, out, 0, keep);
        out[keep] = idHash(eventId);
        return out;
    }

    /** FNV-1a over the id's UTF-8 bytes: 8 bytes per remembered id, collisions negligible within a window. */
    static long idHash(String eventId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : eventId.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
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
