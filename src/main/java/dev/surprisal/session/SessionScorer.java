package dev.surprisal.session;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.scoring.EventScore;
import dev.surprisal.scoring.EventScorer;
import dev.surprisal.tokenize.TemplateTokenizer;
import dev.surprisal.tokenize.Tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the scorer does with one event of a session, apart from Kafka: checks the text,
 * continues (or primes, after a model switch) the session's state, runs the model, applies the
 * anomaly rules and builds the {@link ScoredEvent}. The stream processor and the evaluation replay
 * both call this, so an evaluation predicts production behaviour.
 */
public final class SessionScorer {

    /**
     * The result: a score and the session's next state, or why the event was refused. {@code learned}
     * is a template learned or widened by this event, for the scorers to share; null if none. When this
     * scorer met a template first, {@code ifAlertedElsewhere} is the event as it reads if another scorer
     * alerted the template before (a learned template's line); which one is emitted is decided in one
     * place per template ({@code NewTemplateJudge}).
     */
    public record Outcome(ScoredEvent scored, SessionState next, EventScore score, String rejectCode,
                          String rejectReason, LearnedTemplates.Seen learned, ScoredEvent ifAlertedElsewhere) {
        public boolean rejected() {
            return rejectCode != null;
        }

        static Outcome reject(String code, String reason) {
            return new Outcome(null, null, null, code, reason, null, null);
        }
    }

    /** Notes on a template model's line that fits none of its templates: the learned template's id follows. */
    public static final String NOTE_NEW_TEMPLATE = "new-template:";
    public static final String NOTE_LEARNED_TEMPLATE = "learned-template:";

    /** An event checked and tokenized, with the state it continues from: ready for the model. */
    public record Prepared(String session, TextEvent event, long timestamp, SessionState state, int[] tokens) {
    }

    /** Why an event cannot be scored: its dead-letter code and reason. */
    public static final class Rejected extends Exception {
        private final String code;

