package dev.surprisal.stream;

import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.testing.TinyModelExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The batch alone, with members that only record what they are told: order, rounds, caps, refusals. */
@ExtendWith(TinyModelExtension.class)
class ThreadBatchTest {

    private final LanguageModel model;
    private final ScorerMetrics metrics = new ScorerMetrics(new SimpleMeterRegistry());
    private long offset;

    ThreadBatchTest(LanguageModel shared) {
        this.model = shared;
    }

    /** A task that keeps each session's state after its results, as a processor does until it emits. */
    private static final class Member implements BatchMember {
        final List<QueuedEvent> queued = new ArrayList<>();
        final Map<String, SessionState> states = new HashMap<>();
        final List<String> outcomes = new ArrayList<>();

        @Override
        public List<QueuedEvent> queued() {
            return queued;
        }

        @Override
        public SessionState stateFor(String session) {
            return states.get(session);
        }

        @Override
        public void scored(QueuedEvent source, SessionScorer.Prepared prepared, SessionScorer.Outcome outcome,
                           long nanos) {
            outcomes.add(source.event().getEventId());
            states.put(source.session(), outcome.next());
        }

        @Override
        public void rejected(QueuedEvent source, String code, String reason) {
            outcomes.add(source.event().getEventId() + ":" + code);
        }

        @Override
        public void duplicate(QueuedEvent source) {
            outcomes.add(source.event().getEventId() + ":duplicate");
        }
    }

    private ThreadBatch batch(int maxEvents, Member... members) {
        ThreadBatch batch = new ThreadBatch(new ScorerConfig(Map.of(ScorerConfig.BATCH_MAX_EVENTS, maxEvents)),
                ModelProvider.fixed(model), metrics, new dev.surprisal.session.LearnedTemplates());
        for (Member m : members) {
            batch.join(m);
        }
        return batch;
    }

    private void queue(Member member, String id, String session, String text) {
        queue(member, id, session, text, 1);
    }

    private void queue(Member member, String id, String session, String text, long timestamp) {
        PendingEvent record = new PendingEvent(session.getBytes(), new byte[0], timestamp, new RecordHeaders(), "in", 0,
                offset++, PendingEvent.NOT_CLAMPED);
        member.queued.add(new QueuedEvent(member, -1, record,
                new TextEvent(id, session, text, Instant.ofEpochMilli(1), false, null), session));
    }

    @Test
    void eventsOfASessionAreScoredInOrderAcrossRoundsWhateverTaskHoldsThem() {
        Member a = new Member();
        Member b = new Member();
        ThreadBatch batch = batch(16, a, b);
        queue(a, "a1", "s", "the cat");
        queue(a, "a2", "s", " sat");
        queue(b, "b1", "t", "on the mat");
        assertEquals(3, batch.queued());

        batch.score();

        assertEquals(List.of("a1", "a2"), a.outcomes);
        assertEquals(List.of("b1"), b.outcomes);
        assertEquals(11, a.states.get("s").tokens(), "a2 continued from a1's state");
        assertTrue(a.queued.isEmpty() && b.queued.isEmpty());
        assertEquals(0, batch.queued());
    }

    @Test
    void refusalsAndResendsAreHandedBackAndTheRestIsScored() {
        Member a = new Member();
        ThreadBatch batch = batch(16, a);
        queue(a, "e1", "s", "fine");
        queue(a, "e2", "u", "   ");
        queue(a, "e1", "s", "fine");

        batch.score();

        // handed back in arrival order; the resend is read from the state its first copy left
        assertEquals(List.of("e1", "e2:empty-text", "e1:duplicate"), a.outcomes);
    }

    @Test
    void withAModelThreadTheCallRunsBesideTheStreamThreadAndResultsComeBackInOrder() throws Exception {
        Member a = new Member();
        List<String> leaseClosedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        ModelProvider watched = new ModelProvider() {
            @Override
            public LanguageModel current() {
                return model;
            }

            @Override
            public dev.surprisal.model.ModelLease lease() {
                return new dev.surprisal.model.ModelLease(model, () -> leaseClosedOn.add(Thread.currentThread().getName()));
            }
        };
        ThreadBatch batch = new ThreadBatch(new ScorerConfig(Map.of(ScorerConfig.BATCH_MAX_EVENTS, 16)), watched, metrics,
                new dev.surprisal.session.LearnedTemplates());
        batch.join(a);
        queue(a, "a1", "s", "the cat");
        queue(a, "a2", "s", " sat");
        queue(a, "b1", "t", "on the mat");

        batch.drive(0);
        batch.drive(1_000); // the window has passed: the batch goes to the model thread
        assertEquals(0, batch.queued(), "taken off the queue");
        batch.leave(a); // waits for the call in flight and hands its results back first

        assertEquals(List.of("a1", "a2", "b1"), a.outcomes);
        assertEquals(11, a.states.get("s").tokens(), "a2 continued from a1's state");
        assertEquals(1, leaseClosedOn.size());
        assertTrue(leaseClosedOn.get(0).endsWith("-model"), leaseClosedOn.toString());
    }

    @Test
    void aBatchIsSizedForTheLatencyTargetUnlessItsRecordsAreAlreadyOlderThanTheTarget() {
        Member a = new Member();
        ScorerMetrics own = new ScorerMetrics(new SimpleMeterRegistry()); // this batch's gauges alone
        ThreadBatch batch = new ThreadBatch(new ScorerConfig(Map.of(ScorerConfig.LATENCY_TARGET_MS, 100L,
                ScorerConfig.MODEL_THREAD, false)), ModelProvider.fixed(model), own,
                new dev.surprisal.session.LearnedTemplates());
        batch.join(a);
        queue(a, "m", "s", "measured first", System.currentTimeMillis());
        batch.score(); // a model call: the plan now knows a cost per token
        var planned = own.registry().find("surprisal.batch.planned.tokens").gauges();

        queue(a, "fresh", "t", "just produced", System.currentTimeMillis());
        batch.drive(ThreadBatch.NO_CLOCK);
        assertTrue(planned.stream().anyMatch(g -> g.value() < 16_384), "sized for the target");

        queue(a, "late", "u", "produced a minute ago", System.currentTimeMillis() - 60_000);
        batch.drive(ThreadBatch.NO_CLOCK);
        assertTrue(planned.stream().anyMatch(g -> g.value() == 16_384), "a backlog takes the configured cap");
    }

    @Test
    void aRoundLargerThanTheBatchSizeIsCutIntoBatches() {
        Member a = new Member();
        ThreadBatch batch = batch(2, a);
        for (int i = 0; i < 5; i++) {
            queue(a, "e" + i, "s" + i, "text " + i);
        }

        batch.score();

        assertEquals(5, a.outcomes.size());
        var sizes = metrics.registry().find("surprisal.batch.events").summary();
        assertEquals(3, sizes.count());
        assertEquals(2.0, sizes.max());
    }
}
