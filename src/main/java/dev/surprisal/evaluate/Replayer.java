package dev.surprisal.evaluate;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TokenScore;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.session.ScoringSettings;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Replays sessions through the scorer's own per-event code ({@link SessionScorer}), state carried across events. */
public final class Replayer {

    /**
     * What one event scored. {@code topTokens} are its most surprising tokens, most surprising first;
     * {@code time} is the event's own (null when the input has none).
     */
    public record EventResult(String eventId, String text, Boolean label, int tokens, double totalBits,
                              double perplexity, int worstRank, double anomalyScore, boolean flagged,
                              List<TokenBits> topTokens, Instant time) {
    }

    /** One token and its surprisal; {@code position} is its index in the event. */
    public record TokenBits(String token, double bits, int position) {
    }

    /** A replayed session: its events' results and the events the scorer refused (with why). */
    public record SessionResult(ReplaySession session, List<EventResult> events, List<String> refused) {

        public double maxPerplexity() {
            return events.stream().mapToDouble(EventResult::perplexity).max().orElse(0);
        }

        public int worstRank() {
            return events.stream().mapToInt(EventResult::worstRank).max().orElse(0);
        }

        public double anomalyScore() {
            return events.stream().mapToDouble(EventResult::anomalyScore).max().orElse(0);
        }

        public boolean flagged() {
            return events.stream().anyMatch(EventResult::flagged);
        }
    }

    private static final int TOP_TOKENS = 5;

    private final ScoringSettings config;

    public Replayer(ScoringSettings config) {
        this.config = config;
    }

    public List<SessionResult> replay(LanguageModel model, List<ReplaySession> sessions) {
        SessionScorer scorer = new SessionScorer(config);
        List<SessionResult> out = new ArrayList<>(sessions.size());
        long time = 0;
        for (ReplaySession session : sessions) {
            SessionState state = null;
            List<EventResult> results = new ArrayList<>(session.events().size());
            List<String> refused = new ArrayList<>();
            for (ReplaySession.Event event : session.events()) {
                time++;
                TextEvent input = new TextEvent(event.eventId(), session.id(), event.text(), Instant.ofEpochMilli(time),
                        event.end(), null);
                SessionScorer.Outcome outcome = scorer.score(model, state, session.id(), input, time);
                if (outcome.rejected()) {
                    refused.add(event.eventId() + ": " + outcome.rejectReason());
                    continue;
                }
                state = outcome.next();
                results.add(result(event, outcome.scored()));
            }
            out.add(new SessionResult(session, results, refused));
        }
        return out;
    }

    private static EventResult result(ReplaySession.Event event, ScoredEvent scored) {
        List<TokenScore> tokens = scored.getTokens();
        List<TokenBits> top = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            top.add(new TokenBits(tokens.get(i).getToken(), tokens.get(i).getSurprisalBits(), i));
        }
        top.sort(Comparator.comparingDouble(TokenBits::bits).reversed());
        int worst = tokens.stream().mapToInt(TokenScore::getRank).max().orElse(1);
        return new EventResult(event.eventId(), event.text(), event.label(), tokens.size(),
                scored.getMeanSurprisalBits() * tokens.size(), scored.getEventPerplexity(), worst,
                scored.getAnomalyScore(), scored.getAnomalous(), List.copyOf(top.subList(0, Math.min(TOP_TOKENS, top.size()))),
                event.time());
    }
}
