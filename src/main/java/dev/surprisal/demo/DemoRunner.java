package dev.surprisal.demo;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.serde.AvroJson;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.ops.OpsServer;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.stream.ScorerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.surprisal.stream.ModelProvider;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.surprisal.io.Directories;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The whole product in one process: an embedded broker, the demo model, the scorer, generated
 * traffic going in and scored events coming out on the console.
 */
public final class DemoRunner {

    /** What {@code demo} was asked to do. {@code events} 0 runs until stopped. */
    public record Options(long events, boolean jsonl, long seed, double rate, int sessions, double anomalyRate,
                          int port, int registryPort, int httpPort, Path dataDir, Path model, Path modelCache,
                          boolean retrain, boolean colour) {
    }

    /** What the run measured. */
    public record Result(long events, long tokens, long anomalies, long injected, long injectedFlagged,
                         double secondsToFirstScore, double scoringSeconds) {
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
        ScorerConfig config = new ScorerConfig(Map.of(
                ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                ScorerConfig.APPLICATION_ID, "surprisal-demo",
                ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.ADVERTISED_HOST, "127.0.0.1",
                ScorerConfig.HTTP_PORT, options.httpPort() == 0 ? freePort() : options.httpPort()));
        broker.createTopics(ScorerTopics.all(config, 4, (short) 1));
        ConsoleRenderer renderer = new ConsoleRenderer(options.colour(),
                !"byte".equals(model.tokenizer().spec().type()));
        ModelProvider models = ModelProvider.fixed(model);
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (OpsServer ops = OpsServer.start(config, models, prometheus);
             ScorerService scorer = ScorerService.start(config, models, registry, new ScorerMetrics(prometheus),
                     Duration.ofSeconds(60));
             KafkaConsumer<String, ScoredEvent> consumer = consumer(broker.bootstrapServers(), registry);
             DemoPublisher publisher = new DemoPublisher(broker.bootstrapServers(), registry, config.inputTopic(),
                     new TrafficGenerator(options.seed() + 1, options.anomalyRate()), options.sessions(),
                     options.events(), options.rate())) {
            info.printf(Locale.ROOT, "scorer running with model %s (anomaly threshold: event perplexity > %.2f); "
                    + "publishing to %s, scores on %s%n", model.version(), model.manifest().anomalyThreshold(),
                    config.inputTopic(), config.outputTopic());
            ops.attach(scorer.streams());
            info.printf(Locale.ROOT, "metrics on http://127.0.0.1:%d/metrics, sessions on http://127.0.0.1:%d/sessions/{id}%n",
                    ops.port(), ops.port());
            consumer.subscribe(List.of(config.outputTopic()));
            publisher.start();
            Tally tally = new Tally();
            while (!stopRequested.getAsBoolean() && (options.events() == 0 || tally.events < options.events())) {
                if (publisher.failure() != null) {
                    throw new IllegalStateException("publishing failed", publisher.failure());
                }
                for (ConsumerRecord<String, ScoredEvent> r : consumer.poll(Duration.ofMillis(200))) {
                    tally.add(r.value(), publisher.injectedKind(r.value().getEventId()), start);
                    show(renderer, r.value(), publisher.injectedKind(r.value().getEventId()));
                }
            }
            Result result = tally.result();
            summarise(result);
            return result;
        } finally {
            prometheus.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void show(ConsoleRenderer renderer, ScoredEvent event, String injected) {
        if (options.jsonl()) {
            out.println(AvroJson.toJson(event));
        } else {
            out.print(renderer.render(event));
            if (injected != null) {
                out.println("    (the demo injected this line as an anomaly: " + injected + ")");
            }
        }
        out.flush();
    }

    private void summarise(Result r) {
        info.printf(Locale.ROOT, "%nscored %d events (%d tokens); first score %.1f s after start; "
                        + "%.0f tokens/s, %.0f events/s from first to last score%n",
                r.events(), r.tokens(), r.secondsToFirstScore(),
                r.scoringSeconds() > 0 ? r.tokens() / r.scoringSeconds() : 0,
                r.scoringSeconds() > 0 ? r.events() / r.scoringSeconds() : 0);
        info.printf(Locale.ROOT, "flagged %d events; of the %d injected anomalies %d were flagged, "
                + "and %d normal events were flagged%n", r.anomalies(), r.injected(), r.injectedFlagged(),
                r.anomalies() - r.injectedFlagged());
    }

    private static KafkaConsumer<String, ScoredEvent> consumer(String bootstrap, SchemaRegistry registry) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "surprisal-demo-console",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer());
    }


    /** Running counts for the closing summary. */
    private static final class Tally {
        private long events;
        private long tokens;
        private long anomalies;
        private long injected;
        private long injectedFlagged;
        private long firstNanos;
        private long lastNanos;
        private double secondsToFirst;

        void add(ScoredEvent e, String injectedKind, long start) {
            long now = System.nanoTime();
            if (events == 0) {
                firstNanos = now;
                secondsToFirst = (now - start) / 1e9;
            }
            lastNanos = now;
            events++;
            tokens += e.getTokens().size();
            anomalies += e.getAnomalous() ? 1 : 0;
            if (injectedKind != null) {
                injected++;
                injectedFlagged += e.getAnomalous() ? 1 : 0;
            }
        }

        Result result() {
            return new Result(events, tokens, anomalies, injected, injectedFlagged, secondsToFirst,
                    (lastNanos - firstNanos) / 1e9);
        }
    }
}
