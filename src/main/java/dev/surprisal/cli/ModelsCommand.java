package dev.surprisal.cli;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.shadow.ShadowTrials;
import dev.surprisal.stream.ScorerConfig;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

@Command(name = "models", mixinStandardHelpOptions = true,
        footer = {"%nExamples:", "  java -jar surprisal.jar models list", "  java -jar surprisal.jar models promote v20261126190404-a1043286"},
        description = "Model releases: list, promote, request training.",
        subcommands = {ModelsCommand.ListReleases.class, ModelsCommand.Promote.class, ModelsCommand.Shadow.class,
                ModelsCommand.RequestTraining.class})
final class ModelsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the releases on model-releases.")
    static final class ListReleases implements Runnable {
        @Mixin
        ClusterOptions cluster;

        @Override
        public void run() {
            Map<String, Object> props = cluster.clientProperties();
            Map<String, ModelRelease> releases = ReleaseLog.read(props, cluster.registry(props), ClusterOptions.releaseTopics());
            Optional<ModelRelease> current = ReleaseLog.promoted(releases);
            System.out.printf(Locale.ROOT, "%-2s %-26s %-10s %-8s %12s %10s  %s%n", "", "version", "status", "tokens",
                    "perplexity", "threshold", "created");
            for (ModelRelease r : releases.values()) {
                boolean inUse = current.isPresent() && current.get().getVersion().equals(r.getVersion());
                System.out.printf(Locale.ROOT, "%-2s %-26s %-10s %-8s %12.3f %10.3f  %s%n", inUse ? "*" : "",
                        r.getVersion(), r.getStatus(), r.getTokenizer(), r.getHeldOutPerplexity(),
                        r.getAnomalyThreshold(), r.getCreatedAt());
            }
            if (releases.isEmpty()) {
                System.out.println("no releases on " + ClusterOptions.releaseTopics().releases());
            }
            Map<String, ShadowTrial> trials = ShadowTrials.read(props, cluster.registry(props),
                    ClusterOptions.releaseTopics());
            if (!trials.isEmpty()) {
                System.out.println();
                System.out.println("shadow trials:");
            }
            for (ShadowTrial t : trials.values()) {
                System.out.printf(Locale.ROOT, "   %-26s %-9s vs %s, %d/%d events, since %s%s%n", t.getCandidateVersion(),
                        t.getState(), t.getPromotedVersion(), t.getComparedEvents(), t.getEvents(), t.getRequestedAt(),
                        t.getReason().isEmpty() ? "" : ": " + t.getReason());
            }
        }
    }

    @Command(name = "shadow", mixinStandardHelpOptions = true,
            description = "Scores a candidate release live beside the promoted one (its scores go to a shadow topic); "
                    + "the trainer promotes or rejects it once both scored enough events.")
    static final class Shadow implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", description = "Candidate version.")
        String version;

        @Option(names = "--events", defaultValue = "200", description = "Events both must score before deciding.")
        int events;

        @Option(names = "--live-topic", defaultValue = ScorerConfig.DEFAULT_OUTPUT_TOPIC,
                description = "The scorers' output topic.")
        String liveTopic;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> props = cluster.clientProperties();
            SchemaRegistry registry = cluster.registry(props);
            Map<String, ModelRelease> releases = ReleaseLog.read(props, registry, ClusterOptions.releaseTopics());
            Optional<ModelRelease> promoted = ReleaseLog.promoted(releases);
            if (!releases.containsKey(version) || promoted.isEmpty()) {
                System.err.println(!releases.containsKey(version) ? "no release " + version
                        : "no promoted release to compare with");
                return 1;
            }
            ShadowTrial trial = ShadowTrials.begin(props, registry, ClusterOptions.releaseTopics(), version,
                    promoted.get().getVersion(), liveTopic, events);
            System.out.println("shadow trial of " + version + " against " + promoted.get().getVersion()
                    + " started; its scores go to " + trial.getShadowTopic() + "; `models list` shows it");
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
            description = "Promotes a release: every scorer switches to it between two events.")
    static final class Promote implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Parameters(index = "0", description = "Version to promote.")
        String version;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> props = cluster.clientProperties();
            SchemaRegistry registry = cluster.registry(props);
            ModelRelease release = ReleaseLog.read(props, registry, ClusterOptions.releaseTopics()).get(version);
            if (release == null) {
                System.err.println("no release " + version + " on " + ClusterOptions.releaseTopics().releases());
                return 1;
            }
            ModelReleases.load(release).close();
            ReleaseLog.publish(props, registry, ClusterOptions.releaseTopics(), ModelReleases.promoted(release));
            System.out.println("promoted " + version);
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Sends a TrainCommand to the trainer service (see trainer-status for progress).")
    static final class RequestTraining implements java.util.concurrent.Callable<Integer> {
        @Mixin
        ClusterOptions cluster;

        @Option(names = "--command-id", description = "Default: a new UUID.")
        String commandId = UUID.randomUUID().toString();

        @Option(names = "--topic", defaultValue = ScorerConfig.DEFAULT_INPUT_TOPIC)
        String topic;

        @Option(names = "--from", description = "First event time included (ISO-8601, e.g. 2026-11-26T10:00:00Z).")
        Instant from;

        @Option(names = "--to", description = "Last event time included (ISO-8601).")
        Instant to;

        @Option(names = "--fine-tune", description = "Start from the promoted model.")
        boolean fineTune;

        @Option(names = "--epochs")
        Integer epochs;

        @Option(names = "--hidden")
        Integer hidden;

        @Option(names = "--tokenizer")
        String tokenizer;

        @Option(names = "--candidate", description = "Leave the model as a candidate instead of promoting it if better.")
        boolean candidate;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> props = cluster.clientProperties();
            TrainCommand command = TrainCommand.newBuilder().setCommandId(commandId).setTopic(topic)
                    .setFromTimestamp(from).setToTimestamp(to).setFineTune(fineTune).setEpochs(epochs)
                    .setHiddenSize(hidden).setTokenizer(tokenizer)
                    .setPromotion(candidate ? PromotionPolicy.CANDIDATE : PromotionPolicy.AUTO_IF_BETTER).build();
            try (KafkaProducer<String, TrainCommand> producer = new KafkaProducer<>(props, new StringSerializer(),
                    AvroSerdes.value(TrainCommand.class, cluster.registry(props)).serializer())) {
                producer.send(new ProducerRecord<>(ClusterOptions.releaseTopics().commands(), commandId, command)).get();
            }
            System.out.println("sent train command " + commandId);
            return 0;
        }
    }
}
