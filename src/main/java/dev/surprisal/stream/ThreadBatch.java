package dev.surprisal.stream;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.session.LearnedTemplates;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The pending events of every task on one stream thread, scored together. A thread runs several
 * tasks (one per input partition it owns); batching each task alone would cut batches into as
 * many pieces, which at moderate load leaves them nearly empty.
 *
 * <p>The model call runs on a thread of its own, so that the stream thread keeps polling, queueing
 * and committing while the model computes; one batch is in flight at a time, and a batch's worth
 * queued behind it makes the stream thread wait for it, so the queue stays bounded. A batch takes
 * queued events oldest first, up to the tokens the {@link LatencyPlan} allows; the states they
 * continue from are read on the stream thread, and their results handed back there.
 *
 * <p>Scoring here computes results only. A task may forward records only while it is the one
 * being processed, so each {@link ScoringProcessor} emits its own results (and only then deletes
 * the events from its pending store) the next time it runs. Until then its pending events stay in
 * its store, so a commit while a batch is in flight covers nothing unscored: results lost with a
 * revoked task are computed again by the next owner.
 */
final class ThreadBatch {

    private static final Logger LOG = LoggerFactory.getLogger(ThreadBatch.class);
    /** {@link #drive(long)} called outside a punctuation: the window is not checked. */
    static final long NO_CLOCK = Long.MIN_VALUE;

    private final ScorerConfig config;
    private final PoisonGuard scoring;
    private final ModelProvider models;
    private final BatchRun run;
    private final ScorerMetrics metrics;
    private final LatencyPlan plan;
    private final List<BatchMember> members = new ArrayList<>();
    /** The model thread: it ends after a while idle, so a stream thread that dies leaves nothing running. */
    private final ThreadPoolExecutor compute;
    private Call inFlight;
    /** Punctuation time at which queued events were first seen; -1 while nothing is queued. */
    private long queuedSeenAt = -1;
    /** The last count of queued events, for the metrics scrape (another thread). */
    private volatile int queuedDepth;

    /** A batch handed to the model: its events, and what became of each once done. */
    private record Call(LanguageModel model, List<QueuedEvent> sources, CompletableFuture<BatchRun.Done> done) {
    }


