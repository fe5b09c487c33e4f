package dev.surprisal.feedback;

import dev.surprisal.avro.Feedback;
import dev.surprisal.avro.FeedbackVerdict;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What feedback says about events and sessions: the latest verdict per event id and per session
 * id. A verdict on an event wins over one on its session.
 */
public final class FeedbackLabels {

    public static final FeedbackLabels NONE = new FeedbackLabels();

    private final Map<String, FeedbackVerdict> byEvent = new HashMap<>();
    private final Map<String, FeedbackVerdict> bySession = new HashMap<>();

    /** In the order given: a later feedback on the same event or session replaces an earlier one. */
    public static FeedbackLabels of(Iterable<Feedback> feedback) {
        FeedbackLabels labels = new FeedbackLabels();
        for (Feedback f : feedback) {
            if (f.getEventId() != null) {
                labels.byEvent.put(f.getEventId(), f.getVerdict());
            } else if (f.getSessionId() != null) {
                labels.bySession.put(f.getSessionId(), f.getVerdict());
            }
        }
        return labels;
    }

    public Optional<FeedbackVerdict> of(String eventId, String sessionId) {
        FeedbackVerdict v = byEvent.get(eventId);
        return Optional.ofNullable(v != null ? v : bySession.get(sessionId));
    }

    public boolean markedNormal(String eventId, String sessionId) {
        return of(eventId, sessionId).orElse(null) == FeedbackVerdict.NORMAL;
    }

    public boolean markedAnomalous(String eventId, String sessionId) {
        return of(eventId, sessionId).orElse(null) == FeedbackVerdict.ANOMALOUS;
    }

    public int size() {
        return byEvent.size() + bySession.size();
    }
}