        Rejected(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    /** The rejection code of a resent event: counted, not dead-lettered. */
    public static final String DUPLICATE = "duplicate";

    private final ScoringSettings config;
    private final EventScorer scorer;
    /** Where lines of no known template are learned; null: every such line is alerted. */
    private final LearnedTemplates learned;
    private String policyVersion;
    private AnomalyPolicy policy;

    /** A scorer that learns new templates on its own (an evaluation replays one scorer). */
    public SessionScorer(ScoringSettings config) {
        this(config, config.learnTemplates() ? new LearnedTemplates() : null);
    }

    /** @param learned the templates learned while scoring, shared with the scorer's other threads */
    public SessionScorer(ScoringSettings config, LearnedTemplates learned) {
        this.config = config;
        this.scorer = new EventScorer(config.topK(), config.perTokenTopK());
        this.learned = config.learnTemplates() ? learned : null;
    }

    /** One event on its own: the reference path, which batches must reproduce. */
    public Outcome score(LanguageModel model, SessionState state, String session, TextEvent event, long timestamp) {
        try {
            return scoreAll(model, List.of(prepare(model, state, session, event, timestamp))).get(0);
        } catch (Rejected r) {
            return Outcome.reject(r.code(), r.getMessage());
        }
    }

    /**
     * Checks the text, tokenizes it and settles the state the event continues from: a new session's
     * start, or, after a model switch, the new model primed with the session's recent text.
     *
     * @param state the session's stored state, or null for a new session
     */
    public Prepared prepare(LanguageModel model, SessionState state, String session, TextEvent event, long timestamp)
            throws Rejected {
        String text = event.getText();
        if (text.isBlank()) {
            throw new Rejected("empty-text", "empty text");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > config.maxTextBytes()) {
            throw new Rejected("too-large", "text too large: " + bytes + " bytes, limit " + config.maxTextBytes()
                    + " (text.max.bytes)");
        }
        if (state != null && state.hasSeen(event.getEventId())) {
            throw new Rejected(DUPLICATE, "event " + event.getEventId() + " was scored before");
        }
        int[] tokens = model.tokenizer().encode(text);
        if (tokens.length == 0) {
            throw new Rejected("no-tokens", "no tokens: the " + model.tokenizer().spec().type()
                    + " tokenizer found none");
        }
        SessionState current = state;
        if (current == null) {
            current = SessionState.start(model.version(), model.initialState(), timestamp);
        } else if (!current.modelVersion().equals(model.version()) || current.recurrent().length != model.stateSize()) {
            // a state made by another model (or of another shape: the same weights without the baseline mixed
            // in) means nothing to this one: re-run the session's recent text
            current = current.switchedTo(model.version(), model.stateAfter(current.recentText()));
        }
        return new Prepared(session, event, timestamp, current,
                EventScorer.withEnd(model, tokens, event.getEndOfSession()));
    }

    /** Events of distinct sessions, scored together in one model call; outcome i belongs to event i. */
    public List<Outcome> scoreAll(LanguageModel model, List<Prepared> events) {
        List<float[]> states = new ArrayList<>(events.size());
        List<int[]> tokens = new ArrayList<>(events.size());
        for (Prepared p : events) {
            states.add(p.state().recurrent());
            tokens.add(p.tokens());
        }
        List<EventScore> scores = scorer.scoreAll(model, states, tokens);
        AnomalyPolicy rules = policyFor(model);
        List<Outcome> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Prepared p = events.get(i);
            EventScore score = scores.get(i);
            boolean unknown = newTemplate(model, score);
            LearnedTemplates.Seen seen = unknown && learned != null
                    ? learned.see(model.tokenizer().spec().template(), p.event().getText(), p.timestamp()) : null;
            AnomalyPolicy.Verdict verdict = seen != null && !seen.first() ? rules.learned(score)
                    : rules.judge(score, unknown);
            SessionState next = p.state().after(score.state(), p.event().getText(), config.primeWindowChars(),
                    score.tokens().size(), score.totalBits(), verdict.anomalous(), p.timestamp(), p.event().getEventId(),
                    config.dedupWindowEvents());
            ScoredEvent scored = ScoredEvents.of(p.event(), p.session(), model.version(), model.tokenizer(), score,
                    rules, verdict, next);
            ScoredEvent ifAlertedElsewhere = null;
            if (seen != null) {
                scored.getNotes().add((seen.first() ? NOTE_NEW_TEMPLATE : NOTE_LEARNED_TEMPLATE) + seen.id());
                scored.setTemplateId(seen.id());
                if (seen.first()) {
                    ifAlertedElsewhere = ScoredEvents.of(p.event(), p.session(), model.version(), model.tokenizer(),
                            score, rules, rules.learned(score), next);
                    ifAlertedElsewhere.getNotes().add(NOTE_LEARNED_TEMPLATE + seen.id());
                    ifAlertedElsewhere.setTemplateId(seen.id());
                }
            }
            out.add(new Outcome(scored, next, score, null, null, seen != null && seen.shared() ? seen : null,
                    ifAlertedElsewhere));
        }
        return out;
    }

    /**
     * Where to cut prepared events into batches: [from, to) ranges of at most {@code maxEvents}
     * events and {@code maxTokens} tokens (an event longer than that is a batch of its own).
     */
    public static List<int[]> batches(List<Prepared> events, int maxEvents, int maxTokens) {
        List<int[]> out = new ArrayList<>();
        int from = 0;
        while (from < events.size()) {
            int to = from;
            long tokens = 0;
            while (to < events.size() && to - from < maxEvents
                    && (to == from || tokens + events.get(to).tokens().length <= maxTokens)) {
                tokens += events.get(to++).tokens().length;
            }
            out.add(new int[] {from, to});
            from = to;
        }
        return out;
    }

    private int topG(LanguageModel model) {
        if (config.topG() >= 0) {
            return config.topG();
        }
        return Tokenizers.oneTokenPerEvent(model.tokenizer().spec().type()) ? model.manifest().topG() : 0;
    }

    /** Whether a template model met a line that fits none of its templates. */
    private static boolean newTemplate(LanguageModel model, EventScore score) {
        return TemplateTokenizer.TYPE.equals(model.tokenizer().spec().type())
                && score.tokens().stream().anyMatch(t -> t.tokenId() == TemplateTokenizer.UNKNOWN_TEMPLATE);
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
