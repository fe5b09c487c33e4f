package dev.surprisal.cli;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
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
        subcommands = {ModelsCommand.ListReleases.class, ModelsCommand.Promote.class, ModelsCommand.RequestTraining.class})
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
            props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
            try (KafkaProducer<String, ModelRelease> producer = new KafkaProducer<>(props, new StringSerializer(),
                    AvroSerdes.value(ModelRelease.class, registry).serializer())) {
                producer.send(new ProducerRecord<>(ClusterOptions.releaseTopics().releases(), version, ModelReleases.promoted(release))).get();
            }
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
