package dev.surprisal.stream;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.SessionEndReason;
import dev.surprisal.avro.SessionSummary;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.kafka.RateLimitedLog;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores each event from its session's stored state and stores the state after it. Input arrives
 * as raw bytes so that anything unreadable can be sent on, untouched, to the dead-letter sink.
 *
 * <p>With batching on, valid events wait in a changelogged store of pending events (so a commit
 * never covers an event that is neither scored nor stored) and are scored together with those of
 * the other tasks on this stream thread ({@link ThreadBatch}) once {@link ScorerConfig#batchMaxEvents()}
 * are queued, the tokens the latency target allows, or the oldest has waited the window
 * ({@link ScorerConfig#batchWait()}). Results are emitted, the states saved and the pending events
 * deleted together, by the task that owns them.
 */
public final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]>, BatchMember {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringProcessor.class);

    /** A record in the pending store that has not been read yet. */
    private record Held(long sequence, PendingEvent record) {
    }

    /** A scored or refused event waiting to be emitted by its task. */
    private record Result(QueuedEvent source, SessionScorer.Prepared prepared, SessionScorer.Outcome outcome,
                          String rejectCode, String rejectReason) {
    }

    private final ScorerConfig config;
    private final PoisonGuard reading;
    private final ThreadLocal<ThreadBatch> threadBatches;
    private final InputDecoder decoder;
    private final Serializer<ScoredEvent> scores;
    private final Serializer<SessionSummary> summaries;
    private final ScorerMetrics metrics;
    private final RateLimitedLog duplicateLog = new RateLimitedLog(LOG, Duration.ofSeconds(10));
    private final RateLimitedLog registryLog = new RateLimitedLog(LOG, Duration.ofSeconds(30));
    private ProcessorContext<byte[], byte[]> context;
    private ScoredOutput output;
    private SessionStore store;
    private KeyValueStore<Long, PendingEvent> pending;
    private ThreadBatch batch;
    private long nextSequence;
    private final List<QueuedEvent> queued = new ArrayList<>();
    /** Records kept in the pending store, unread, while the registry fails: in arrival order, read before any later one. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final List<Result> ready = new ArrayList<>();
    /** States after the results in {@code ready}, not saved yet (null: the session ended). */
    private final Map<String, SessionState> readyStates = new HashMap<>();

    ScoringProcessor(ScorerConfig config, ThreadLocal<ThreadBatch> threadBatches, Deserializer<TextEvent> events,
                     Serializer<ScoredEvent> scores, Serializer<SessionSummary> summaries, ScorerMetrics metrics) {
        this.config = config;
        this.reading = PoisonGuard.reading(config.getString(ScorerConfig.APPLICATION_ID));
        this.threadBatches = threadBatches;
        this.decoder = new InputDecoder(events, config.inputTopic());
        this.scores = scores;
        this.summaries = summaries;
        this.metrics = metrics;
    }

    private boolean batching() {
        return config.batchMaxEvents() > 1;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.output = new ScoredOutput(context, config, scores, summaries, metrics);
        this.store = new SessionStore(context.getStateStore(ScoringTopology.STATE_STORE));
        this.pending = context.getStateStore(ScoringTopology.PENDING_STORE);
        // the store is the truth after (re)initialisation: a re-initialised processor forgets what it held
        queued.clear();
        ready.clear();
        readyStates.clear();
        faults().held(-held.size());
        held.clear();
        // events left pending by a previous owner of this task are read and scored before any new one
        try (KeyValueIterator<Long, PendingEvent> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<Long, PendingEvent> kv = it.next();
                nextSequence = Math.max(nextSequence, kv.key + 1);
                held.add(new Held(kv.key, kv.value));
                faults().held(1);
            }
        }
        readHeld();
        context.schedule(config.idleScanInterval(), PunctuationType.STREAM_TIME, this::evictIdle);
        context.schedule(config.idleScanInterval(), PunctuationType.WALL_CLOCK_TIME,
                wallTime -> evictIdle(context.currentStreamTimeMs()));
        // checked four times per window: an event waits the window and at most half a window more
        Duration tick = batching() ? Duration.ofMillis(Math.max(1, config.batchWait().toMillis() / 4))
                : Duration.ofSeconds(1);
        context.schedule(tick, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    /** The thread's batch, joined on first use: init may run on another thread than processing. */
    private ThreadBatch batch() {
        if (batch == null) {
            batch = threadBatches.get();
            batch.join(this);
        }
        return batch;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        PendingEvent arrived = PendingEvent.arrived(record, context, config.maxFuture().toMillis());
        if (record.headers().lastHeader(InputReadingProcessor.HEADER_OFFSET) == null) {
            metrics.inputRecord(); // else counted where it was read
        }
        if (record.key() == null || record.key().length == 0) {
            output.deadLetter(arrived, "missing-key", "missing session key: the record key must be the session id");
            return;
        }
        if (DeadLetter.unreadable(context, ScoringTopology.DLQ_SINK, arrived, config, metrics)) {
            return;
        }
        if (record.key().length > config.maxSessionBytes()) {
            output.deadLetter(arrived, "session-too-long", "a session id of " + record.key().length + " bytes, limit "
                    + config.maxSessionBytes() + " (" + ScorerConfig.MAX_SESSION_BYTES + ")");
            return;
        }
        if (reading.unfinished(arrived) > 0) {
            reading.end(arrived);
            output.deadLetter(arrived, "crashed-scorer", "reading this record stopped the stream thread before");
            return;
        }
        if (!held.isEmpty()) {
            hold(arrived); // behind the records already held, so that a session's events keep their order
            readHeld();
        } else {
            reading.begin(arrived);
            InputDecoder.Decoded decoded;
            try {
                decoded = decoder.decode(arrived.value());
            } catch (SchemaRegistry.RegistryUnavailableException e) {
                reading.end(arrived);
                hold(arrived);
                registryFailed(e);
                return;
            }
            reading.end(arrived);
            if (decoded.event() == null) {
                output.deadLetter(arrived, decoded.code(), decoded.reason());
                return;
            }
            long sequence = -1;
            if (batching()) {
                sequence = nextSequence++;
                pending.put(sequence, arrived);
            }
            enqueue(sequence, arrived, decoded.event());
        }
        if (batching()) {
            batch().drive(ThreadBatch.NO_CLOCK);
        } else {
            batch().score();
        }
        emitReady();
    }

    private void enqueue(long sequence, PendingEvent record, TextEvent event) {
        queued.add(new QueuedEvent(this, sequence, record, event, new String(record.key(), StandardCharsets.UTF_8)));
    }

    private DependencyFaults faults() {
        return metrics.dependencies();
    }

    /** Keeps a record unread in the pending store (committed with its offset, so it survives a crash). */
    private void hold(PendingEvent record) {
        long sequence = nextSequence++;
        pending.put(sequence, record);
        held.add(new Held(sequence, record));
        faults().held(1);
    }

    private void registryFailed(SchemaRegistry.RegistryUnavailableException e) {
        faults().registryFailed(e, context.currentSystemTimeMs());
        registryLog.warn("holding " + held.size() + " input record(s) of task " + context.taskId()
                + " unread until the schema registry serves again: " + e.getMessage());
    }

    /**
     * Reads the held records in order once the backoff allows, queueing what reads and refusing what
     * can never be read; stops at the first that the registry still fails. Scoring is left to the caller.
     */
    private void readHeld() {
        if (held.isEmpty() || !faults().retryDue(context.currentSystemTimeMs())) {
            return;
        }
        int read = 0;
        while (!held.isEmpty()) {
            Held h = held.peekFirst();
            InputDecoder.Decoded d;
            try {
                d = decoder.decode(h.record().value());
            } catch (SchemaRegistry.RegistryUnavailableException e) {
                registryFailed(e);
                break;
            }
            held.removeFirst();
            read++;
            if (d.event() == null) {
                ready.add(new Result(new QueuedEvent(this, h.sequence(), h.record(), null, ""), null, null, d.code(),
                        d.reason()));
            } else {
                enqueue(h.sequence(), h.record(), d.event());
            }
        }
        faults().held(-read);
        if (held.isEmpty() && read > 0) {
            faults().recovered();
        }
    }

    /** Hands back a finished batch and starts the next once it is due; emits whatever was scored for this task. */
    private void tick(long now) {
        metrics.progress();
        readHeld();
        if (batching()) {
            batch().drive(now);
        } else if (!queued.isEmpty()) {
            batch().score();
        }
        emitReady();
    }

    @Override
    public List<QueuedEvent> queued() {
        return queued;
    }

    @Override
    public SessionState stateFor(String session) {
        return readyStates.containsKey(session) ? readyStates.get(session) : store.get(session);
    }

    @Override
    public void scored(QueuedEvent source, SessionScorer.Prepared prepared, SessionScorer.Outcome outcome, long nanos) {
        ScoredEvent scored = outcome.scored();
        metrics.scored(scored.getTokens().size(), scored.getMeanSurprisalBits(), scored.getEventPerplexity(), nanos);
        ready.add(new Result(source, prepared, outcome, null, null));
        readyStates.put(prepared.session(), prepared.event().getEndOfSession() ? null : outcome.next());
    }

    @Override
    public void rejected(QueuedEvent source, String code, String reason) {
        ready.add(new Result(source, null, null, code, reason));
    }

    @Override
    public void duplicate(QueuedEvent source) {
        metrics.duplicate();
        duplicateLog.warn("event " + source.event().getEventId() + " of session " + source.session()
                + " was scored before; not scoring it again");
        ready.add(new Result(source, null, null, null, null));
    }

    /** Forwards the results computed for this task, saves the states and forgets the pending events. */
    private void emitReady() {
        if (ready.isEmpty()) {
            return;
        }
        for (Result r : ready) {
            PendingEvent source = r.source().record();
            if (r.rejectCode() != null) {
                output.deadLetter(source, r.rejectCode(), r.rejectReason());
                continue;
            }
            if (r.outcome() == null) {
                continue; // a duplicate
            }
            output.scored(source, r.prepared(), r.outcome());
        }
        readyStates.forEach(store::save);
        for (Result r : ready) {
            if (r.source().sequence() >= 0) {
                pending.delete(r.source().sequence());
            }
        }
        ready.clear();
        readyStates.clear();
    }

    @Override
    public void close() {
        faults().held(-held.size());
        held.clear();
        if (batch != null) {
            batch.leave(this);
        }
    }

    /**
     * Ends the sessions idle for longer than the timeout, by stream time: the data's own clock, so a
     * replay of old traffic ends its sessions as the live run did. Stream time is capped at this
     * scorer's wall clock, so one record stamped in the future cannot end every session of its
     * partition: a session ends only once it has been idle for the timeout by both clocks. Runs as
     * stream time advances and, for that cap, on wall-clock time.
     */
    private void evictIdle(long streamTime) {
        batch().score(); // a queued or scoring event makes its session active
        emitReady();
        if (!held.isEmpty()) {
            return; // a held event may continue a session that looks idle
        }
        long clock = Math.min(streamTime, context.currentSystemTimeMs());
        long cutoff = clock - config.idleTimeout().toMillis();
        for (KeyValue<String, SessionState> kv : store.idleSince(cutoff)) {
            store.save(kv.key, null);
            output.summary(kv.key, kv.value, SessionEndReason.IDLE, streamTime);
        }
    }
}
