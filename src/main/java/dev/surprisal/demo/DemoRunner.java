package dev.surprisal.demo;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.config.Precedence;
import dev.surprisal.drift.DriftSettings;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Directories;
import dev.surprisal.kafka.SkipUnreadable;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.node.ScorerNode;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.retraining.TrainerService;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.shadow.ShadowJudge;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.training.ConsoleProgress;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The whole product in one process: an embedded broker and schema registry, the trainer, the
 * scorer following model releases, generated traffic going in and scored events coming out on the
 * console.
 */
public final class DemoRunner {

    /**
     * Traffic of the basic demo; the retrain story (normal traffic, a shift, a train command sent by
     * the demo, model 2); or the drift story, where the scorer's health watch notices the shift and
     * sends the command itself.
     */
    public enum Scenario { BASIC, RETRAIN, DRIFT }

    /** What {@code demo} was asked to do. {@code events} 0 runs until stopped. */
    public record Options(Scenario scenario, long events, boolean jsonl, long seed, double rate, int sessions,
                          double anomalyRate, int port, int registryPort, int httpPort, Path dataDir, Path model,
                          Path modelCache, boolean retrain, boolean colour) {
    }

    /** What the run measured. */
    public record Result(long events, long distinctEvents, long tokens, long anomalies, long injected,
                         long injectedFlagged, double secondsToFirstScore, double scoringSeconds,
                         Map<String, VersionTally> byVersion) {
    }

    /**
     * Per model version: events scored; of the traffic that was not an injected anomaly, the shifted
     * events (their perplexity summed, and how many were flagged) and the others (how many flagged).
     */
    public record VersionTally(long events, long shiftedEvents, double shiftedPerplexitySum, long shiftedFlagged,
                               long plainEvents, long plainFlagged) {
        static final VersionTally NONE = new VersionTally(0, 0, 0, 0, 0, 0);

        public double meanShiftedPerplexity() {
            return shiftedEvents == 0 ? Double.NaN : shiftedPerplexitySum / shiftedEvents;
        }

        public double shiftedFlagRate() {
            return shiftedEvents == 0 ? Double.NaN : (double) shiftedFlagged / shiftedEvents;
        }

        public double plainFlagRate() {
            return plainEvents == 0 ? Double.NaN : (double) plainFlagged / plainEvents;
        }

        VersionTally add(boolean shifted, boolean injected, ScoredEvent e) {
            long flagged = e.getAnomalous() ? 1 : 0;
            if (injected) {
                return new VersionTally(events + 1, shiftedEvents, shiftedPerplexitySum, shiftedFlagged, plainEvents,
                        plainFlagged);
            }
            return shifted
                    ? new VersionTally(events + 1, shiftedEvents + 1, shiftedPerplexitySum + e.getEventPerplexity(),
                            shiftedFlagged + flagged, plainEvents, plainFlagged)
                    : new VersionTally(events + 1, shiftedEvents, shiftedPerplexitySum, shiftedFlagged,
                            plainEvents + 1, plainFlagged + flagged);
        }
    }

    private final Options options;
    private final PrintStream out;
    private final PrintStream info;

    public DemoRunner(Options options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.info = options.jsonl() ? err : out;
    }

