package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.kafka.Clients;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.ScorerProcess;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the fault suites share: the traffic they publish, the packaged scorer's arguments, a reader of its
 * committed scores, and the comparison of every scored event with an uninterrupted run.
 */
final class FaultRuns {

    static final Duration WAIT = Duration.ofSeconds(120);

    private FaultRuns() {
    }

    /** {@code sessions} sessions of short log-like lines, {@code perSession} each, interleaved as they would arrive. */
    static List<TextEvent> traffic(long seed, int sessions, int perSession) {
        Random random = new Random(seed);
        String[] words = {"GET", "POST", "/api/items", "/login", "200", "404", "user=", "ok", "took", "ms"};
        List<TextEvent> out = new ArrayList<>();
        for (int e = 0; e < perSession; e++) {
            for (int s = 0; s < sessions; s++) {
                StringBuilder text = new StringBuilder();
                for (int w = 0, n = 2 + random.nextInt(6); w < n; w++) {
                    text.append(words[random.nextInt(words.length)]).append(random.nextInt(100)).append(' ');
                }
                out.add(new TextEvent("e" + s + "-" + e, "session-" + s, text.toString(), Instant.ofEpochMilli(1_000 + e),
                        false, null));
            }
        }
        return out;
    }

    /**
     * Arguments of {@code score} for one instance of the application: its own state directory and static
     * membership id ({@code instance}), the topics of {@code config}, Avro through the test's registry.
     */
    static List<String> scorerArguments(Path dir, ScorerConfig config, String instance, String bootstrap,
                                        short replication, String registryUrl, Map<String, String> extra) {
        String app = config.getString(ScorerConfig.APPLICATION_ID);
        List<String> args = new ArrayList<>(List.of("--model", dir.resolve("model").toString(), "--no-follow-releases",
                "--no-create-topics", "--bootstrap-servers", bootstrap, "--replication-factor", Short.toString(replication),
                "--schema-registry-url", registryUrl));
        Map<String, String> settings = new HashMap<>(Map.of(ScorerConfig.APPLICATION_ID, app,
                ScorerConfig.INPUT_TOPIC, config.inputTopic(), ScorerConfig.OUTPUT_TOPIC, config.outputTopic(),
                ScorerConfig.DLQ_TOPIC, config.dlqTopic(), ScorerConfig.ANOMALIES_TOPIC, config.anomaliesTopic(),
                ScorerConfig.SUMMARIES_TOPIC, config.summariesTopic(),
                ScorerConfig.LEARNED_TEMPLATES_TOPIC, config.learnedTemplatesTopic(), ScorerConfig.HTTP_PORT, "0",
                ScorerConfig.STATE_DIR, dir.resolve("state-" + app + "-" + instance).toString(),
                ScorerConfig.INSTANCE_ID, app + "-" + instance));
        settings.putAll(extra);
        settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return args;
    }

    record Comparison(int lost, double maxDifference) {
    }

    /** Prints what happened to the events through {@code steps}, then asserts {@link #assertExactlyOnce}. */
    static void assertScoredOnce(String run, List<String> steps, LanguageModel model, List<TextEvent> events,
                                 Map<String, ScoredEvent> scored, int duplicates) {
        Comparison c = compare(model, events, scored);
        System.out.printf(Locale.ROOT, "faults (%s): %s during %d events: lost %d, duplicated %d, max |Δ| %.2e bits%n",
                run, steps, events.size(), c.lost(), duplicates, c.maxDifference());
        assertExactlyOnce(c, duplicates);
    }

    /** No event lost, none scored twice, every score as the uninterrupted run's. */
    static void assertExactlyOnce(Comparison c, int duplicates) {
        assertEquals(0, c.lost(), "lost");
        assertEquals(0, duplicates, "scored twice");
        assertTrue(c.maxDifference() < 1e-4, "max difference " + c.maxDifference());
    }

    /** The longest wait between new scores while a reader reads: what a fault cost the output. */
    static final class Gaps {
        private long last = System.nanoTime();
        private long longest;
        private int seen;

        Gaps(int scoredSoFar) {
            seen = scoredSoFar;
        }

        /** Notes that {@code n} distinct events are scored now; true, to stand first in a reader's condition. */
        boolean note(int n) {
            if (n > seen) {
                long now = System.nanoTime();
                longest = Math.max(longest, now - last);
                last = now;
                seen = n;
            }
            return true;
        }

        long longestMillis() {
            return longest / 1_000_000;
        }

        long sinceLastNanos() {
            return System.nanoTime() - last;
        }
    }

    /** Every event against the reference path, session by session in order. */
    static Comparison compare(LanguageModel model, List<TextEvent> events, Map<String, ScoredEvent> scored) {
        SessionScorer reference = new SessionScorer(new ScorerConfig(Map.of()).scoring());
        Map<String, SessionState> states = new HashMap<>();
        int lost = 0;
        double max = 0;
        for (TextEvent e : events) {
            SessionScorer.Outcome expected = reference.score(model, states.get(e.getSessionId()), e.getSessionId(), e,
                    e.getEventTime().toEpochMilli());
            states.put(e.getSessionId(), expected.next());
            ScoredEvent actual = scored.get(e.getEventId());
            if (actual == null) {
                lost++;
                continue;
            }
            assertEquals(expected.scored().getTokens().size(), actual.getTokens().size(), e.getEventId());
            for (int t = 0; t < actual.getTokens().size(); t++) {
                max = Math.max(max, Math.abs(expected.scored().getTokens().get(t).getSurprisalBits()
                        - actual.getTokens().get(t).getSurprisalBits()));
            }
        }
        return new Comparison(lost, max);
    }

    /** Committed scores from the beginning of the output topic, read as they become visible. */
    static final class ScoreReader implements AutoCloseable {
        private final KafkaConsumer<String, ScoredEvent> consumer;

        ScoreReader(String bootstrap, InMemorySchemaRegistry registry, ScorerConfig config) {
            consumer = Clients.readCommittedAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap), config.outputTopic(), true, new StringDeserializer(),
                    JsonRecords.orAvro(ScoredEvent.class, AvroSerdes.value(ScoredEvent.class, registry).deserializer()));
        }

        /**
         * Reads until {@code done} holds for the distinct events read; returns how many were read twice. Fails when
         * the wait runs out or one of {@code scorers} exits.
         */
        int readUntil(Map<String, ScoredEvent> scored, IntPredicate done, ScorerProcess... scorers) {
            int duplicates = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(scored.size())) {
                for (ScorerProcess scorer : scorers) {
                    if (System.nanoTime() > deadline || !scorer.isAlive()) {
                        throw new AssertionError(scored.size() + " events scored when the wait ended"
                                + (scorer.isAlive() ? "" : " (a scorer exited)") + "; scorer log:\n" + scorer.log());
                    }
                }
                for (ConsumerRecord<String, ScoredEvent> r : consumer.poll(Duration.ofMillis(100))) {
                    if (scored.put(r.value().getEventId(), r.value()) != null) {
                        duplicates++;
                    }
                }
            }
            return duplicates;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
