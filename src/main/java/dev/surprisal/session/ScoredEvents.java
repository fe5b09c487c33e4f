package dev.surprisal.session;

import dev.surprisal.avro.AnomalyRule;
import dev.surprisal.avro.Prediction;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TokenScore;
import dev.surprisal.avro.WordScore;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.WordSurprisal;
import dev.surprisal.tokenize.ByteTokenizer;
import dev.surprisal.tokenize.TemplateTokenizer;
import dev.surprisal.tokenize.Tokenizer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Maps scoring results onto the output schemas. */
public final class ScoredEvents {

    public static final String END_OF_SESSION = "<end>";
    public static final String NOTE_FUTURE_TIMESTAMP = "future-timestamp";
    public static final String NOTE_TOP_K_DROPPED = "per-token-predictions-dropped";

    private ScoredEvents() {
    }

    static ScoredEvent of(TextEvent event, String session, String modelVersion, Tokenizer tokenizer,
                          EventScore score, AnomalyPolicy policy, AnomalyPolicy.Verdict verdict, SessionState after) {
        List<TokenScore> tokens = new ArrayList<>(score.tokens().size());
        for (EventScore.TokenResult t : score.tokens()) {
            // the session-start token only ever appears as the scored end of a session
            tokens.add(TokenScore.newBuilder()
                    .setToken(t.tokenId() == tokenizer.bosId() ? END_OF_SESSION : tokenizer.render(t.tokenId()))
                    .setSurprisalBits(t.surprisalBits())
                    .setRank(t.rank())
                    .setEntropyBits(t.entropyBits())
                    .setTopK(t.topK() == null ? null : predictions(tokenizer, t.topK()))
                    .build());
        }
        return ScoredEvent.newBuilder()
                .setEventId(event.getEventId())
                .setSessionId(session)
                .setModelVersion(modelVersion)
                .setEventTime(event.getEventTime())
                .setText(event.getText())
                .setTokens(tokens)
                .setNextTokenPredictions(predictions(tokenizer, score.next()))
                .setNextTokenEntropyBits(score.nextEntropyBits())
                .setEventPerplexity(score.perplexity())
                .setMeanSurprisalBits(score.meanBits())
                .setMaxSurprisalBits(score.maxBits())
                .setSessionPerplexity(after.perplexity())
                .setSessionTokenCount(after.tokens())
                .setAnomalous(verdict.anomalous())
                .setAnomalyScore(verdict.score())
                .setAnomalyRule(AnomalyRule.valueOf(verdict.rule().name()))
                .setPerplexityThreshold(policy.perplexityThreshold())
                .setTopG(policy.topG())
                .setWords(ByteTokenizer.TYPE.equals(tokenizer.spec().type()) ? words(event.getText(), score) : null)
                .setTemplateValues(tokenizer instanceof TemplateTokenizer t ? templateValues(t, event.getText()) : null)
                .setTemplateId(tokenizer instanceof TemplateTokenizer ? templateId(score) : null)
                .build();
    }

    /** {@code T} and the line's template's index in the vocabulary; null for a line of none (its learned id is set later). */
    private static String templateId(EventScore score) {
        int id = score.tokens().isEmpty() ? TemplateTokenizer.UNKNOWN_TEMPLATE : score.tokens().get(0).tokenId();
        return id == TemplateTokenizer.UNKNOWN_TEMPLATE ? null : "T" + id;
    }

    /** The values the line's template masks; empty for a line of no known template (shown whole). */
    private static List<String> templateValues(TemplateTokenizer tokenizer, String text) {
        TemplateTokenizer.Explained x = tokenizer.explain(text);
        return x.template() == null ? List.of() : x.values();
    }

    private static List<WordScore> words(String text, EventScore score) {
        double[] bits = new double[score.tokens().size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = score.tokens().get(i).surprisalBits();
        }
        List<WordScore> out = new ArrayList<>();
        for (WordSurprisal.Word w : WordSurprisal.of(text, bits)) {
            out.add(new WordScore(w.word(), w.charOffset(), w.bits()));
        }
        return out;
    }

    public static SessionSummary summary(String session, SessionState state, SessionEndReason reason) {
        return SessionSummary.newBuilder()
                .setSessionId(session)
                .setModelVersion(state.modelVersion())
                .setReason(reason)
                .setEvents(state.events())
                .setTokens(state.tokens())
                .setAnomalousEvents(state.anomalousEvents())
                .setSessionPerplexity(state.perplexity())
                .setFirstEventTime(Instant.ofEpochMilli(state.firstEventTime()))
                .setLastEventTime(Instant.ofEpochMilli(state.lastEventTime()))
                .build();
    }

    private static List<Prediction> predictions(Tokenizer tokenizer, List<EventScore.Candidate> candidates) {
        List<Prediction> out = new ArrayList<>(candidates.size());
        for (EventScore.Candidate c : candidates) {
            out.add(new Prediction(tokenizer.render(c.tokenId()), c.probability()));
        }
        return out;
    }
}
