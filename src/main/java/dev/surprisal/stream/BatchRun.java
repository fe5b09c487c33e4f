package dev.surprisal.stream;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** A taken batch scored on the model thread: events in rounds by session, rounds cut into model calls. */
final class BatchRun {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);

    private final SessionScorer sessions;
    private final int maxEvents;
    private final int maxTokens;

    BatchRun(SessionScorer sessions, int maxEvents, int maxTokens) {
        this.sessions = sessions;
        this.maxEvents = maxEvents;
        this.maxTokens = maxTokens;
    }

    /** Result i belongs to taken event i; {@code calls} the events of each model call made. */
    record Done(List<Result> results, List<Integer> calls) {
    }

    /** What became of a taken event: scored, refused with a code, a resend, or failed. */
    record Result(SessionScorer.Prepared prepared, SessionScorer.Outcome outcome, String code, String reason,
                          Throwable failure, long nanos) {
    }

    /**
     * Scores taken events in rounds: round r holds the r-th event of each session, read from the state
     * the session's previous event left (from {@code states} for its first), so a session's events are
     * scored in arrival order; a round is cut into model calls of at most
     * {@code maxEvents} events and {@code maxTokens} tokens.
     * Touches no task state: it runs on the model thread. Result i belongs to event i.
     */
    Done run(LanguageModel model, List<QueuedEvent> events, Map<BatchMember, Map<String, SessionState>> states) {
        Map<BatchMember, Map<String, SessionState>> current = new IdentityHashMap<>();
        states.forEach((m, s) -> current.put(m, new HashMap<>(s)));
        List<Result> results = new ArrayList<>(Collections.nCopies(events.size(), null));
        List<Integer> calls = new ArrayList<>();
        List<List<Integer>> rounds = new ArrayList<>();
        Map<BatchMember, Map<String, Integer>> depth = new IdentityHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            QueuedEvent q = events.get(i);
            int round = depth.computeIfAbsent(q.owner(), k -> new HashMap<>()).merge(q.session(), 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(i);
        }
        for (List<Integer> round : rounds) {
            List<SessionScorer.Prepared> prepared = new ArrayList<>(round.size());
            List<Integer> index = new ArrayList<>(round.size());
            for (int i : round) {
                QueuedEvent q = events.get(i);
                try {
                    prepared.add(sessions.prepare(model, current.get(q.owner()).get(q.session()), q.session(), q.event(),
                            q.record().timestamp()));
                    index.add(i);
                } catch (SessionScorer.Rejected r) {
                    results.set(i, new Result(null, null, r.code(), r.getMessage(), null, 0));
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    results.set(i, new Result(null, null, null, null, e, 0));
                }
            }
            for (int[] cut : SessionScorer.batches(prepared, maxEvents, maxTokens)) {
                score(model, prepared.subList(cut[0], cut[1]), index.subList(cut[0], cut[1]), results, calls);
            }
            for (int i : round) {
                Result r = results.get(i);
                if (r.outcome() != null) {
                    QueuedEvent q = events.get(i);
                    current.get(q.owner()).put(q.session(), q.event().getEndOfSession() ? null : r.outcome().next());
                }
            }
        }
        return new Done(results, calls);
    }

    /**
     * One model call. A call that fails is made again one event at a time, so only the event that
     * fails is dead-lettered; running out of memory counts as a failure here, since a call's memory
     * is freed as it unwinds.
     */
    private void score(LanguageModel model, List<SessionScorer.Prepared> prepared, List<Integer> index,
                       List<Result> results, List<Integer> calls) {
        long started = System.nanoTime();
        try {
            List<SessionScorer.Outcome> outcomes = sessions.scoreAll(model, prepared);
            calls.add(outcomes.size());
            long perEvent = (System.nanoTime() - started) / outcomes.size();
            for (int i = 0; i < outcomes.size(); i++) {
                results.set(index.get(i), new Result(prepared.get(i), outcomes.get(i), null, null, null, perEvent));
            }
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            if (prepared.size() == 1) {
                results.set(index.get(0), new Result(null, null, null, null, e, 0));
                return;
            }
            LOG.warn("a batch of {} events failed ({}); scoring them one by one", prepared.size(), e.toString());
            for (int i = 0; i < prepared.size(); i++) {
                score(model, List.of(prepared.get(i)), List.of(index.get(i)), results, calls);
            }
        }
    }
}
