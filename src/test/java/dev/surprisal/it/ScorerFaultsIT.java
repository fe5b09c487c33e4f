package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.input.InputSettings;
import dev.surprisal.it.FaultRuns.Comparison;
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

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.surprisal.it.FaultRuns.assertExactlyOnce;
import static dev.surprisal.it.FaultRuns.compare;
import static dev.surprisal.it.FaultRuns.traffic;

/**
 * Faults a production scorer meets, against a broker that outlives it: the scorer process killed
 * with SIGKILL mid-stream and started again, and the broker stopped and started under a running
 * scorer. Every event must be scored exactly once with the scores an uninterrupted run gives (the
 * reference path, which the topology matches to 1e-4 bits). A cluster's faults are {@link ClusterFaultsIT}'s.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(TinyModelExtension.class)
class ScorerFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SESSIONS = 150;
    private static final int EVENTS_PER_SESSION = 16;

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    /** The scorer's input and output settings beyond the defaults (Avro in and out). */
    private Map<String, String> formatSettings = Map.of();
    private EmbeddedKafkaBroker broker;
    /** Where the scorer and the test's clients connect: the embedded broker (one test restarts it). */
    private String bootstrap;
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
        List<TextEvent> events = traffic(7, SESSIONS, EVENTS_PER_SESSION);
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
        try (ScoreReader reader = new ScoreReader(bootstrap, registry, config)) {
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
        Comparison c = compare(model, events, scored);
        System.out.printf(Locale.ROOT, "faults (%s): 2 SIGKILLs during %d events: lost %d, duplicated %d, max |Δ| "
                + "%.2e bits; kill -> first new score %s ms%n", format, events.size(), c.lost(), duplicates,
                c.maxDifference(), resumeMillis);
        assertExactlyOnce(c, duplicates);
    }

    @Test
    void aBrokerRestartUnderARunningScorerLosesAndRepeatsNothing() throws Exception {
        ScorerConfig config = config("broker");
        List<TextEvent> events = traffic(11, SESSIONS, EVENTS_PER_SESSION);
        int half = events.size() / 2;
        TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), events.subList(0, half));
        try (ScorerProcess scorer = scorer(config, "broker-1")) {
            try (ScoreReader reader = new ScoreReader(bootstrap, registry, config)) {
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
            try (ScoreReader reader = new ScoreReader(bootstrap, registry, config)) {
                duplicates = reader.readUntil(scored, n -> n >= events.size(), scorer); // all of it, from the start
            }
            Comparison c = compare(model, events, scored);
            System.out.printf(Locale.ROOT, "faults: broker down %d ms under a running scorer, %d events: lost %d, "
                    + "duplicated %d, max |Δ| %.2e bits%n", downMillis, events.size(), c.lost(), duplicates,
                    c.maxDifference());
            assertExactlyOnce(c, duplicates);
        }
    }

    private ScorerConfig config(String name) {
        ScorerConfig config = new ScorerConfig(IsolatedScorer.settings(bootstrap, "faults-" + name));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicSetup.ensure(admin, ScorerTopics.all(config, 4, (short) 1), true);
        }
        return config;
    }

    /** The packaged scorer on its own state directory, under static membership. */
    private ScorerProcess scorer(ScorerConfig config, String log) throws IOException {
        return ScorerProcess.start(dir.resolve(log + ".log"), FaultRuns.scorerArguments(dir, config, "a", bootstrap,
                (short) 1, registryServer.url(), formatSettings));
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
}
