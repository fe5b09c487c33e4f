package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.SessionState;
import dev.surprisal.testing.TinyModelExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(TinyModelExtension.class)
class ScoringProcessorTest {

    private final LanguageModel model;

    ScoringProcessorTest(LanguageModel shared) {
        this.model = shared;
    }
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private ScorerConfig config;
    private MockProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, SessionState> store;
    private KeyValueStore<Long, PendingEvent> pending;
    private ScoringProcessor processor;
    private ScorerMetrics metrics;

    @BeforeEach
    void setUp() {
        start(1);
    }

    private void start(int batchMaxEvents) {
        config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.IDLE_TIMEOUT_MS, 500L, ScorerConfig.IDLE_SCAN_INTERVAL_MS, 100L,
                ScorerConfig.BATCH_MAX_EVENTS, batchMaxEvents));
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(0);
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ScoringTopology.STATE_STORE),
                Serdes.String(), new SessionStateSerde()).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        pending = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ScoringTopology.PENDING_STORE),
                Serdes.Long(), PendingEvent.serde()).withLoggingDisabled().build();
        pending.init(context.getStateStoreContext(), pending);
        context.addStateStore(pending);
        restart();
    }

    /** A new processor on the same stores: what a new owner of the task finds after a restore. */
    private void restart() {
        metrics = new ScorerMetrics(new SimpleMeterRegistry());
        processor = (ScoringProcessor) new ScoringProcessorSupplier(config, ModelProvider.fixed(model), registry,
                metrics, new dev.surprisal.session.LearnedTemplates()).get();
        processor.init(context);
    }

    /** One tick sees the batch queued, the next, a window later, scores it. */
    private void endBatchWindow() {
        var tick = context.scheduledPunctuators().stream()
                .filter(p -> p.getType() == org.apache.kafka.streams.processor.PunctuationType.WALL_CLOCK_TIME)
                .reduce((first, last) -> last).orElseThrow().getPunctuator();
        tick.punctuate(1);
        tick.punctuate(1 + config.batchMaxWait().toMillis());
    }

    private List<ScoredEvent> scored() {
        return context.forwarded().stream()
                .filter(f -> f.childName().orElseThrow().equals(ScoringTopology.SCORES_SINK))
                .map(f -> AvroSerdes.value(ScoredEvent.class, registry).deserializer()
                        .deserialize(config.outputTopic(), f.record().value()))
                .toList();
    }

    private void process(String session, String text, long time) {
        TextEvent event = new TextEvent("id-" + time, session, text, Instant.ofEpochMilli(time), false, null);
        byte[] value = AvroSerdes.value(TextEvent.class, registry).serializer().serialize(config.inputTopic(), event);
        processor.process(new Record<>(session.getBytes(StandardCharsets.UTF_8), value, time));
    }

    @Test
    void storesTheStateAfterTheEventAndForwardsItsScore() {
        process("s", "abc", 10);

        SessionState state = store.get("s");
        assertArrayEquals(model.advance(model.initialState(), new int[] {'a', 'b', 'c'}), state.recurrent(), 1e-6f);
        assertEquals(3, state.tokens());
        assertEquals(model.version(), state.modelVersion());
        List<CapturedForward<? extends byte[], ? extends byte[]>> forwarded = context.forwarded();
        assertEquals(1, forwarded.size());
        assertEquals(ScoringTopology.SCORES_SINK, forwarded.get(0).childName().orElseThrow());
        ScoredEvent scored = AvroSerdes.value(ScoredEvent.class, registry).deserializer()
                .deserialize(config.outputTopic(), forwarded.get(0).record().value());
        assertEquals(state.totalBits(), scored.getMeanSurprisalBits() * 3, 1e-9);
    }

    @Test
    void punctuatorSummarisesOnlySessionsIdleLongerThanTheTimeout() {
        process("old", "a", 0);
        process("new", "b", 400);
        context.resetForwards();
        context.setCurrentSystemTimeMs(600);

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(600); // the stream-time one

        assertNull(store.get("old"));
        assertTrue(store.get("new") != null);
        List<CapturedForward<? extends byte[], ? extends byte[]>> forwarded = context.forwarded();
        assertEquals(1, forwarded.size());
        assertEquals(ScoringTopology.SUMMARIES_SINK, forwarded.get(0).childName().orElseThrow());
        SessionSummary summary = AvroSerdes.value(SessionSummary.class, registry).deserializer()
                .deserialize(config.summariesTopic(), forwarded.get(0).record().value());
        assertEquals("old", summary.getSessionId());
        assertEquals(1, summary.getTokens());
    }

    private List<String> deadLetterCodes() {
        return context.forwarded().stream()
                .filter(f -> f.childName().orElseThrow().equals(ScoringTopology.DLQ_SINK))
                .map(f -> new String(f.record().headers().lastHeader(DeadLetter.HEADER_CODE).value(),
                        StandardCharsets.UTF_8))
                .toList();
    }

    /** What the guard remembers of a record at this position when a thread died while working on it. */
    private static PendingEvent at(String topic, int partition, long offset) {
        return new PendingEvent(new byte[0], new byte[0], 0, new org.apache.kafka.common.header.internals.RecordHeaders(),
                topic, partition, offset, PendingEvent.NOT_CLAMPED);
    }

    @Test
    void aRecordThatStoppedAThreadWhileBeingReadIsDeadLetteredWhenItComesBack() {
        context.setRecordMetadata("poison-in", 0, 41);
        PoisonGuard.reading(config.getString(ScorerConfig.APPLICATION_ID)).begin(at("poison-in", 0, 41)); // the thread died reading it

        process("s", "abc", 10);

        assertEquals(List.of("crashed-scorer"), deadLetterCodes());
        assertNull(store.get("s"));
        context.resetForwards();
        process("s", "abc", 11); // the same position again: read normally now that it was dealt with
        assertEquals(1, scored().size());
    }

    @Test
    void anEventThatStoppedAThreadWhileScoredIsScoredAloneThenDeadLettered() {
        start(16);
        context.setRecordMetadata("poison-batch", 0, 7);
        PoisonGuard.scoring(config.getString(ScorerConfig.APPLICATION_ID)).begin(at("poison-batch", 0, 7)); // one death while its batch was scored
        process("s", "abc", 10);
        context.setRecordMetadata("poison-batch", 0, 8);
        process("t", "def", 10);
        endBatchWindow();
        assertEquals(2, scored().size(), "scored, the suspect alone");
        assertEquals(List.of(), deadLetterCodes());

        context.resetForwards();
        context.setRecordMetadata("poison-batch", 0, 9);
        PoisonGuard.scoring(config.getString(ScorerConfig.APPLICATION_ID)).begin(at("poison-batch", 0, 9));
        PoisonGuard.scoring(config.getString(ScorerConfig.APPLICATION_ID)).begin(at("poison-batch", 0, 9)); // two deaths
        process("u", "ghi", 10);
        endBatchWindow();
        assertEquals(List.of("crashed-scorer"), deadLetterCodes());
    }

    @Test
    void streamTimeAheadOfTheWallClockEndsNoSession() {
        process("old", "a", 0);
        context.resetForwards();
        context.setCurrentSystemTimeMs(100);

        context.scheduledPunctuators().get(0).getPunctuator().punctuate(3_000_000); // one record from the future

        assertTrue(store.get("old") != null, "idle by stream time, not by the wall clock");
        assertTrue(context.forwarded().isEmpty());
    }

    @Test
    void aBatchClosesAtItsTokenCap() {
        config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.BATCH_MAX_EVENTS, 16, ScorerConfig.BATCH_MAX_TOKENS, 10));
        restart();
        for (int i = 0; i < 6; i++) {
            process("s" + i, "abcd", i); // 4 tokens each: two per batch
        }
        endBatchWindow();

        assertEquals(6, scored().size());
        var batches = metrics.registry().find("surprisal.batch.events").summary();
        assertTrue(batches.count() >= 3, batches.count() + " batches");
        assertEquals(2.0, batches.max(), "at most 10 tokens in a model call");
    }

    @Test
    void anUnreadableStoredStateStartsTheSessionAfreshInsteadOfFailing() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(0);
        KeyValueStore<String, SessionState> corrupt = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(ScoringTopology.STATE_STORE), Serdes.String(),
                Serdes.serdeFrom(new SessionStateSerde().serializer(), (topic, bytes) -> {
                    throw new org.apache.kafka.common.errors.SerializationException("corrupt session state");
                })).withLoggingDisabled().build();
        corrupt.init(context.getStateStoreContext(), corrupt);
        context.addStateStore(corrupt);
        context.addStateStore(pending);
        processor.init(context);
        corrupt.put("s", SessionState.start("v", new float[] {1f}, 0));
        process("s", "abc", 10);
        assertEquals(1, context.forwarded().size(), "scored as a new session");
    }

    @Test
    void aSessionScoredByAnotherModelIsPrimedWithItsRecentText() {
        float[] foreign = new float[model.spec().stateSize()];
        java.util.Arrays.fill(foreign, 0.5f);
        store.put("s", new SessionState("some-other-version", foreign, "GET /index", 3, 30, 90, 0, 0, 0, new long[0]));
        process("s", ".html", 10);

        SessionState after = store.get("s");
        // Primed state + the event = the window and the event scored by this model from a fresh session.
        float[] fresh = model.advance(model.initialState(), model.tokenizer().encode("GET /index.html"));
        assertArrayEquals(fresh, after.recurrent(), 1e-5f);
        assertEquals(model.version(), after.modelVersion());
        assertEquals(35, after.tokens(), "session totals carry over the switch");
        assertEquals("GET /index.html", after.recentText());
    }

    @Test
    void eventsWaitForTheBatchWindowThenScoreAsTheyWouldAlone() {
        start(8);
        process("a", "first event", 1);
        process("b", "other session", 2);
        assertTrue(context.forwarded().isEmpty(), "nothing is scored before the window ends");
        assertEquals(2, pending.approximateNumEntries());
        assertEquals(2, metrics.registry().get("surprisal.batch.queued").gauge().value());

        endBatchWindow();

        assertEquals(List.of("id-1", "id-2"), scored().stream().map(ScoredEvent::getEventId).toList());
        assertEquals(0, pending.approximateNumEntries());
        assertEquals(0, metrics.registry().get("surprisal.batch.queued").gauge().value());
        assertArrayEquals(model.advance(model.initialState(), model.tokenizer().encode("first event")),
                store.get("a").recurrent(), 1e-5f);
    }

    @Test
    void aFullBatchIsScoredAtOnceInRoundsThatKeepEachSessionsOrder() {
        start(4);
        process("a", "one", 1);
        process("b", "two", 2);
        process("a", " three", 3);
        assertTrue(context.forwarded().isEmpty());
        process("c", "four", 4);

        // one call for the first event of each session, a second for a's second; emitted in arrival order
        assertEquals(List.of("id-1", "id-2", "id-3", "id-4"), scored().stream().map(ScoredEvent::getEventId).toList());
        assertArrayEquals(model.advance(model.initialState(), model.tokenizer().encode("one three")),
                store.get("a").recurrent(), 1e-5f);
        assertEquals(2, store.get("a").events());
    }

    @Test
    void eventsLeftPendingByThePreviousOwnerAreScoredByTheNext() {
        start(8);
        process("a", "left behind", 1);
        process("a", " and after", 2);
        restart();
        process("a", " then more", 3);
        endBatchWindow();

        assertEquals(List.of("id-1", "id-2", "id-3"), scored().stream().map(ScoredEvent::getEventId).toList());
        assertArrayEquals(model.advance(model.initialState(), model.tokenizer().encode("left behind and after then more")),
                store.get("a").recurrent(), 1e-5f);
    }

    @Test
    void aReinitialisedProcessorScoresEachPendingEventOnce() {
        start(8);
        process("a", "pending", 1);
        processor.init(context);
        endBatchWindow();

        assertEquals(List.of("id-1"), scored().stream().map(ScoredEvent::getEventId).toList());
    }
}
