package dev.surprisal.cli;

import dev.surprisal.kafka.Reachability;
import dev.surprisal.kafka.SharedTopics;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.node.ScorerNode;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.stream.ScorerConfig;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "score", mixinStandardHelpOptions = true,
        footer = {"%nExample:", "  java -jar surprisal.jar score --model models/app --bootstrap-servers \\", "      broker:9092 --schema-registry-url http://registry:8081"},

        description = "Runs the scorer against a Kafka cluster until stopped (Ctrl-C / SIGTERM).")
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--model", description = "Model directory (from train) or artifact zip to start with. Without it "
            + "the scorer waits for the newest promoted release on model-releases. Either way it switches to "
            + "releases promoted while it runs.")
    Path model;

    @Option(names = "--no-follow-releases", description = "Score with --model only; ignore model-releases.")
    boolean noFollow;

    @Option(names = "--set", description = "Any scorer setting, key=value (every setting: docs/configuration.md, or the settings command).")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of topics created if missing.")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "-1",
            description = "Replication of the topics created if missing and of Kafka Streams' internal topics "
                    + "(changelogs, repartition; unless kafka.replication.factor is set). -1: the brokers' default.")
    short replication;

    @Option(names = "--no-create-topics", description = "Only verify that the topics exist.")
    boolean noCreateTopics;

    @Override
    public Integer call() throws Exception {
        ScorerConfig config = ScorerConfig.fromEnvironment(System.getenv(), overrides());
        if (model == null && noFollow) {
            throw new IllegalArgumentException("--no-follow-releases needs --model");
        }
        // JSON in and out needs no registry: without one configured, the scorer keeps to --model
        boolean registryFree = !config.needsRegistry() && !cluster.registryConfigured()
                && !settings.containsKey(ScorerConfig.SCHEMA_REGISTRY_URL);
        if (registryFree && model == null) {
            throw new IllegalArgumentException("with " + config.input().format().id() + " input, JSON output and no "
                    + "schema registry, give --model: model releases come through a registry (--schema-registry-url)");
        }
        Reachability.require(config.clientProperties(), Reachability.WAIT);
        if (registryFree && !noFollow) {
            spec.commandLine().getErr().println("no schema registry configured: scoring with --model only (model "
                    + "releases, drift retraining and feedback need one: --schema-registry-url)");
        }
        boolean follow = !noFollow && !registryFree;
        SchemaRegistry registry = registryFree ? null : ClusterOptions.checkedRegistry(config.clientProperties());
        try (ShutdownSignal shutdown = new ShutdownSignal();
             LanguageModel initial = model == null ? null : ModelArtifact.load(model)) {
            try (Admin admin = Admin.create(config.clientProperties())) {
                List<String> created = TopicSetup.ensure(admin, ScorerNode.topics(config, partitions, replication, follow),
                        !noCreateTopics);
                if (!created.isEmpty()) {
                    spec.commandLine().getErr().println("created topics " + created);
                }
                String shared = sharedWith(admin, config);
                if (shared != null) {
                    spec.commandLine().getErr().println(shared);
                }
            }
            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ScorerNode.Wiring wiring = new ScorerNode.Wiring(config, registry, initial, follow,
                    m -> spec.commandLine().getErr().println("now scoring with model " + m.version()), report -> { },
                    () -> spec.commandLine().getErr().println("no --model given: waiting for a promoted release on "
                            + config.releaseTopics().releases() + ". Publish one with 'surprisal models train --topic "
                            + config.inputTopic() + "' (the trainer service must run) and promote it with 'surprisal "
                            + "models promote VERSION', or restart with --model DIR."), Duration.ofMinutes(5));
            try (ScorerNode node = ScorerNode.start(wiring, prometheus)) {
                spec.commandLine().getErr().println(String.format("scoring %s -> %s with model %s; metrics, health and "
                        + "sessions on port %d", config.inputTopic(), config.outputTopic(),
                        node.models().current().version(), node.port()));
                shutdown.await();
                spec.commandLine().getErr().println("stopping the scorer");
            } finally {
                prometheus.close();
            }
        }
        return 0;
    }

    /** One line when another application reads this scorer's input or writes its scores, else null. */
    static String sharedWith(Admin admin, ScorerConfig config) {
        Duration wait = Duration.ofSeconds(5);
        Set<String> readers = SharedTopics.readers(admin, config.inputTopic(), config.applicationId(), wait);
        Set<String> writers = SharedTopics.writers(admin, config.outputTopic(), config.applicationId(), wait);
        if (readers.isEmpty() && writers.isEmpty()) {
            return null;
        }
        List<String> uses = new ArrayList<>();
        if (!readers.isEmpty()) {
            uses.add(config.inputTopic() + " is also read by " + String.join(", ", readers));
        }
        if (!writers.isEmpty()) {
            uses.add(config.outputTopic() + " is also written by " + String.join(", ", writers));
        }
        String harm = writers.isEmpty() ? "Each application scores every event" : "Two applications on one scores "
                + "topic mix their records (Avro and JSON ones too)";
        return "warning: " + String.join(", and ", uses) + ". " + harm + ": give this scorer topics of its own (--set "
                + ScorerConfig.INPUT_TOPIC
                + "=... --set " + ScorerConfig.OUTPUT_TOPIC + "=... --set " + ScorerConfig.ANOMALIES_TOPIC + "=...), or "
                + "the same " + ScorerConfig.APPLICATION_ID + " (" + config.applicationId() + " now) to share the work.";
    }

    Map<String, Object> overrides() {
        Map<String, Object> out = new HashMap<>();
        cluster.clientProperties().forEach((key, value) -> {
            boolean own = ScorerConfig.DEFINITION.names().contains(key);
            out.put(own ? key : ScorerConfig.KAFKA_PREFIX + key, value);
        });
        out.putAll(settings);
        // one setting for every topic: the ones created here and Kafka Streams' own (changelogs, repartition)
        if (replication != -1) {
            out.putIfAbsent(ScorerConfig.KAFKA_PREFIX + StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) replication);
        }
        return out;
    }
}
