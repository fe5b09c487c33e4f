package dev.surprisal.cli;

import dev.surprisal.config.DefaultTopics;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.retraining.TrainerService;
import dev.surprisal.shadow.ShadowJudge;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.training.ConsoleProgress;

import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "trainer", mixinStandardHelpOptions = true,
        footer = {"%nExample:", "  java -jar surprisal.jar trainer --bootstrap-servers broker:9092 \\", "      --schema-registry-url http://registry:8081"},

        description = "Runs the trainer service: trains on TrainCommands from trainer-commands, reports on "
                + "trainer-status and publishes ModelReleases to model-releases.")
final class TrainerCommand implements Callable<Integer> {

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--anomalies-topic", description = "Where flagged events are found, for commands that leave "
            + "them out (env SURPRISAL_ANOMALIES_TOPIC; default " + DefaultTopics.ANOMALIES + ").")
    String anomaliesTopic;

    @Option(names = "--replication-factor", defaultValue = "-1",
            description = "Replication of the lifecycle topics created if missing (-1: the broker's default).")
    short replication;

    @Override
    public Integer call() {
        Map<String, Object> props = cluster.clientProperties();
        TrainerConfig config = cluster.trainerConfig(anomaliesTopic == null ? Map.of()
                : Map.of(TrainerConfig.ANOMALIES_TOPIC, anomaliesTopic));
        SchemaRegistry registry = cluster.registry(props);
        try (Admin admin = Admin.create(props)) {
            TopicSetup.ensure(admin, config.releaseTopics().all(replication), true);
        }
        try (ShutdownSignal shutdown = new ShutdownSignal();
             TrainerService trainer = new TrainerService(props, registry, config,
                     ConsoleProgress.toStandardError())) {
            System.err.println("trainer waiting for commands on " + config.releaseTopics().commands() + " at "
                    + props.get(ScorerConfig.BOOTSTRAP_SERVERS) + "; judging shadow trials on "
                    + config.releaseTopics().shadow());
            ShadowJudge judge = new ShadowJudge(props, registry, config.releaseTopics(),
                    ShadowJudge.DEFAULT_MAX_WAIT, trial -> { });
            Thread judging = new Thread(() -> judge.run(shutdown::requested), "shadow-judge");
            judging.setDaemon(true);
            judging.start();
            trainer.run(shutdown::requested);
        }
        return 0;
    }
}
