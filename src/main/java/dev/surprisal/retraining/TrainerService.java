package dev.surprisal.retraining;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Trains models on command. Commands arrive on {@code trainer-commands}; progress and outcomes go
 * to {@code trainer-status}; models go to {@code model-releases} only once fully trained and
 * evaluated, so a crash never publishes anything partial. A command id is processed once: its
 * outcome is remembered on {@code trainer-status}, which is read back at start.
 */
public final class TrainerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(1);

    private final Map<String, Object> clientProps;
    private final SchemaRegistry registry;
    private final String anomaliesTopic;
    private final ReleaseTopics topics;
    private final TrainingProgress.Listener console;
    private final StatusLog log;
    private final KafkaProducer<String, ModelRelease> releases;

    public TrainerService(Map<String, Object> clientProps, SchemaRegistry registry, TrainerConfig config,
                          TrainingProgress.Listener console) {
        this.clientProps = clientProps;
        this.registry = registry;
        this.anomaliesTopic = config.anomaliesTopic();
        this.topics = config.releaseTopics();
        this.console = console;
        this.log = new StatusLog(clientProps, registry, topics.status());
        Map<String, Object> producerProps = new HashMap<>(clientProps);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
        this.releases = new KafkaProducer<>(producerProps, new StringSerializer(),
                AvroSerdes.value(ModelRelease.class, registry).serializer());
        log.recover(clientProps, registry);
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
                        log.publish(StatusLog.status(id, TrainerState.INVALID, "unreadable command: " + e.getMessage()));
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
        TrainerStatus earlier = log.outcome(command.getCommandId());
        if (earlier != null) {
            TrainerStatus duplicate = StatusLog.status(command.getCommandId(), TrainerState.DUPLICATE,
                    "command " + command.getCommandId() + " was already processed: " + earlier.getState()
                            + (earlier.getModelVersion() != null ? " " + earlier.getModelVersion() : "")
                            + (earlier.getMessage().isEmpty() ? "" : " (" + earlier.getMessage() + ")"));
            duplicate.setModelVersion(earlier.getModelVersion());
            log.publishOnly(duplicate);
            return earlier;
        }
        String problem = CommandValidation.problem(command);
        if (problem != null) {
            return log.publish(StatusLog.status(command.getCommandId(), TrainerState.INVALID, problem));
        }
        log.publish(StatusLog.status(command.getCommandId(), TrainerState.ACCEPTED, "reading the training text"));
        try {
            return train(command);
        } catch (IllegalArgumentException e) {
            return log.publish(StatusLog.status(command.getCommandId(), TrainerState.INVALID, e.getMessage()));
        } catch (IOException | MalformedModelException | ModelReleases.InvalidReleaseException | RuntimeException e) {
            LOG.error("command {} failed", command.getCommandId(), e);
            return log.publish(StatusLog.status(command.getCommandId(), TrainerState.FAILED, "training failed: " + e));
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
            Double parentPerplexity = parent == null ? null : Promotion.comparable(parent, model, heldOut);
            ReleaseStatus verdict = Promotion.verdict(command, perplexity, parentPerplexity);
            ModelRelease release = ModelReleases.of(model, command.getModelName(),
                    parent == null ? null : parent.version(), command.getCommandId(), verdict, perplexity,
                    parentPerplexity);
            StatusLog.sendAndWait(releases, new ProducerRecord<>(topics.releases(), release.getVersion(), release));
            TrainerStatus published = StatusLog.status(command.getCommandId(), TrainerState.PUBLISHED, String.format(Locale.ROOT,
                    "%s %s: held-out perplexity %.3f%s", verdict.name().toLowerCase(Locale.ROOT), model.version(),
                    perplexity, parentPerplexity == null ? "" : String.format(Locale.ROOT, " vs %.3f for %s",
                            parentPerplexity, parent.version())));
            published.setModelVersion(model.version());
            return log.publish(published);
        }
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
        log.publish(StatusLog.status(command.getCommandId(), TrainerState.ACCEPTED, String.format(Locale.ROOT,
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
                TrainerStatus s = StatusLog.status(command.getCommandId(), TrainerState.TRAINING, "training");
                s.setEpoch(p.epoch());
                s.setEpochs(p.epochs());
                s.setStep(p.step());
                s.setTotalSteps(p.totalSteps());
                s.setLoss(p.loss());
                s.setTokensPerSecond(p.tokensPerSecond());
                s.setEtaSeconds(p.eta().toSeconds());
                log.publish(s);
            }
        };
    }

    @Override
    public void close() {
        log.close();
        releases.close(Duration.ofSeconds(5));
    }
}
