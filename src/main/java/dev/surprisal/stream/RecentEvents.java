package dev.surprisal.stream;

import dev.surprisal.avro.Prediction;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TokenScore;
import dev.surprisal.session.LearnedTemplates;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What this instance scored lately, for people looking at it (the live page and the session view):
 * the latest flagged events, and the latest events of recently active sessions. Bounded and in
 * memory only: a snapshot keeps each token's text and surprisal, not the Avro record, so that the
 * memory it holds does not depend on top-k settings. Another instance's events are not here; a
 * session's are on the instance that owns it, which is where session queries are answered.
 */
public final class RecentEvents {

    static final int FLAGGED = 200;
    static final int SESSIONS = 1_000;
    static final int PER_SESSION = 8;
    static final int MAX_TOKENS = 2_000;

    /** One token as shown: its text, surprisal in bits, and rank (1 = the model's first choice). */
    public record Token(String text, double bits, int rank) {
    }

    /** A scored event as shown; {@code seq} orders what this instance saw, from 1. */
    public record Event(long seq, String eventId, String sessionId, String modelVersion, Instant eventTime,
                        String text, List<Token> tokens, boolean truncated, double perplexity, double threshold,
                        double sessionPerplexity, boolean anomalous, String rule, double anomalyScore,
                        List<Prediction> next, List<String> templateValues, List<String> notes) {
    }

    private final LearnedTemplates learned;
    private final Deque<Event> flagged = new ArrayDeque<>();
    private final Map<String, Deque<Event>> sessions = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Event>> eldest) {
            return size() > SESSIONS;
        }
    };
    private long seq;
    private long tokensSeen;
    private long flaggedSeen;

    /** What a scorer shows, learned templates included. */
    public RecentEvents(LearnedTemplates learned) {
        this.learned = learned;
    }

    /** What a page shows without a scorer's learned templates (tests, tools). */
    public RecentEvents() {
        this(new LearnedTemplates());
    }

    /** The templates this instance's scorer learned while scoring, or knows from the others. */
    public List<LearnedTemplates.Summary> learned() {
        return learned.summaries();
    }

    /** Remembers an event whose scores were emitted. */
    public synchronized void add(ScoredEvent e) {
        List<TokenScore> scores = e.getTokens();
        List<Token> tokens = new ArrayList<>(Math.min(scores.size(), MAX_TOKENS));
        for (TokenScore t : scores.subList(0, Math.min(scores.size(), MAX_TOKENS))) {
            tokens.add(new Token(t.getToken(), t.getSurprisalBits(), t.getRank()));
        }
        Event event = new Event(++seq, e.getEventId(), e.getSessionId(), e.getModelVersion(), e.getEventTime(),
                e.getText(), List.copyOf(tokens), scores.size() > MAX_TOKENS, e.getEventPerplexity(),
                e.getPerplexityThreshold(), e.getSessionPerplexity(), e.getAnomalous(),
                e.getAnomalyRule().name(), e.getAnomalyScore(), List.copyOf(e.getNextTokenPredictions()),
                e.getTemplateValues() == null ? null : List.copyOf(e.getTemplateValues()), List.copyOf(e.getNotes()));
        tokensSeen += scores.size();
        if (event.anomalous()) {
            flaggedSeen++;
            flagged.addFirst(event);
            if (flagged.size() > FLAGGED) {
                flagged.removeLast();
            }
        }
        Deque<Event> ofSession = sessions.computeIfAbsent(e.getSessionId(), s -> new ArrayDeque<>());
        ofSession.addFirst(event);
        if (ofSession.size() > PER_SESSION) {
            ofSession.removeLast();
        }
    }

    /** Flagged events seen after {@code after}, newest first, at most {@code limit}. */
    public synchronized List<Event> flaggedAfter(long after, int limit) {
        return flagged.stream().filter(e -> e.seq() > after).limit(limit).toList();
    }

    /** The session's latest events on this instance, newest first (empty when none is remembered). */
    public synchronized List<Event> ofSession(String sessionId) {
        Deque<Event> events = sessions.get(sessionId);
        return events == null ? List.of() : List.copyOf(events);
    }

    /** Events, tokens and flagged events seen since start (rates: differences over time). */
    public synchronized Totals totals() {
        return new Totals(seq, tokensSeen, flaggedSeen);
    }

    public record Totals(long events, long tokens, long flagged) {
    }
}
