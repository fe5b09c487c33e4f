package dev.surprisal.cli;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.ops.OpsServer;
import dev.surprisal.registry.RestSchemaRegistry;
import dev.surprisal.stream.ModelProvider;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.stream.TopicSetup;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Runs the scorer against a Kafka cluster until stopped (Ctrl-C / SIGTERM).")
final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--model", required = true, description = "Model directory (from train) or artifact zip.")
    Path model;

    @Option(names = "--set", description = "Any scorer setting, key=value (see README: Configuration).")
    Map<String, String> settings = new HashMap<>();

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of topics created if missing.")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "-1",
            description = "Replication of topics created if missing (-1: the broker's default).")
    short replication;

    @Option(names = "--no-create-topics", description = "Only verify that the topics exist.")
    boolean noCreateTopics;

    @Override
    public Integer call() throws Exception {
        ScorerConfig config = ScorerConfig.fromEnvironment(System.getenv(), overrides());
        try (ShutdownSignal shutdown = new ShutdownSignal();
             LanguageModel languageModel = ModelArtifact.load(model)) {
            try (Admin admin = Admin.create(config.clientProperties())) {
                List<String> created = TopicSetup.ensure(admin, ScorerTopics.all(config, partitions, replication),
                        !noCreateTopics);
                if (!created.isEmpty()) {
                    spec.commandLine().getErr().println("created topics " + created);
                }
            }
            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ModelProvider models = ModelProvider.fixed(languageModel);
            try (OpsServer ops = OpsServer.start(config, models, prometheus);
                 ScorerService scorer = ScorerService.start(config, models,
                         RestSchemaRegistry.fromProperties(config.clientProperties()), new ScorerMetrics(prometheus),
                         Duration.ofMinutes(5))) {
                ops.attach(scorer.streams());
                spec.commandLine().getErr().println(String.format("scoring %s -> %s with model %s; metrics, health and sessions on port %d",
                        config.inputTopic(), config.outputTopic(), languageModel.version(), ops.port()));
                shutdown.await();
                spec.commandLine().getErr().println("stopping the scorer");
            } finally {
                prometheus.close();
            }
        }
        return 0;
    }

    private Map<String, Object> overrides() {
        Map<String, Object> out = new HashMap<>();
        cluster.clientProperties().forEach((key, value) -> {
            boolean own = ScorerConfig.DEFINITION.names().contains(key);
            out.put(own ? key : ScorerConfig.KAFKA_PREFIX + key, value);
        });
        out.putAll(settings);
        return out;
    }
}
