package dev.surprisal.demo;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.Directories;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.ops.OpsServer;
import dev.surprisal.registry.KafkaSchemaJournal;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseFollower;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.retraining.TrainerService;
import dev.surprisal.serde.AvroJson;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.training.ConsoleProgress;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The whole product in one process: an embedded broker and schema registry, the trainer, the
 * scorer following model releases, generated traffic going in and scored events coming out on the
 * console.
 */
public final class DemoRunner {

    /** Traffic of the basic demo, or the retrain story: normal traffic, a shift, a train command, model 2. */
    public enum Scenario { BASIC, RETRAIN }

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

    /** Per model version: events scored, and the mean event perplexity of shifted traffic among them. */
    public record VersionTally(long events, long shiftedEvents, double shiftedPerplexitySum) {
        public double meanShiftedPerplexity() {
            return shiftedEvents == 0 ? Double.NaN : shiftedPerplexitySum / shiftedEvents;
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
        ScorerConfig config = new ScorerConfig(Map.of(
                ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                ScorerConfig.APPLICATION_ID, "surprisal-demo",
                ScorerConfig.STATE_DIR, stateDir.toString(),
                ScorerConfig.ADVERTISED_HOST, "127.0.0.1",
                ScorerConfig.HTTP_PORT, options.httpPort() == 0 ? freePort() : options.httpPort()));
        List<NewTopic> topics = new ArrayList<>(ScorerTopics.all(config, 4, (short) 1));
        topics.addAll(config.releaseTopics().all((short) 1));
        broker.createTopics(topics);
        Map<String, Object> clientProps = config.clientProperties();
        promoteIfNeeded(clientProps, registry, model);

        ConsoleRenderer renderer = new ConsoleRenderer(options.colour(),
                !"byte".equals(model.tokenizer().spec().type()));
        AtomicBoolean switched = new AtomicBoolean();
        AtomicBoolean stopped = new AtomicBoolean();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (ReleaseFollower follower = new ReleaseFollower(clientProps, registry, config.releaseTopics(), model, m -> {
                 switched.set(true);
                 info.println("now scoring with model " + m.version());
             });
             TrainerService trainer = new TrainerService(clientProps, registry,
                     new TrainerConfig(Map.of(TrainerConfig.ANOMALIES_TOPIC, config.anomaliesTopic())),
                     new ConsoleProgress(info));
             OpsServer ops = OpsServer.start(config, follower, prometheus, registry);
             ScorerService scorer = ScorerService.start(config, follower, registry, new ScorerMetrics(prometheus),
                     Duration.ofSeconds(60));
             // from the end of the scores topic (the broker keeps earlier runs), positions fixed before publishing
             KafkaConsumer<String, ScoredEvent> consumer = Clients.readCommittedAll(clientProps, config.outputTopic(),
                     false, new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer());
             DemoPublisher publisher = new DemoPublisher(broker.bootstrapServers(), registry, config.inputTopic(),
                     phases(clientProps, registry, switched), options.events())) {
            Thread trainerThread = new Thread(() -> trainer.run(stopped::get), "demo-trainer");
            trainerThread.setDaemon(true);
            trainerThread.start();
            ops.attach(scorer);
            info.printf(Locale.ROOT, "scorer running with model %s (anomaly threshold: event perplexity > %.2f); "
                    + "publishing to %s, scores on %s%n", model.version(), model.manifest().anomalyThreshold(),
                    config.inputTopic(), config.outputTopic());
            info.printf(Locale.ROOT, "metrics on http://127.0.0.1:%d/metrics, sessions on http://127.0.0.1:%d/sessions/{id}%n",
                    ops.port(), ops.port());
            publisher.start();
            Tally tally = new Tally();
            try {
                while (!stopRequested.getAsBoolean() && (options.events() == 0 || tally.events < options.events())) {
                    if (publisher.failure() != null) {
                        throw new IllegalStateException("publishing failed", publisher.failure());
                    }
                    for (ConsumerRecord<String, ScoredEvent> r : consumer.poll(Duration.ofMillis(200))) {
                        ScoredEvent e = r.value();
                        String injected = publisher.injectedKind(e.getEventId());
                        if (tally.add(e, injected, publisher.phaseOf(e.getEventId()) > 0 && shifting(), start)) {
                            announceSwitch(clientProps, registry, e);
                        }
                        show(renderer, e, injected);
                    }
                }
            } finally {
                stopped.set(true);
                trainerThread.join(30_000);
            }
            Result result = tally.result();
            summarise(result);
            return result;
        } finally {
            prometheus.close();
        }
    }