    ThreadBatch(ScorerConfig config, ModelProvider models, ScorerMetrics metrics, LearnedTemplates learned) {
        this.config = config;
        this.scoring = PoisonGuard.scoring(config.getString(ScorerConfig.APPLICATION_ID));
        this.models = models;
        this.run = new BatchRun(new SessionScorer(config.scoring(), learned), config.batchMaxEvents(),
                config.batchMaxTokens());
        this.metrics = metrics;
        this.plan = new LatencyPlan(config);
        String thread = Thread.currentThread().getName();
        this.compute = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, thread + "-model");
            t.setDaemon(true);
            return t;
        });
        compute.allowCoreThreadTimeOut(true);
        metrics.queueDepth(thread, () -> queuedDepth);
        metrics.latencyPlan(thread, plan);
    }

    void join(BatchMember member) {
        members.add(member);
    }

    /** A task closes: the batch in flight is finished first, so no model call outlives the tasks that asked for it. */
    void leave(BatchMember member) {
        collect(true);
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
     * Hands back a finished batch and starts the next once it is due: the queue holds
     * {@link ScorerConfig#batchMaxEvents()} events or the tokens the plan allows, or (at a punctuation,
     * {@code now} its wall-clock time, else {@link #NO_CLOCK}) its events have waited the window.
     * Returns at once; results reach the tasks at a later call.
     *
     * <p>The window is measured between punctuations: the processor context's clock is the one
     * cached at the start of the stream thread's loop, so an arrival time read from it during a long
     * loop would be stale and make the next events look overdue, cutting batches short under load.
     */
    void drive(long now) {
        collect(false);
        if (queued() == 0) {
            queuedSeenAt = -1;
            return;
        }
        if (now != NO_CLOCK && queuedSeenAt < 0) {
            queuedSeenAt = now;
        }
        long oldest = Long.MAX_VALUE;
        long earliestRecord = Long.MAX_VALUE;
        long chars = 0;
        for (BatchMember m : members) {
            for (QueuedEvent q : m.queued()) {
                oldest = Math.min(oldest, q.queuedAt());
                earliestRecord = Math.min(earliestRecord, q.record().timestamp());
                chars += q.event().getText().length();
            }
        }
        // an event's age counts from its record's timestamp too: a backlog waits in the topic, not in the queue
        long age = Math.max(System.nanoTime() - oldest, (System.currentTimeMillis() - earliestRecord) * 1_000_000);
        int budget = plan.tokenBudget(age);
        boolean due = now != NO_CLOCK && now - queuedSeenAt >= plan.waitNanos() / 1_000_000;
        boolean full = queuedDepth >= config.batchMaxEvents()
                || plan.expectedTokens((int) Math.min(Integer.MAX_VALUE, chars)) >= budget;
        if (inFlight != null) {
            if (!full) {
                return;
            }
            collect(true); // a batch's worth is queued behind the one in flight: wait, so the queue stays bounded
        }
        if (!due && !full) {
            return;
        }
        do { // a batch run here (an event scored alone) leaves the rest of a due queue to go on at once
            start(budget, config.modelThread());
            collect(false);
        } while (due && inFlight == null && queued() > 0);
        if (queuedDepth == 0) {
            queuedSeenAt = -1;
        }
    }

    /** Scores everything queued now, on this thread, and returns when every result is handed back. */
    void score() {
        collect(true);
        while (queued() > 0) {
            start(config.batchMaxTokens(), false);
            collect(true);
        }
        queuedSeenAt = -1;
    }

    /**
     * Takes the next batch from the queues and hands it to the model (or, {@code async} false, runs
     * it here). The states the sessions continue from are read here, on the stream thread.
     */
    private void start(int tokenBudget, boolean async) {
        List<QueuedEvent> taken = take(tokenBudget);
        ModelLease lease = models.lease();
        LanguageModel model = lease.model();
        metrics.modelInUse(model.version());
        Map<BatchMember, Map<String, SessionState>> states = new IdentityHashMap<>();
        boolean alone = false;
        for (QueuedEvent q : taken) {
            int earlier = scoring.begin(q.record());
            alone |= earlier > 0;
            if (earlier >= 2) {
                scoring.end(q.record());
                q.owner().rejected(q, "crashed-scorer", "scoring this event stopped the stream thread " + earlier + " times");
                lease.close();
                return;
            }
            Map<String, SessionState> ofMember = states.computeIfAbsent(q.owner(), m -> new HashMap<>());
            if (!ofMember.containsKey(q.session())) {
                ofMember.put(q.session(), q.owner().stateFor(q.session()));
            }
        }
        CompletableFuture<BatchRun.Done> results;
        if (async && !alone) {
            results = CompletableFuture.supplyAsync(() -> {
                try (lease) {
                    return run.run(model, taken, states);
                }
            }, compute);
        } else {
            try (lease) {
                results = CompletableFuture.completedFuture(run.run(model, taken, states));
            } catch (RuntimeException | Error e) {
                results = CompletableFuture.failedFuture(e);
            }
        }
        inFlight = new Call(model, taken, results);
    }

    /**
     * Queued events in arrival order, while they fit {@link ScorerConfig#batchMaxEvents()} and the
     * expected tokens fit the budget (at least one event), taken off their queues. Taking stops at
     * the first that does not fit, so no event is taken ahead of an earlier one of its session. An
     * event whose earlier attempt never finished (its thread died) is taken alone.
     */
    private List<QueuedEvent> take(int tokenBudget) {
        List<QueuedEvent> queue = new ArrayList<>();
        for (BatchMember m : members) {
            queue.addAll(m.queued());
        }
        queue.sort(Comparator.comparingLong(QueuedEvent::queuedAt));
        List<QueuedEvent> taken = new ArrayList<>();
        long tokens = 0;
        for (QueuedEvent q : queue) {
            int expected = plan.expectedTokens(q.event().getText().length());
            boolean suspect = scoring.unfinished(q.record()) > 0;
            if (!taken.isEmpty() && (suspect || taken.size() == config.batchMaxEvents() || tokens + expected > tokenBudget)) {
                break;
            }
            taken.add(q);
            tokens += expected;
            if (suspect) {
                break;
            }
        }
        Set<QueuedEvent> gone = Collections.newSetFromMap(new IdentityHashMap<>());
        gone.addAll(taken);
        for (BatchMember m : members) {
            m.queued().removeIf(gone::contains);
        }
        queuedDepth -= taken.size();
        return taken;
    }

    /** Hands back the batch in flight: at once if it is done, else only when {@code wait}ing for it. */
    private void collect(boolean wait) {
        if (inFlight == null || (!wait && !inFlight.done().isDone())) {
            return;
        }
        Call call = inFlight;
        inFlight = null;
        BatchRun.Done done;
        try {
            done = call.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = failedAll(call, e);
        } catch (ExecutionException e) {
            done = failedAll(call, e.getCause());
        }
        List<BatchRun.Result> results = done.results();
        int tokens = 0;
        long chars = 0;
        long nanos = 0;
        for (BatchRun.Result r : results) {
            if (r.outcome() != null) {
                tokens += r.prepared().tokens().length;
                chars += r.prepared().event().getText().length();
                nanos += r.nanos();
            }
        }
        plan.observe(call.model().version(), tokens, chars, nanos);
        done.calls().forEach(metrics::batch);
        for (int i = 0; i < results.size(); i++) {
            QueuedEvent q = call.sources().get(i);
            BatchRun.Result r = results.get(i);
            scoring.end(q.record());
            if (!members.contains(q.owner())) {
                continue; // its task has left this thread: its next owner scores it again from the pending store
            }
            if (r.outcome() != null) {
                q.owner().scored(q, r.prepared(), r.outcome(), r.nanos());
            } else if (SessionScorer.DUPLICATE.equals(r.code())) {
                q.owner().duplicate(q);
            } else if (r.code() != null) {
                q.owner().rejected(q, r.code(), r.reason());
            } else {
                LOG.error("scoring failed for session {} with model {}", q.session(), call.model().version(), r.failure());
                q.owner().rejected(q, "scoring-failed", "scoring failed: " + r.failure());
            }
        }
    }

    private static BatchRun.Done failedAll(Call call, Throwable e) {
        return new BatchRun.Done(Collections.nCopies(call.sources().size(), new BatchRun.Result(null, null, null, null, e, 0)),
                List.of());
    }
}
