package dev.surprisal.stream;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.session.LearnedTemplates;
import dev.surprisal.session.SessionScorer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pending events of every task on one stream thread, scored together. A thread runs several
 * tasks (one per input partition it owns); batching each task alone would cut batches into as
 * many pieces, which at moderate load leaves them nearly empty.
 *
 * <p>Scoring here computes results only. A task may forward records only while it is the one
 * being processed, so each {@link ScoringProcessor} emits its own results (and only then deletes
 * the events from its pending store) the next time it runs, in the same punctuation pass or at its
 * next record. Until then its pending events stay in its store: results lost with a revoked task
 * are computed again by the next owner.
 */
final class ThreadBatch {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadBatch.class);

    private final ScorerConfig config;
    private final PoisonGuard scoring;
    private final ModelProvider models;
    private final SessionScorer sessions;
    private final ScorerMetrics metrics;
    private final List<BatchMember> members = new ArrayList<>();
    /** Punctuation time at which queued events were first seen; -1 while nothing is queued. */
    private long queuedSeenAt = -1;
    /** The last count of queued events, for the metrics scrape (another thread). */
    private volatile int queuedDepth;

    ThreadBatch(ScorerConfig config, ModelProvider models, ScorerMetrics metrics, LearnedTemplates learned) {
        this.config = config;
        this.scoring = PoisonGuard.scoring(config.getString(ScorerConfig.APPLICATION_ID));
        this.models = models;
        this.sessions = new SessionScorer(config.scoring(), learned);
        this.metrics = metrics;
        metrics.queueDepth(Thread.currentThread().getName(), () -> queuedDepth);
    }

    void join(BatchMember member) {
        members.add(member);
    }

    void leave(BatchMember member) {
        members.remove(member);
    }

    /** Events queued in all tasks of this thread and not yet scored. */
    int queued() {
        int n = 0;
        for (BatchMember m : members) {
            n += m.queued().size();
        }
        queuedDepth = n;
        return n;
    }

    /**
     * Whether the queue should be scored now: it holds a batch's worth of events, or of text. Text is
     * counted in characters, at least one token each for every tokenizer, so the results held until
     * the tasks emit them stay within {@link ScorerConfig#batchMaxTokens()} tokens plus one event.
     */
    boolean full() {
        if (queued() >= config.batchMaxEvents()) {
            return true;
        }
        long chars = 0;
        for (BatchMember m : members) {
            for (QueuedEvent q : m.queued()) {
                chars += q.event().getText().length();
            }
        }
        return chars >= config.batchMaxTokens();
    }

    /**
     * Whether the queued events have waited the batch window, measured between punctuations: the
     * processor context's clock is the one cached at the start of the stream thread's processing
     * loop, so an arrival time read from it during a long loop (one that scored a batch) is stale
     * and would make the next events look overdue, cutting batches short under load.
     */
    boolean due(long now) {
        if (queued() == 0) {
            queuedSeenAt = -1;
            return false;
        }
        if (queuedSeenAt < 0) {
            queuedSeenAt = now;
        }
        return now - queuedSeenAt >= config.batchMaxWait().toMillis();
    }

    /**
     * Scores every queued event of every task in rounds: round r holds the r-th queued event of each
     * session, so a session's events are scored in arrival order; a round larger than the batch size
     * is cut into batches.
     */
    void score() {
        List<List<QueuedEvent>> rounds = new ArrayList<>();
        Map<BatchMember, Map<String, Integer>> depth = new IdentityHashMap<>();
        for (BatchMember m : members) {
            for (QueuedEvent q : m.queued()) {
                int round = depth.computeIfAbsent(m, k -> new HashMap<>()).merge(q.session(), 1, Integer::sum) - 1;
                if (round == rounds.size()) {
                    rounds.add(new ArrayList<>());
                }
                rounds.get(round).add(q);
            }
            m.queued().clear();
        }
        queuedSeenAt = -1;
        queuedDepth = 0;
        if (rounds.isEmpty()) {
            return;
        }
        // held for the whole batch: a model switch meanwhile closes the old model only after it
        try (ModelLease lease = models.lease()) {
            LanguageModel model = lease.model();
            metrics.modelInUse(model.version());
            for (List<QueuedEvent> round : rounds) {
                scoreRound(model, round);
            }
        }
    }

    /**
     * Events of distinct sessions: prepared, then scored in batches of at most
     * {@link ScorerConfig#batchMaxEvents()} events and {@link ScorerConfig#batchMaxTokens()} tokens.
     * An event whose earlier attempt never finished (its thread died) is scored alone; one that
     * failed twice so is dead-lettered.
     */
    private void scoreRound(LanguageModel model, List<QueuedEvent> round) {
        List<SessionScorer.Prepared> prepared = new ArrayList<>(round.size());
        List<QueuedEvent> sources = new ArrayList<>(round.size());
        for (QueuedEvent q : round) {
            int earlier = scoring.begin(q.record());
            if (earlier >= 2) {
                scoring.end(q.record());
                q.owner().rejected(q, "crashed-scorer", "scoring this event stopped the stream thread " + earlier + " times");
                continue;
            }
            SessionScorer.Prepared p = prepare(model, q);
            if (p == null) {
                continue;
            }
            if (earlier == 1) {
                scoreBatch(model, List.of(p), List.of(q));
            } else {
                prepared.add(p);
                sources.add(q);
            }
        }
        for (int[] cut : SessionScorer.batches(prepared, config.batchMaxEvents(), config.batchMaxTokens())) {
            scoreBatch(model, prepared.subList(cut[0], cut[1]), sources.subList(cut[0], cut[1]));
        }
    }

    /** The event checked and tokenized from its state; null (and the outcome told) when it is not scored. */
    private SessionScorer.Prepared prepare(LanguageModel model, QueuedEvent q) {
        try {
            return sessions.prepare(model, q.owner().stateFor(q.session()), q.session(), q.event(),
                    q.record().timestamp());
        } catch (SessionScorer.Rejected r) {
            scoring.end(q.record());
            if (SessionScorer.DUPLICATE.equals(r.code())) {
                q.owner().duplicate(q);
            } else {
                q.owner().rejected(q, r.code(), r.getMessage());
            }
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            scoring.end(q.record());
            failed(q, model, e);
        }
        return null;
    }

    /**
     * Events of distinct sessions in one model call. A batch that fails is scored again one event at
     * a time, so only the event that fails is dead-lettered; running out of memory counts as a
     * failure here, since a batch's memory is freed as the call unwinds.
     */
    private void scoreBatch(LanguageModel model, List<SessionScorer.Prepared> prepared,
                            List<QueuedEvent> sources) {
        long started = System.nanoTime();
        List<SessionScorer.Outcome> outcomes;
        try {
            outcomes = sessions.scoreAll(model, prepared);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            if (prepared.size() == 1) {
                scoring.end(sources.get(0).record());
                failed(sources.get(0), model, e);
                return;
            }
            LOG.warn("a batch of {} events failed ({}); scoring them one by one", prepared.size(), e.toString());
            for (int i = 0; i < prepared.size(); i++) {
                scoreBatch(model, List.of(prepared.get(i)), List.of(sources.get(i)));
            }
            return;
        }
        long perEvent = (System.nanoTime() - started) / outcomes.size();
        metrics.batch(outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            QueuedEvent q = sources.get(i);
            scoring.end(q.record());
            q.owner().scored(q, prepared.get(i), outcomes.get(i), perEvent);
        }
    }

    private void failed(QueuedEvent q, LanguageModel model, Throwable e) {
        LOG.error("scoring failed for session {} with model {}", q.session(), model.version(), e);
        q.owner().rejected(q, "scoring-failed", "scoring failed: " + e);
    }
}