    private boolean shifting() {
        return options.scenario() == Scenario.RETRAIN;
    }

    /** The traffic: one phase for the basic demo; for retrain, normal traffic, a shift, then the command. */
    private List<DemoPublisher.Phase> phases(Map<String, Object> clientProps, SchemaRegistry registry,
                                             AtomicBoolean switched) {
        TrafficGenerator normal = new TrafficGenerator(options.seed() + 1, options.anomalyRate());
        if (options.scenario() == Scenario.BASIC) {
            return List.of(new DemoPublisher.Phase(normal.stream(options.sessions()), 0, options::rate, t -> { }));
        }
        long n = options.events();
        long before = n == 0 ? 300 : Math.max(20, n / 5);
        long shiftedForTraining = n == 0 ? 600 : Math.max(60, n * 2 / 5);
        var shifted = new TrafficGenerator(options.seed() + 2, options.anomalyRate(), true).stream(options.sessions());
        AtomicReference<Instant> shiftStart = new AtomicReference<>();
        double fast = options.rate() > 0 ? options.rate() : 200;
        return List.of(
                new DemoPublisher.Phase(normal.stream(options.sessions()), before, () -> 0, t -> { }),
                new DemoPublisher.Phase(shifted, shiftedForTraining, () -> 0, t -> {
                    shiftStart.set(t);
                    info.println("the traffic shifts: the shop's v2 services log in a new format");
                }),
                // while model 2 trains the traffic goes on, slower, so the switch can be seen between events
                new DemoPublisher.Phase(shifted, 0, () -> switched.get() ? fast : 5, t ->
                        sendTrainCommand(clientProps, registry, shiftStart.get())));
    }

