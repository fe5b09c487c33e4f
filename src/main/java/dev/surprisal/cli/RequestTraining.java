package dev.surprisal.cli;

import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.kafka.SkipUnreadable;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.retraining.CommandValidation;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        footer = {"%nExamples:",
                "  java -jar surprisal.jar models train --topic text-events --from \\", "      2026-11-26T10:00:00Z --fine-tune --shadow",
                "  java -jar surprisal.jar models train --topic raw-logs --tokenizer \\", "      template --exclude-label anomalous=1 --wait"},
        description = "Sends a TrainCommand to the trainer service; with --wait, follows trainer-status until it ends.")
final class RequestTraining implements Callable<Integer> {

    /** States after which a command's status changes no more (DUPLICATE answers a repeated id with the first outcome). */
    private static final EnumSet<TrainerState> ENDED = EnumSet.of(TrainerState.PUBLISHED, TrainerState.FAILED,
            TrainerState.INVALID, TrainerState.DUPLICATE);
    private static final Duration POLL = Duration.ofMillis(500);

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--command-id", description = "Default: a new UUID.")
    String commandId = UUID.randomUUID().toString();

    @Option(names = "--topic", defaultValue = ScorerConfig.DEFAULT_INPUT_TOPIC, description = "Topic of TextEvents to train on.")
    String topic;

    @Option(names = "--from", description = "First event time included (ISO-8601, e.g. 2026-11-26T10:00:00Z).")
    Instant from;

    @Option(names = "--to", description = "Last event time included (ISO-8601).")
    Instant to;

    @Option(names = "--fine-tune", description = "Start from the promoted model.")
    boolean fineTune;

    @Option(names = "--tokenizer", description = "From scratch: one of byte, word, whitespace, keys, template (default byte).")
    String tokenizer;

    @Option(names = "--epochs", description = "Cap on epochs (default 60; training stops earlier when validation loss stops improving).")
    Integer epochs;

    @Option(names = "--hidden", description = "Hidden size (default: chosen from the tokenizer and corpus size).")
    Integer hidden;

    @Option(names = "--time-budget", description = "Stop training after this long and keep the best epoch "
            + "(ISO-8601, e.g. PT30M; default: the trainer's trainer.time.budget.ms, 2 h).")
    Duration timeBudget;

    @Option(names = "--exclude-label", description = "Leave out events carrying this label, KEY=VALUE (repeatable), "
            + "e.g. anomalous=1.")
    Map<String, String> excludeLabels;

    @Option(names = "--keep-flagged", description = "Train on the events the scorer flagged too (by default they are "
            + "left out; after a format change they are what must be learned).")
    boolean keepFlagged;

    @ArgGroup(exclusive = true)
    Promotion promotion = new Promotion();

    static final class Promotion {
        @Option(names = "--candidate", description = "Leave the model as a candidate instead of promoting it if better.")
        boolean candidate;

        @Option(names = "--shadow", description = "Let a live shadow trial decide (see models shadow).")
        boolean shadow;
    }

    @Option(names = "--wait", description = "Follow trainer-status: print each epoch and the outcome; exit 0 only "
            + "when a model was published.")
    boolean await;

    @Option(names = "--wait-timeout", defaultValue = "PT2H", description = "How long --wait follows (ISO-8601).")
    Duration waitTimeout;

    @Override
    public Integer call() throws Exception {
        TrainCommand command = TrainCommand.newBuilder().setCommandId(commandId).setTopic(topic)
                .setFromTimestamp(from).setToTimestamp(to).setFineTune(fineTune).setEpochs(epochs)
                .setHiddenSize(hidden).setTokenizer(tokenizer).setExcludeFlagged(!keepFlagged)
                .setTimeBudgetSeconds(timeBudget == null ? null : timeBudget.toSeconds())
                .setExcludeLabels(excludeLabels == null ? null : Map.copyOf(excludeLabels))
                .setPromotion(promotion.candidate ? PromotionPolicy.CANDIDATE
                        : promotion.shadow ? PromotionPolicy.SHADOW : PromotionPolicy.AUTO_IF_BETTER).build();
        String problem = CommandValidation.problem(command);
        if (problem != null) {
            err().println(problem);
            return 2;
        }
        Map<String, Object> props = cluster.clientProperties();
        SchemaRegistry registry = cluster.registry(props);
        String statusTopic = cluster.releaseTopics().status();
        try (KafkaConsumer<String, TrainerStatus> statuses = await ? statusReader(props, registry, statusTopic) : null) {
            try (KafkaProducer<String, TrainCommand> producer = new KafkaProducer<>(props, new StringSerializer(),
                    AvroSerdes.value(TrainCommand.class, registry).serializer())) {
                producer.send(new ProducerRecord<>(cluster.releaseTopics().commands(), commandId, command)).get();
            }
            out().println("sent train command " + commandId);
            if (statuses != null && statuses.assignment().isEmpty()) {
                err().println(statusTopic + " does not exist yet (has a trainer run on this cluster?): not waiting");
                return 3;
            }
            return statuses == null ? 0 : follow(statuses);
        }
    }

    /** A reader of the status topic placed at its end before the command is sent, so no status of it is missed. */
    private static KafkaConsumer<String, TrainerStatus> statusReader(Map<String, Object> clientProps,
                                                                   SchemaRegistry registry, String statusTopic) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, TrainerStatus> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                SkipUnreadable.of(AvroSerdes.value(TrainerStatus.class, registry).deserializer(), "a TrainerStatus"));
        List<TopicPartition> partitions = consumer.partitionsFor(statusTopic).stream()
                .map(p -> new TopicPartition(statusTopic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private int follow(KafkaConsumer<String, TrainerStatus> statuses) {
        long deadline = System.nanoTime() + waitTimeout.toNanos();
        int epoch = -1;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, TrainerStatus> r : statuses.poll(POLL)) {
                TrainerStatus s = r.value();
                if (s == null || !commandId.equals(s.getCommandId())) {
                    continue;
                }
                if (s.getState() == TrainerState.TRAINING) {
                    if (s.getEpoch() != epoch) {
                        epoch = s.getEpoch();
                        out().printf(Locale.ROOT, "training: epoch %d of at most %d, loss %.3f, about %d s left%n", epoch,
                                s.getEpochs(), s.getLoss(), s.getEtaSeconds());
                    }
                    continue;
                }
                out().println(s.getState() + (s.getModelVersion() != null ? " " + s.getModelVersion() : "")
                        + (s.getMessage().isEmpty() ? "" : ": " + s.getMessage()));
                if (ENDED.contains(s.getState())) {
                    // a repeated id is answered with the first outcome, which names a version only if it published one
                    return s.getModelVersion() != null ? 0 : 1;
                }
            }
        }
        err().println("no outcome for " + commandId + " within " + waitTimeout + "; it may still be training");
        return 3;
    }
}
