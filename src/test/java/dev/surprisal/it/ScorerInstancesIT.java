package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.it.FaultRuns.Gaps;
import dev.surprisal.it.FaultRuns.ScoreReader;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.ScorerProcess;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.surprisal.it.FaultRuns.assertScoredOnce;
import static dev.surprisal.it.FaultRuns.traffic;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several instances of one scorer application under load: instances added and removed (1 → 3 → 1), restarted in
 * turn, and one frozen long enough for its tasks to move, then woken (a zombie: it must be fenced, never
 * write). Every event is scored once, as an uninterrupted run scores it.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(TinyModelExtension.class)
class ScorerInstancesIT {

    private static final int SESSIONS = 150;

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private EmbeddedKafkaBroker broker;
    private SchemaRegistryServer registryServer;
    @TempDir
    Path dir;

    ScorerInstancesIT(LanguageModel shared) {
        this.model = shared;
    }

    @BeforeEach
    void start() throws IOException {
        broker = EmbeddedKafkaBroker.start(FreePorts.any(), dir.resolve("kafka"));
        registryServer = SchemaRegistryServer.start(registry, "127.0.0.1", 0);
        ModelArtifact.save(model, dir.resolve("model"));
    }

    @AfterEach
    void stop() {
        registryServer.close();
        broker.close();
    }

    @Test
    void instancesAddedRemovedAndRestartedInTurnLoseAndRepeatNothing() throws Exception {
        ScorerConfig config = config("scale");
        List<TextEvent> events = traffic(19, SESSIONS, 40); // 6,000 events at 100 a second
        Map<String, ScoredEvent> scored = new LinkedHashMap<>();
        List<String> steps = new ArrayList<>();
        int duplicates = 0;
        Thread publisher = TestClients.paced(broker.bootstrapServers(), registry, config.inputTopic(), events, 100);
        try (ScoreReader reader = new ScoreReader(broker.bootstrapServers(), registry, config);
             ScorerProcess a = scorer(config, "a", "scale-a")) {
            int total = events.size();
            duplicates += reader.readUntil(scored, n -> n >= total / 6, a);
            ScorerProcess b = scorer(config, "b", "scale-b");
            ScorerProcess c = scorer(config, "c", "scale-c");
            try {
                duplicates += step("1 -> 3 instances", reader, scored, total * 2 / 6, steps, a, b, c);
                b.close();
                duplicates += step("3 -> 2 (b stopped)", reader, scored, total * 3 / 6, steps, a, c);
                c.close();
                c = scorer(config, "c", "scale-c2");
                duplicates += step("c restarted", reader, scored, total * 4 / 6, steps, a, c);
                a.close();
                ScorerProcess a2 = scorer(config, "a", "scale-a2");
                try {
                    duplicates += step("a restarted", reader, scored, total * 5 / 6, steps, a2, c);
                    c.close();
                    duplicates += step("2 -> 1 (c stopped)", reader, scored, total, steps, a2);
                } finally {
                    a2.close();
                }
            } finally {
                b.close();
                c.close();
                publisher.interrupt();
                publisher.join(10_000);
            }
        }
        assertScoredOnce("instances", steps, model, events, scored, duplicates);
    }

    /**
     * Instance a frozen (SIGSTOP) for 40 s, far past the group's 15 s session timeout and the 10 s transaction
     * timeout: its tasks move to b, its open transaction is aborted. Woken, a must find itself fenced, write
     * nothing, and rejoin.
     */
    @Test
    void aFrozenInstanceIsFencedWhenItWakesAndNothingIsLostOrRepeated() throws Exception {
        ScorerConfig config = config("frozen");
        List<TextEvent> events = traffic(23, SESSIONS, 40);
        Map<String, ScoredEvent> scored = new LinkedHashMap<>();
        List<String> steps = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int duplicates = 0;
        Thread publisher = TestClients.paced(broker.bootstrapServers(), registry, config.inputTopic(), events, 100);
        try (ScoreReader reader = new ScoreReader(broker.bootstrapServers(), registry, config);
             ScorerProcess a = scorer(config, "a", "frozen-a");
             ScorerProcess b = scorer(config, "b", "frozen-b")) {
            int total = events.size();
            duplicates += reader.readUntil(scored, n -> n >= total / 5, a, b);
            a.freeze();
            long frozen = System.nanoTime();
            try {
                duplicates += reader.readUntil(scored, n -> System.nanoTime() - frozen > 40_000_000_000L, b);
            } finally {
                a.thaw();
            }
            steps.add("a frozen 40 s: " + (scored.size() - total / 5) + " scored by b meanwhile");
            duplicates += step("a woken", reader, scored, total, steps, a, b);
            String log = Files.readString(dir.resolve("frozen-a.log"));
            List<String> fencing = log.lines().filter(l -> l.toLowerCase(Locale.ROOT).contains("fenced")).toList();
            errors.addAll(log.lines().filter(l -> l.contains(" ERROR ")).toList());
            steps.add("a's log: " + errors.size() + " ERROR lines " + errors + ", " + fencing.size() + " about fencing " + fencing.stream().map(l -> l.substring(0, Math.min(l.length(), 240)))
                    .toList());
        } finally {
            publisher.interrupt();
            publisher.join(10_000);
        }
        assertScoredOnce("zombie", steps, model, events, scored, duplicates);
        assertTrue(errors.isEmpty(), "being fenced is exactly-once at work, not an error: " + errors);
    }

    /** Reads until {@code until} events are scored; notes the longest wait between new scores on the way. */
    private static int step(String name, ScoreReader reader, Map<String, ScoredEvent> scored, int until, List<String> steps,
                            ScorerProcess... alive) {
        Gaps gaps = new Gaps(scored.size());
        int duplicates = reader.readUntil(scored, n -> gaps.note(n) && n >= until, alive);
        steps.add(name + ": longest wait " + gaps.longestMillis() + " ms");
        return duplicates;
    }

    private ScorerConfig config(String name) {
        ScorerConfig config = new ScorerConfig(IsolatedScorer.settings(broker.bootstrapServers(), "instances-" + name));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            TopicSetup.ensure(admin, ScorerTopics.all(config, 4, (short) 1), true);
        }
        return config;
    }

    private ScorerProcess scorer(ScorerConfig config, String instance, String log) throws IOException {
        return ScorerProcess.start(dir.resolve(log + ".log"), FaultRuns.scorerArguments(dir, config, instance,
                broker.bootstrapServers(), (short) 1, registryServer.url(), Map.of()));
    }
}