    private void sendTrainCommand(Map<String, Object> clientProps, SchemaRegistry registry, Instant from) {
        String id = "demo-retrain-" + Instant.now().toEpochMilli();
        TrainCommand command = TrainCommand.newBuilder().setCommandId(id).setTopic(ScorerConfig.DEFINITION
                        .defaultValues().get(ScorerConfig.INPUT_TOPIC).toString())
                .setFromTimestamp(from).setFineTune(true).setEpochs(3)
                // after a shift most new lines are flagged: keep them, leave out only known anomalies
                .setExcludeFlagged(false).setExcludeLabels(Map.of("anomalous", "1"))
                .setPromotion(PromotionPolicy.AUTO_IF_BETTER).build();
        try (KafkaProducer<String, TrainCommand> producer = new KafkaProducer<>(clientProps, new StringSerializer(),
                AvroSerdes.value(TrainCommand.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(ReleaseTopics.DEFAULT.commands(), id, command)).get();
            info.println("sent train command " + id + ": fine-tune on text-events since " + from);
        } catch (Exception e) {
            throw new IllegalStateException("cannot send the train command", e);
        }
    }

    /** Makes the demo model the promoted release, so that training can fine-tune from it. */
    private void promoteIfNeeded(Map<String, Object> clientProps, SchemaRegistry registry, LanguageModel model) {
        boolean promoted = ReleaseLog.promoted(ReleaseLog.read(clientProps, registry, ReleaseTopics.DEFAULT))
                .map(r -> r.getVersion().equals(model.version())).orElse(false);
        if (promoted) {
            return;
        }
        Map<String, Object> props = new java.util.HashMap<>(clientProps);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
        double perplexity = model.manifest().metrics().validationPerplexity();
        ModelRelease release = ModelReleases.of(model, "demo", null, null, ReleaseStatus.PROMOTED, perplexity, null);
        try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.value(ModelRelease.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(ReleaseTopics.DEFAULT.releases(), model.version(), release)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish the demo model's release", e);
        }
    }

    private void announceSwitch(Map<String, Object> clientProps, SchemaRegistry registry, ScoredEvent first) {
        Instant visible = Instant.now();
        ReleaseLog.promoted(ReleaseLog.read(clientProps, registry, ReleaseTopics.DEFAULT))
                .filter(r -> r.getVersion().equals(first.getModelVersion()) && r.getPromotedAt() != null)
                .ifPresent(r -> info.printf(Locale.ROOT, "first event scored by %s visible %d ms after its promotion "
                                + "(held-out perplexity %.3f, was %.3f with %s)%n", r.getVersion(),
                        Duration.between(r.getPromotedAt(), visible).toMillis(), r.getHeldOutPerplexity(),
                        r.getParentHeldOutPerplexity() == null ? Double.NaN : r.getParentHeldOutPerplexity(),
                        r.getParentVersion()));
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
        info.printf(Locale.ROOT, "%nscored %d events (%d distinct, %d tokens); first score %.1f s after start; "
                        + "%.0f tokens/s, %.0f events/s from first to last score%n",
                r.events(), r.distinctEvents(), r.tokens(), r.secondsToFirstScore(),
                r.scoringSeconds() > 0 ? r.tokens() / r.scoringSeconds() : 0,
                r.scoringSeconds() > 0 ? r.events() / r.scoringSeconds() : 0);
        info.printf(Locale.ROOT, "flagged %d events; of the %d injected anomalies %d were flagged, "
                + "and %d other events were flagged%n", r.anomalies(), r.injected(), r.injectedFlagged(),
                r.anomalies() - r.injectedFlagged());
        if (shifting()) {
            r.byVersion().forEach((version, v) -> info.printf(Locale.ROOT,
                    "model %s scored %d events; mean perplexity of the shifted traffic: %.2f (%d events)%n",
                    version, v.events(), v.meanShiftedPerplexity(), v.shiftedEvents()));
        }
    }


    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Running counts for the closing summary. */
    private static final class Tally {
        private final java.util.Set<String> ids = new java.util.HashSet<>();
        private final Map<String, VersionTally> byVersion = new java.util.LinkedHashMap<>();
        private long events;
        private long tokens;
        private long anomalies;
        private long injected;
        private long injectedFlagged;
        private long firstNanos;
        private long lastNanos;
        private double secondsToFirst;

        /** @return whether this is the first event scored by its model version after another one */
        boolean add(ScoredEvent e, String injectedKind, boolean shifted, long start) {
            long now = System.nanoTime();
            if (events == 0) {
                firstNanos = now;
                secondsToFirst = (now - start) / 1e9;
            }
            lastNanos = now;
            events++;
            ids.add(e.getEventId());
            tokens += e.getTokens().size();
            anomalies += e.getAnomalous() ? 1 : 0;
            if (injectedKind != null) {
                injected++;
                injectedFlagged += e.getAnomalous() ? 1 : 0;
            }
            boolean newVersion = !byVersion.isEmpty() && !byVersion.containsKey(e.getModelVersion());
            VersionTally v = byVersion.getOrDefault(e.getModelVersion(), new VersionTally(0, 0, 0));
            boolean counted = shifted && injectedKind == null;
            byVersion.put(e.getModelVersion(), new VersionTally(v.events() + 1, v.shiftedEvents() + (counted ? 1 : 0),
                    v.shiftedPerplexitySum() + (counted ? e.getEventPerplexity() : 0)));
            return newVersion;
        }

        Result result() {
            return new Result(events, ids.size(), tokens, anomalies, injected, injectedFlagged, secondsToFirst,
                    (lastNanos - firstNanos) / 1e9, Map.copyOf(byVersion));
        }
    }
}
