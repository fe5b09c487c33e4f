package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.input.InputSettings;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.session.SessionState;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.FreePorts;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.KafkaCluster;
import dev.surprisal.testing.ScorerProcess;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults a production scorer meets, against a broker that outlives it: the scorer process killed
 * with SIGKILL mid-stream and started again, and the broker stopped and started under a running
 * scorer. Every event must be scored exactly once with the scores an uninterrupted run gives (the
 * reference path, which the topology matches to 1e-4 bits).
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(TinyModelExtension.class)
class ScorerFaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SESSIONS = 150;
    private static final int EVENTS_PER_SESSION = 16;

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    /** The scorer's input and output settings beyond the defaults (Avro in and out). */
    private Map<String, String> formatSettings = Map.of();
    private EmbeddedKafkaBroker broker;
    /** Where the scorer and the test's clients connect: the embedded broker, or a test's cluster. */
    private String bootstrap;
    private short replication = 1;
    private SchemaRegistryServer registryServer;
    @TempDir
    Path dir;

    ScorerFaultsIT(LanguageModel shared) {
        this.model = shared;
    }

    @BeforeEach
    void start() throws IOException {
        broker = EmbeddedKafkaBroker.start(FreePorts.any(), dir.resolve("kafka"));
        bootstrap = broker.bootstrapServers();
        registryServer = SchemaRegistryServer.start(registry, "127.0.0.1", 0);
        ModelArtifact.save(model, dir.resolve("model"));
    }

    @AfterEach
    void stop() {
        registryServer.close();
        if (broker != null) {
            broker.close();
        }
    }

    /**
     * Avro keyed by session, and shipper JSON whose session is a field: re-keyed through the
     * repartition topic, so a kill can fall between reading a record and scoring its event.
     */
    @ParameterizedTest
    @ValueSource(strings = {"avro", "json"})
    void aScorerKilledMidStreamResumesWithEveryEventScoredOnceAsIfUninterrupted(String format) throws Exception {
        ScorerConfig config = config("kill-" + format);
        List<TextEvent> events = traffic(7);
        if (format.equals("json")) {
            formatSettings = Map.of(InputSettings.FORMAT, "json", InputSettings.SESSION_FIELD, "user",
                    InputSettings.EVENT_ID_FIELD, "id", ScorerConfig.OUTPUT_FORMAT, "json");
            publishJson(config.inputTopic(), events);
        } else {
            TestClients.produce(bootstrap, registry, config.inputTopic(), events);
        }
        Map<String, ScoredEvent> scored = new LinkedHashMap<>();
        int duplicates = 0;
        List<Long> resumeMillis = new ArrayList<>();
        try (ScoreReader reader = new ScoreReader(config)) {
            ScorerProcess first = scorer(config, "kill-1");
            try {
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 4, first);
            } finally {
                first.kill();
            }
            long killed = System.nanoTime();
            for (int round = 2; round <= 3; round++) {
                try (ScorerProcess next = scorer(config, "kill-" + round)) {
                    int before = scored.size();
                    duplicates += reader.readUntil(scored, n -> n > before, next);
                    resumeMillis.add((System.nanoTime() - killed) / 1_000_000);
                    if (round == 2) {
                        duplicates += reader.readUntil(scored, n -> n >= events.size() * 2 / 3, next);
                        next.kill();
                        killed = System.nanoTime();
                    } else {
                        duplicates += reader.readUntil(scored, n -> n >= events.size(), next);
                    }
                }
            }
        }
        Comparison c = compare(events, scored);
        System.out.printf(Locale.ROOT, "faults (%s): 2 SIGKILLs during %d events: lost %d, duplicated %d, max |Δ| "
                + "%.2e bits; kill -> first new score %s ms%n", format, events.size(), c.lost(), duplicates,
                c.maxDifference(), resumeMillis);
        assertEquals(0, c.lost(), "lost");
        assertEquals(0, duplicates, "scored twice");
        assertTrue(c.maxDifference() < 1e-4, "max difference " + c.maxDifference());
    }

    @Test
    void aBrokerRestartUnderARunningScorerLosesAndRepeatsNothing() throws Exception {
        ScorerConfig config = config("broker");
        List<TextEvent> events = traffic(11);
        int half = events.size() / 2;
        TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events.subList(0, half));
        try (ScorerProcess scorer = scorer(config, "broker-1")) {
            try (ScoreReader reader = new ScoreReader(config)) {
                reader.readUntil(new HashMap<>(), n -> n >= half / 2, scorer);
            }
            int port = Integer.parseInt(broker.bootstrapServers().substring(broker.bootstrapServers().lastIndexOf(':') + 1));
            long stopped = System.nanoTime();
            broker.close();
            broker = null;
            broker = EmbeddedKafkaBroker.start(port, dir.resolve("kafka"));
            bootstrap = broker.bootstrapServers();
            long downMillis = (System.nanoTime() - stopped) / 1_000_000;
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events.subList(half, events.size()));
            Map<String, ScoredEvent> scored = new LinkedHashMap<>();
            int duplicates;
            try (ScoreReader reader = new ScoreReader(config)) {
                duplicates = reader.readUntil(scored, n -> n >= events.size(), scorer); // all of it, from the start
            }
            Comparison c = compare(events, scored);
            System.out.printf(Locale.ROOT, "faults: broker down %d ms under a running scorer, %d events: lost %d, "
                    + "duplicated %d, max |Δ| %.2e bits%n", downMillis, events.size(), c.lost(), duplicates,
                    c.maxDifference());
            assertEquals(0, c.lost(), "lost");
            assertEquals(0, duplicates, "scored twice");
            assertTrue(c.maxDifference() < 1e-4, "max difference " + c.maxDifference());
        }
    }

    /**
     * A three-node KRaft cluster (replication 3, min.insync.replicas 2, the scorer's internal topics at 3). Under a
     * running scorer fed 100 events a second, one node after another is killed with SIGKILL and started again 15
     * seconds later: the leader
     * of the input's partition 0, the active controller, and the coordinator of the scorer's transactions. Every
     * event is scored once, as if uninterrupted; each kill's stall (the longest wait between new scores) is printed.
     */
    @Test
    void nodesKilledOnAThreeNodeClusterLoseAndRepeatNothing() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("cluster"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            bootstrap = cluster.bootstrapServers();
            replication = 3;
            ScorerConfig config = config("cluster");
            List<TextEvent> events = traffic(13, 48); // 7,200 events, published at 100 a second: 72 s of flow
            Map<String, ScoredEvent> scored = new LinkedHashMap<>();
            int duplicates = 0;
            List<String> kills = new ArrayList<>();
            Thread publisher = TestClients.paced(bootstrap, registry, config.inputTopic(), events, 100);
            try (ScorerProcess scorer = scorer(config, "cluster-1"); ScoreReader reader = new ScoreReader(config)) {
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 4, scorer);
                int leader = admin.describeTopics(List.of(config.inputTopic())).allTopicNames().get()
                        .get(config.inputTopic()).partitions().get(0).leader().id();
                duplicates += killAndRestart(cluster, leader, "input leader", reader, scored, events.size(), scorer, kills);
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 2, scorer);
                int controller = admin.describeMetadataQuorum().quorumInfo().get().leaderId();
                duplicates += killAndRestart(cluster, controller, "controller", reader, scored, events.size(), scorer, kills);
                duplicates += reader.readUntil(scored, n -> n >= events.size() * 3 / 4, scorer);
                int coordinator = transactionCoordinator(config.getString(ScorerConfig.APPLICATION_ID));
                duplicates += killAndRestart(cluster, coordinator, "transaction coordinator", reader, scored, events.size(), scorer, kills);
                duplicates += reader.readUntil(scored, n -> n >= events.size(), scorer);
            } finally {
                publisher.interrupt();
                publisher.join(10_000);
            }
            Comparison c = compare(events, scored);
            System.out.printf(Locale.ROOT, "faults (3 nodes): %s during %d events: lost %d, duplicated %d, max |Δ| "
                    + "%.2e bits%n", kills, events.size(), c.lost(), duplicates, c.maxDifference());
            assertEquals(0, c.lost(), "lost");
            assertEquals(0, duplicates, "scored twice");
            assertTrue(c.maxDifference() < 1e-4, "max difference " + c.maxDifference());
        }
    }

    /** The node coordinating the scorer's transactions, asked of a fresh client (one that saw nodes die can fail it). */
    private int transactionCoordinator(String app) throws Exception {
        int[] found = {-1};
        Await.until("the scorer's transaction coordinator", WAIT, () -> {
            try (Admin fresh = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                List<String> ids = fresh.listTransactions().all().get().stream().map(t -> t.transactionalId())
                        .filter(id -> id.startsWith(app)).toList();
                found[0] = fresh.describeTransactions(ids).all().get().values().iterator().next().coordinatorId();
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.NoSuchElementException e) {
                return false;
            }
        });
        return found[0];
    }

    /** SIGKILL a node, wait for the next score, keep it down ten seconds, start it again; says the stall. */
    private static int killAndRestart(KafkaCluster cluster, int node, String role, ScoreReader reader,
                                      Map<String, ScoredEvent> scored, int total, ScorerProcess scorer, List<String> kills)
            throws Exception {
        cluster.kill(node);
        long killed = System.nanoTime();
        int before = scored.size();
        // the longest wait between new scores over the 15 s after the kill, input flowing all along: scores in flight
        // when the node died come at once, and the stall is the gap after them
        long[] last = {killed};
        long[] longest = {0};
        int[] seen = {before};
        int duplicates = reader.readUntil(scored, n -> {
            long now = System.nanoTime();
            if (n > seen[0]) {
                longest[0] = Math.max(longest[0], now - last[0]);
                last[0] = now;
                seen[0] = n;
            }
            return n >= total || (now - killed > 15_000_000_000L && now - last[0] < 1_000_000_000L);
        }, scorer);
        cluster.restart(node); // down 15 s, as a machine's reboot would be
        kills.add(role + " (node " + node + "): longest wait for a score " + longest[0] / 1_000_000 + " ms");
        return duplicates;
    }

    private ScorerConfig config(String name) {
        ScorerConfig config = new ScorerConfig(IsolatedScorer.settings(bootstrap, "faults-" + name));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicSetup.ensure(admin, ScorerTopics.all(config, 4, replication), true);
        }
        return config;
    }

    /** The packaged scorer on its own state directory, with static membership under {@code instance}. */
    private ScorerProcess scorer(ScorerConfig config, String instance) throws IOException {
        List<String> args = new ArrayList<>(List.of("--model", dir.resolve("model").toString(), "--no-follow-releases",
                "--no-create-topics", "--bootstrap-servers", bootstrap, "--replication-factor", Short.toString(replication),
                "--schema-registry-url", registryServer.url()));
        Map<String, String> settings = Map.of(ScorerConfig.APPLICATION_ID, config.getString(ScorerConfig.APPLICATION_ID),
                ScorerConfig.INPUT_TOPIC, config.inputTopic(), ScorerConfig.OUTPUT_TOPIC, config.outputTopic(),
                ScorerConfig.DLQ_TOPIC, config.dlqTopic(), ScorerConfig.ANOMALIES_TOPIC, config.anomaliesTopic(),
                ScorerConfig.SUMMARIES_TOPIC, config.summariesTopic(),
                ScorerConfig.LEARNED_TEMPLATES_TOPIC, config.learnedTemplatesTopic(), ScorerConfig.HTTP_PORT, "0",
                ScorerConfig.STATE_DIR, dir.resolve("state-" + config.getString(ScorerConfig.APPLICATION_ID)).toString(),
                ScorerConfig.INSTANCE_ID, config.getString(ScorerConfig.APPLICATION_ID) + "-a");
        settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        formatSettings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return ScorerProcess.start(dir.resolve(instance + ".log"), args);
    }

    /** The events as a log shipper writes them: JSON with the session and the id in fields, keyed by session. */
    private void publishJson(String topic, List<TextEvent> events) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (TextEvent e : events) {
                String json = JSON.createObjectNode().put("id", e.getEventId()).put("user", e.getSessionId())
                        .put("message", e.getText()).toString();
                producer.send(new ProducerRecord<>(topic, e.getSessionId(), json));
            }
            producer.flush();
        }
    }

    /** Sessions of short log-like lines, interleaved as they would arrive. */
    private static List<TextEvent> traffic(long seed) {
        return traffic(seed, EVENTS_PER_SESSION);
    }

    private static List<TextEvent> traffic(long seed, int perSession) {
        Random random = new Random(seed);
        String[] words = {"GET", "POST", "/api/items", "/login", "200", "404", "user=", "ok", "took", "ms"};
        List<TextEvent> out = new ArrayList<>();
        for (int e = 0; e < perSession; e++) {
            for (int s = 0; s < SESSIONS; s++) {
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

    private record Comparison(int lost, double maxDifference) {
    }

    /** Every event against the reference path, session by session in order. */
    private Comparison compare(List<TextEvent> events, Map<String, ScoredEvent> scored) {
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
    private final class ScoreReader implements AutoCloseable {
        private final KafkaConsumer<String, ScoredEvent> consumer;

        ScoreReader(ScorerConfig config) {
            consumer = Clients.readCommittedAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap), config.outputTopic(), true, new StringDeserializer(),
                    JsonRecords.orAvro(ScoredEvent.class, AvroSerdes.value(ScoredEvent.class, registry).deserializer()));
        }

        /** Reads until {@code done} holds for the distinct events read; returns how many were read twice. */
        int readUntil(Map<String, ScoredEvent> scored, IntPredicate done, ScorerProcess scorer) {
            int duplicates = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(scored.size())) {
                if (System.nanoTime() > deadline || !scorer.isAlive()) {
                    throw new AssertionError(scored.size() + " events scored when the wait ended"
                            + (scorer.isAlive() ? "" : " (the scorer exited)") + "; scorer log:\n" + scorer.log());
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
