package dev.surprisal.retraining;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.kafka.LogReader;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.CorpusReader;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;
import dev.surprisal.training.TrainingProgress;

import ai.djl.MalformedModelException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Trains models on command. Commands arrive on {@code trainer-commands}; progress and outcomes go
 * to {@code trainer-status}; models go to {@code model-releases} only once fully trained and
 * evaluated, so a crash never publishes anything partial. A command id is processed once: its
 * outcome is remembered on {@code trainer-status}, which is read back at start.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final EnumSet<TrainerState> FINAL = EnumSet.of(TrainerState.PUBLISHED, TrainerState.FAILED,
            TrainerState.INVALID);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(1);

    private final Map<String, Object> clientProps;
    private final SchemaRegistry registry;
    private final String anomaliesTopic;
    private final ReleaseTopics topics;
    private final TrainingProgress.Listener console;
    private final KafkaProducer<String, TrainerStatus> status;
    private final KafkaProducer<String, ModelRelease> releases;
    private final Map<String, TrainerStatus> outcomes = new HashMap<>();

    public TrainerService(Map<String, Object> clientProps, SchemaRegistry registry, TrainerConfig config,
                          TrainingProgress.Listener console) {
        this.clientProps = clientProps;
        this.registry = registry;
        this.anomaliesTopic = config.anomaliesTopic();
        this.topics = config.releaseTopics();
        this.console = console;
        Map<String, Object> producerProps = new HashMap<>(clientProps);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.status = new KafkaProducer<>(producerProps, new StringSerializer(),
                AvroSerdes.value(TrainerStatus.class, registry).serializer());
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
        this.releases = new KafkaProducer<>(producerProps, new StringSerializer(),
                AvroSerdes.value(ModelRelease.class, registry).serializer());
        recover();
    }

    /** Reads every command's last status; one left in progress means the trainer died during it. */
    private void recover() {
        Deserializer<TrainerStatus> reader = AvroSerdes.value(TrainerStatus.class, registry).deserializer();
        for (ConsumerRecord<String, byte[]> r : readAll(topics.status())) {
            try {
                TrainerStatus s = reader.deserialize(r.topic(), r.value());
                if (s.getState() != TrainerState.DUPLICATE && s.getState() != TrainerState.RELEASE_REJECTED) {
                    outcomes.put(s.getCommandId(), s);
                }
            } catch (SerializationException e) {
                LOG.warn("unreadable record on {} at offset {}", r.topic(), r.offset());
            }
        }
        outcomes.values().stream().filter(s -> !FINAL.contains(s.getState())).toList().forEach(s ->
                publish(status(s.getCommandId(), TrainerState.FAILED,
                        "the trainer stopped while this command was " + s.getState().name().toLowerCase(Locale.ROOT)
                                + "; nothing was published. Send the command again with a new id to retry.")));
    }

    /** Takes commands until {@code stop} says so. */
    public void run(BooleanSupplier stop) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "surprisal-trainer");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        // training outlasts the default poll interval; one command at a time, committed when done
        props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofHours(6).toMillis());
        Deserializer<TrainCommand> commands = AvroSerdes.value(TrainCommand.class, registry).deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topics.commands()));
            while (!stop.getAsBoolean()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    TrainCommand command;
                    try {
                        command = commands.deserialize(r.topic(), r.value());
                    } catch (SerializationException e) {
                        String id = r.key() != null ? r.key() : "offset-" + r.offset();
                        publish(status(id, TrainerState.INVALID, "unreadable command: " + e.getMessage()));
                        consumer.commitSync();
                        continue;
                    }
                    handle(command);
                    consumer.commitSync();
                }
            }
        }
    }

    /** Processes one command (or answers a repeated one) and returns its final status. */
    public TrainerStatus handle(TrainCommand command) {
        TrainerStatus earlier = outcomes.get(command.getCommandId());
        if (earlier != null) {
            TrainerStatus duplicate = status(command.getCommandId(), TrainerState.DUPLICATE,
                    "command " + command.getCommandId() + " was already processed: " + earlier.getState()
                            + (earlier.getModelVersion() != null ? " " + earlier.getModelVersion() : "")
                            + (earlier.getMessage().isEmpty() ? "" : " (" + earlier.getMessage() + ")"));
            duplicate.setModelVersion(earlier.getModelVersion());
            publishOnly(duplicate);
            return earlier;
        }
        String problem = CommandValidation.problem(command);
        if (problem != null) {
            return publish(status(command.getCommandId(), TrainerState.INVALID, problem));
        }
        publish(status(command.getCommandId(), TrainerState.ACCEPTED, "reading the training text"));
        try {
            return train(command);
        } catch (IllegalArgumentException e) {
            return publish(status(command.getCommandId(), TrainerState.INVALID, e.getMessage()));
        } catch (IOException | MalformedModelException | ModelReleases.InvalidReleaseException | RuntimeException e) {
            LOG.error("command {} failed", command.getCommandId(), e);
            return publish(status(command.getCommandId(), TrainerState.FAILED, "training failed: " + e));
        }
    }

    private TrainerStatus train(TrainCommand command) throws IOException, MalformedModelException,
            ModelReleases.InvalidReleaseException {
        Corpus corpus = corpus(command);
        Optional<ModelRelease> parentRelease = ReleaseLog.promoted(ReleaseLog.read(clientProps, registry, topics));
        if (command.getFineTune() && parentRelease.isEmpty()) {
            throw new IllegalArgumentException("fineTune needs a promoted model, and there is none yet");
        }
        TrainingOptions options = CommandValidation.options(command);
        try (LanguageModel parent = parentRelease.isPresent() ? ModelReleases.load(parentRelease.get()) : null;
             LanguageModel model = new ModelTrainer(options, progressFor(command))
                     .train(corpus, command.getFineTune() ? parent : null)) {
            List<List<String>> heldOut = corpus.split(options.validationFraction(), options.seed()).validation().sessions();
            double perplexity = model.manifest().metrics().validationPerplexity();
            Double parentPerplexity = parent == null ? null : comparable(parent, model, heldOut);
            ReleaseStatus verdict = verdict(command, perplexity, parentPerplexity);
            ModelRelease release = ModelReleases.of(model, command.getModelName(),
                    parent == null ? null : parent.version(), command.getCommandId(), verdict, perplexity,
                    parentPerplexity);
            send(release);
            TrainerStatus published = status(command.getCommandId(), TrainerState.PUBLISHED, String.format(Locale.ROOT,
                    "%s %s: held-out perplexity %.3f%s", verdict.name().toLowerCase(Locale.ROOT), model.version(),
                    perplexity, parentPerplexity == null ? "" : String.format(Locale.ROOT, " vs %.3f for %s",
                            parentPerplexity, parent.version())));
            published.setModelVersion(model.version());
            return publish(published);
        }
    }

    /** The parent's perplexity on the same held-out text, on the new model's scale when tokenizers differ. */
    private static double comparable(LanguageModel parent, LanguageModel model, List<List<String>> heldOut) {
        CorpusScore parentScore = CorpusScore.of(parent, heldOut);
        if (parent.tokenizer().spec().type().equals(model.tokenizer().spec().type())) {
            return parentScore.perplexity();
        }
        // Different tokens: compare the bits each spends on the same text, per token of the new model.
        long tokens = CorpusScore.of(model, heldOut).tokens();
        return Math.pow(2, parentScore.totalBits() / tokens);
    }

    private static ReleaseStatus verdict(TrainCommand command, double perplexity, Double parentPerplexity) {
        if (command.getPromotion() == PromotionPolicy.CANDIDATE) {
            return ReleaseStatus.CANDIDATE;
        }
        boolean better = parentPerplexity == null || perplexity < parentPerplexity * (1 - command.getPromotionMargin());
        return better ? ReleaseStatus.PROMOTED : ReleaseStatus.REJECTED;
    }

    private Corpus corpus(TrainCommand command) throws IOException {
        if (command.getFile() != null) {
            Path file = Path.of(command.getFile());
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("file " + file + " is not readable by the trainer");
            }
            return CorpusReader.read(file, CorpusReader.Format.LINES, null, false);
        }
        TopicCorpus.Read read = TopicCorpus.read(clientProps, registry, command, anomaliesTopic);
        publish(status(command.getCommandId(), TrainerState.ACCEPTED, String.format(Locale.ROOT,
                "read %d events in %d sessions from %s; left out %d flagged, %d by label, %d unreadable",
                read.events(), read.corpus().sessions().size(), command.getTopic(), read.leftOutFlagged(),
                read.leftOutLabelled(), read.unreadable())));
        return read.corpus();
    }

    private TrainingProgress.Listener progressFor(TrainCommand command) {
        long[] last = {0};
        return p -> {
            console.onProgress(p);
            long now = System.nanoTime();
            if (now - last[0] >= STATUS_EVERY.toNanos() || p.step() == p.totalSteps()) {
                last[0] = now;
                TrainerStatus s = status(command.getCommandId(), TrainerState.TRAINING, "training");
                s.setEpoch(p.epoch());
                s.setEpochs(p.epochs());
                s.setStep(p.step());
                s.setTotalSteps(p.totalSteps());
                s.setLoss(p.loss());
                s.setTokensPerSecond(p.tokensPerSecond());
                s.setEtaSeconds(p.eta().toSeconds());
                publish(s);
            }
        };
    }

    private static TrainerStatus status(String commandId, TrainerState state, String message) {
        return TrainerStatus.newBuilder().setCommandId(commandId).setState(state).setMessage(message)
                .setTime(Instant.now()).build();
    }

    private TrainerStatus publish(TrainerStatus s) {
        outcomes.put(s.getCommandId(), s);
        publishOnly(s);
        if (FINAL.contains(s.getState())) {
            LOG.info("command {}: {} {}", s.getCommandId(), s.getState(), s.getMessage());
        }
        return s;
    }

    private void publishOnly(TrainerStatus s) {
        sendAndWait(status, new ProducerRecord<>(topics.status(), s.getCommandId(), s));
    }

    private void send(ModelRelease release) {
        sendAndWait(releases, new ProducerRecord<>(topics.releases(), release.getVersion(), release));
    }

    /** Status and releases are written synchronously: the trainer moves on only once they are stored. */
    private static <V> void sendAndWait(KafkaProducer<String, V> producer, ProducerRecord<String, V> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write to " + record.topic(), e.getCause());
        }
    }

    private List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        List<ConsumerRecord<String, byte[]>> out = new java.util.ArrayList<>();
        LogReader.readToEnd(clientProps, Map.of(), topic, new StringDeserializer(), new ByteArrayDeserializer(),
                Duration.ofSeconds(60), out::add);
        return out;
    }

    @Override
    public void close() {
        status.close(Duration.ofSeconds(5));
        releases.close(Duration.ofSeconds(5));
    }
}
