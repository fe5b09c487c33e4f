package dev.surprisal.bench;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.stream.ScorerConfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.serialization.Serializer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Heap at the size limit: events whose text is as long as {@code text.max.bytes} allows, scored
 * through the same code as the topology (prepare, then model calls cut at the event and token
 * caps), with the results kept until the queue is done, as the processor keeps them until it emits.
 * Run it under a given {@code -Xmx}: finishing proves the defaults fit in it; the peak heap after
 * each batch is printed too.
 */
public final class HeapBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LanguageModel model;
    private final ScorerConfig config;

    public HeapBenchmark(LanguageModel model, ScorerConfig config) {
        this.model = model;
        this.config = config;
    }

    /**
     * Scores {@code events} events at the text limit on distinct sessions: queued until the queue
     * is full (events or text, as the processor does), then scored in model calls cut at the caps,
     * the results kept, serialised (as emitting does) and dropped.
     */
    public ObjectNode run(int events) {
        SessionScorer sessions = new SessionScorer(config.scoring());
        Serializer<ScoredEvent> serializer = AvroSerdes.value(ScoredEvent.class, new InMemorySchemaRegistry()).serializer();
        Random random = new Random(3);
        long peak = 0;
        long tokens = 0;
        long outputBytes = 0;
        long start = System.nanoTime();
        List<TextEvent> queue = new ArrayList<>();
        long queuedChars = 0;
        for (int i = 0; i < events; i++) {
            TextEvent e = new TextEvent("e" + i, "s" + i, longText(random), Instant.now(), false, null);
            queue.add(e);
            queuedChars += e.getText().length();
            if (queue.size() < config.batchMaxEvents() && queuedChars < config.batchMaxTokens() && i < events - 1) {
                continue;
            }
            List<SessionScorer.Prepared> prepared = new ArrayList<>(queue.size());
            for (TextEvent q : queue) {
                try {
                    prepared.add(sessions.prepare(model, null, q.getSessionId(), q, 0));
                } catch (SessionScorer.Rejected r) {
                    throw new IllegalStateException("a text at the limit was refused: " + r.getMessage());
                }
            }
            List<SessionScorer.Outcome> held = new ArrayList<>();
            for (int[] cut : SessionScorer.batches(prepared, config.batchMaxEvents(), config.batchMaxTokens())) {
                List<SessionScorer.Prepared> batch = prepared.subList(cut[0], cut[1]);
                held.addAll(sessions.scoreAll(model, batch));
                tokens += batch.stream().mapToLong(p -> p.tokens().length).sum();
            }
            peak = Math.max(peak, usedHeap());
            for (SessionScorer.Outcome o : held) {
                outputBytes += serializer.serialize("token-scores", o.scored()).length;
            }
            peak = Math.max(peak, usedHeap());
            queue.clear();
            queuedChars = 0;
        }
        return JSON.createObjectNode()
                .put("model", model.version())
                .put("vocabulary", model.spec().vocabularySize())
                .put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1 << 20))
                .put("textMaxBytes", config.maxTextBytes())
                .put("batchMaxEvents", config.batchMaxEvents())
                .put("batchMaxTokens", config.batchMaxTokens())
                .put("events", events)
                .put("tokens", tokens)
                .put("meanScoredEventBytes", outputBytes / events)
                .put("tokensPerSecond", tokens / ((System.nanoTime() - start) / 1e9))
                .put("peakUsedHeapMb", peak / (1 << 20));
    }

    /** Printable ASCII words up to the text limit: one token per byte for a byte model, many unknown words for a word model. */
    private String longText(Random random) {
        StringBuilder text = new StringBuilder(config.maxTextBytes());
        while (text.length() < config.maxTextBytes() - 12) {
            text.append('w').append(random.nextInt(20_000)).append(' ');
        }
        return text.toString();
    }

    private static long usedHeap() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }
}