    public Result run(BooleanSupplier stopRequested) throws Exception {
        long start = System.nanoTime();
        info.println("starting an embedded Kafka broker (KRaft, loopback only)…");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(options.port(), options.dataDir());
             LanguageModel model = options.model() != null
                     ? ModelArtifact.load(options.model())
                     : DemoModel.loadOrTrain(options.modelCache(), options.seed(), options.retrain(), info);
             KafkaSchemaJournal journal = KafkaSchemaJournal.open(
                     Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers()), KafkaSchemaJournal.DEFAULT_TOPIC);
             SchemaRegistryServer registry = SchemaRegistryServer.start(journal.registry(), "127.0.0.1",
                     options.registryPort())) {
            info.println("Kafka broker listening on " + broker.bootstrapServers());
            info.println("schema registry listening on " + registry.url());
            Path stateDir = Files.createTempDirectory("surprisal-demo-state-");
            try {
                return score(broker, journal.registry(), model, stateDir, start, stopRequested);
            } finally {
                Directories.deleteRecursively(stateDir);
            }
        }
    }

    private Result score(EmbeddedKafkaBroker broker, SchemaRegistry registry, LanguageModel model, Path stateDir,
                         long start, BooleanSupplier stopRequested) throws Exception {
        // the demo's minutes are seconds: a short window, so that the health figures move while one watches. The
        // drift story's shift must show within seconds; elsewhere a window holds a minute, since 200 events at
        // --rate 20 carry 10 +- 3 injected anomalies, and a window with 16 of them read as drift (2.1x, measured)
        boolean drift = options.scenario() == Scenario.DRIFT;
        Map<String, Object> defaults = Map.of(DriftSettings.INTERVAL_MS, 1000L,
                DriftSettings.WINDOW_MS, drift ? 10_000L : 60_000L, DriftSettings.MIN_EVENTS, drift ? 100L : 300L,
                DriftSettings.DRIFT_HOLD_MS, 2000L,
                DriftSettings.RETRAIN_SHADOW_EVENTS, 100, DriftSettings.RETRAIN, drift,
                // the demo injects anomalies on purpose: its own share must not read as drift (a shift still does)
                DriftSettings.DRIFT_FLAG_RATE, Math.min(0.5, Math.max(0.05, 2 * options.anomalyRate() + 0.05)),
                // nor their surprise: 5% of random lines put a window's bits/token at 1.55-1.6x the training figure;
                // the drift story keeps the default, its shift is what the watch is there to see
                DriftSettings.DRIFT_BITS_RATIO, drift
                        ? DriftSettings.DEFAULT_DRIFT_BITS_RATIO : DriftSettings.DEFAULT_DRIFT_BITS_RATIO + 10 * options.anomalyRate(),
                // the demo labels the anomalies it injects; a fine-tune that learned them would stop flagging them
                DriftSettings.RETRAIN_EXCLUDE_LABELS, "anomalous=1");
        // SURPRISAL_* variables may change those and other settings; the demo's own wiring stays, as flags do
        Map<String, Object> own = Map.of(
                ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                ScorerConfig.APPLICATION_ID, "surprisal-demo",
                ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.ADVERTISED_HOST, "127.0.0.1",
                ScorerConfig.HTTP_PORT, options.httpPort() == 0 ? freePort() : options.httpPort());
        ScorerConfig config = new ScorerConfig(Precedence.merged(ScorerConfig.DEFINITION.names(), defaults,
                System.getenv(), Map.of(), own));
        broker.createTopics(ScorerNode.topics(config, 4, (short) 1, true));
        Map<String, Object> clientProps = config.clientProperties();
        RetrainScenario scenario = new RetrainScenario(options, clientProps, registry, config.releaseTopics(),
                config.inputTopic(), info);
        scenario.promoteIfNeeded(model);
        DemoConsole console = new DemoConsole(new ConsoleRenderer(options.colour(),
                !"byte".equals(model.tokenizer().spec().type())), options.jsonl(), out, info);
        AtomicBoolean switched = new AtomicBoolean();
        AtomicBoolean stopped = new AtomicBoolean();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ScorerNode.Wiring wiring = new ScorerNode.Wiring(config, registry, model, true, m -> {
            switched.set(true);
            info.println("now scoring with model " + m.version());
        }, scenario::onHealth, () -> { }, Duration.ofSeconds(60));
        try (TrainerService trainer = new TrainerService(clientProps, registry,
                     new TrainerConfig(Map.of(TrainerConfig.ANOMALIES_TOPIC, config.anomaliesTopic(),
                             TrainerConfig.OUTPUT_TOPIC, config.outputTopic())),
                     new ConsoleProgress(info, System.console() != null));
             ScorerNode node = ScorerNode.start(wiring, prometheus);
             // from the end of the scores topic (the broker keeps earlier runs), positions fixed before publishing
             KafkaConsumer<String, ScoredEvent> consumer = Clients.readCommittedAll(clientProps, config.outputTopic(),
                     false, new StringDeserializer(),
                     SkipUnreadable.of(AvroSerdes.value(ScoredEvent.class, registry).deserializer(), "a ScoredEvent"));
             DemoPublisher publisher = new DemoPublisher(broker.bootstrapServers(), registry, config.inputTopic(),
                     scenario.phases(switched), options.events())) {
            Thread trainerThread = new Thread(() -> trainer.run(stopped::get), "demo-trainer");
            trainerThread.setDaemon(true);
            trainerThread.start();
            ShadowJudge judge = new ShadowJudge(clientProps, registry, config.releaseTopics(), Duration.ofMinutes(10),
                    scenario::onShadowDecision);
            Thread judging = new Thread(() -> judge.run(stopped::get), "demo-shadow-judge");
            judging.setDaemon(true);
            judging.start();
            info.printf(Locale.ROOT, "scorer running with model %s (anomaly threshold: event perplexity > %.2f); "
                    + "publishing to %s, scores on %s%n", model.version(), model.manifest().anomalyThreshold(),
                    config.inputTopic(), config.outputTopic());
            info.printf(Locale.ROOT, "live page on http://127.0.0.1:%d/ (flagged events, sessions at /sessions/{id}); "
                    + "metrics on /metrics%n", node.port());
            publisher.start();
            DemoConsole.Tally tally = new DemoConsole.Tally();
            try {
                while (!stopRequested.getAsBoolean() && (options.events() == 0 || tally.events() < options.events())) {
                    if (publisher.failure() != null) {
                        throw new IllegalStateException("publishing failed", publisher.failure());
                    }
                    for (ConsumerRecord<String, ScoredEvent> r : consumer.poll(Duration.ofMillis(200))) {
                        ScoredEvent e = r.value();
                        if (e == null) {
                            continue;
                        }
                        String injected = publisher.injectedKind(e.getEventId());
                        if (tally.add(e, injected, publisher.phaseOf(e.getEventId()) > 0 && shifting(), start)) {
                            scenario.announceSwitch(e);
                        }
                        console.show(e, injected);
                        scenario.onScored(e);
                    }
                }
            } finally {
                stopped.set(true);
                trainerThread.join(30_000);
            }
            Result result = tally.result();
            console.summarise(result, shifting());
            scenario.summariseFeedback();
            return result;
        } finally {
            prometheus.close();
        }
    }

    private boolean shifting() {
        return options.scenario() != Scenario.BASIC;
    }


    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
