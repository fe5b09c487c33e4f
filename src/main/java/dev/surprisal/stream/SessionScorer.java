package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.tokenize.Tokenizers;

import java.nio.charset.StandardCharsets;

/**
 * Everything the scorer does with one event of a session, apart from Kafka: checks the text,
 * continues (or primes, after a model switch) the session's state, runs the model, applies the
 * anomaly rules and builds the {@link ScoredEvent}. The stream processor and the evaluation replay
 * both call this, so an evaluation predicts production behaviour.
 */
public final class SessionScorer {

    /** The result: a score and the session's next state, or why the event was refused. */
    public record Outcome(ScoredEvent scored, SessionState next, EventScore score, String rejectCode,
                          String rejectReason) {
        public boolean rejected() {
            return rejectCode != null;
        }

        static Outcome reject(String code, String reason) {
            return new Outcome(null, null, null, code, reason);
        }
    }

    private final ScorerConfig config;
    private final EventScorer scorer;
    private String policyVersion;
    private AnomalyPolicy policy;

    public SessionScorer(ScorerConfig config) {
        this.config = config;
        this.scorer = new EventScorer(config.topK(), config.perTokenTopK());
    }

    /** @param state the session's stored state, or null for a new session */
    public Outcome score(LanguageModel model, SessionState state, String session, TextEvent event, long timestamp) {
        String text = event.getText();
        if (text.isBlank()) {
            return Outcome.reject("empty-text", "empty text");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxTextBytes()) {
            return Outcome.reject("too-large", "text too large: " + bytes + " bytes, limit " + config.maxTextBytes()
                    + " (" + ScorerConfig.MAX_TEXT_BYTES + ")");
        }
        int[] tokens = model.tokenizer().encode(text);
        if (tokens.length == 0) {
            return Outcome.reject("no-tokens", "no tokens: the " + model.tokenizer().spec().type()
                    + " tokenizer found none");
        }
        SessionState current = state;
        if (current == null) {
            current = SessionState.start(model.version(), model.initialState(), timestamp);
        } else if (!current.modelVersion().equals(model.version())) {
            // a state made by another model means nothing to this one: re-run the session's recent text
            current = current.switchedTo(model.version(), model.stateAfter(current.recentText()));
        }
        EventScore score = scorer.score(model, current.recurrent(), tokens, event.getEndOfSession());
        AnomalyPolicy rules = policyFor(model);
        AnomalyPolicy.Verdict verdict = rules.judge(score);
        SessionState next = current.after(score.state(), text, config.primeWindowChars(), score.tokens().size(),
                score.totalBits(), verdict.anomalous(), timestamp);
        ScoredEvent scored = ScoredEvents.of(event, session, model.version(), model.tokenizer(), score, rules,
                verdict, next);
        return new Outcome(scored, next, score, null, null);
    }

    private int topG(LanguageModel model) {
        if (config.topG() >= 0) {
            return config.topG();
        }
        return Tokenizers.KEYS.equals(model.tokenizer().spec().type()) ? model.manifest().topG() : 0;
    }

    /** The rules for a model: the configured threshold and g, else those calibrated at training. */
    public AnomalyPolicy policyFor(LanguageModel model) {
        if (!model.version().equals(policyVersion)) {
            double configured = config.perplexityThreshold();
            double calibrated = model.manifest().anomalyThreshold();
            double threshold = configured > 0 ? configured : calibrated > 0 ? calibrated : Double.POSITIVE_INFINITY;
            policy = new AnomalyPolicy(threshold, topG(model));
            policyVersion = model.version();
        }
        return policy;
    }
}
