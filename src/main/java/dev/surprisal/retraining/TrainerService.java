package dev.surprisal.retraining;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.feedback.FeedbackLog;
import dev.surprisal.input.InputSettings;
import dev.surprisal.kafka.Clients;
import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ReplaySample;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.FileFormat;
import dev.surprisal.shadow.ShadowTrials;
import dev.surprisal.tokenize.TemplateSettings;
import dev.surprisal.tokenize.Tokenizers;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final Duration timeBudget;
    private final long maxEvents;
    private final InputSettings input;
    private final String outputTopic;
    private final ReleaseTopics topics;
    private final TrainingProgress.Listener console;
    private final StatusLog log;
    private final KafkaProducer<String, ModelRelease> releases;

    public TrainerService(Map<String, Object> clientProps, SchemaRegistry registry, TrainerConfig config,
                          TrainingProgress.Listener console) {
        this.clientProps = clientProps;
        this.registry = registry;
        this.anomaliesTopic = config.anomaliesTopic();
        this.timeBudget = config.timeBudget();
        this.maxEvents = config.maxEvents();
        this.input = config.input();
        this.outputTopic = config.outputTopic();
        this.topics = config.releaseTopics();
        this.console = console;
        this.log = new StatusLog(clientProps, registry, topics.status());
        Map<String, Object> producerProps = Clients.durableProducer(clientProps);
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
        // and the coordinator's connection must outlast a training too (the client warns otherwise)
        props.put(ConsumerConfig.CONNECTIONS_MAX_IDLE_MS_CONFIG, Duration.ofHours(6).plusMinutes(1).toMillis());
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
        Corpus recent = corpus(command);
        Optional<ModelRelease> parentRelease = ReleaseLog.promoted(ReleaseLog.read(clientProps, registry, topics));
        if (command.getFineTune() && parentRelease.isEmpty()) {
            throw new IllegalArgumentException("fineTune needs a promoted model, and there is none yet");
        }
        try (LanguageModel parent = parentRelease.isPresent() ? ModelReleases.load(parentRelease.get()) : null) {
            TrainingOptions options = fromParent(CommandValidation.options(command, timeBudget), parent,
                    command.getFineTune());
            ReplaySample old = command.getFineTune() ? parent.replay().orElse(null) : null;
            Corpus training = recent;
            int replayed = 0;
            if (old != null && command.getReplayParentSample()) {
                // one old session per recent one at most: enough to remember, without doubling the cost twice over
                List<List<String>> mixed = new ArrayList<>(recent.sessions());
                replayed = Math.min(old.train().size(), recent.sessions().size());
                mixed.addAll(old.train().subList(0, replayed));
                training = new Corpus(mixed);
            }
            try (LanguageModel model = new ModelTrainer(options, progressFor(command))
                    .train(training, command.getFineTune() ? parent : null)) {
                return publish(command, parent, model, recentHeldOut(training, recent, options), old, replayed);
            }
        }
    }

    /**
     * What a command cannot say is taken from the promoted model. Its false-positive budget is the
     * deployment's, so a retrained model flags as often as the one it replaces. A fine-tune keeps the
     * parent's baseline order, as it keeps the baseline's weight. A template model trained from scratch
     * reads lines as the promoted template model does (log format, masks, similarity), not with the
     * header detector a command would otherwise get.
     */
    static TrainingOptions fromParent(TrainingOptions options, LanguageModel parent, boolean fineTune) {
        if (parent == null) {
            return options;
        }
        double budget = parent.manifest().thresholdPercentile();
        TrainingOptions inherited = budget > 0 && budget <= 100 ? options.withThresholdPercentile(budget) : options;
        if (fineTune) {
            inherited = inherited.withBaselineOrder(parent.baseline().map(KneserNey::order).orElse(0));
        }
        TemplateSettings templates = parent.tokenizer().spec().template();
        if (Tokenizers.TEMPLATE.equals(options.tokenizer()) && templates != null) {
            inherited = inherited.withTemplates(templates);
        }
        return inherited;
    }

    /** The held-out sessions of the training split that are recent traffic (not the parent's replayed text). */
    private static List<List<String>> recentHeldOut(Corpus training, Corpus recent, TrainingOptions options) {
        Set<List<String>> fromRecent = Collections.newSetFromMap(new IdentityHashMap<>());
        fromRecent.addAll(recent.sessions());
        List<List<String>> heldOut = training.split(options.heldOutFraction(training), options.seed()).validation()
                .sessions();
        List<List<String>> recentOnly = heldOut.stream().filter(fromRecent::contains).toList();
        return recentOnly.isEmpty() ? heldOut : recentOnly;
    }

    private TrainerStatus publish(TrainCommand command, LanguageModel parent, LanguageModel model,
                                  List<List<String>> heldOut, ReplaySample old, int replayed) {
        Promotion.Figures figures = Promotion.figures(parent, model, heldOut, old, replayed);
        ReleaseStatus verdict = Promotion.verdict(command, figures);
        ModelRelease release = ModelReleases.of(model, command.getModelName(),
                parent == null ? null : parent.version(), command.getCommandId(), verdict, figures.recent(),
                figures.parentRecent());
        Map<String, Double> metrics = new HashMap<>(release.getMetrics());
        metrics.putAll(figures.asMetrics());
        release.setMetrics(metrics);
        StatusLog.sendAndWait(releases, new ProducerRecord<>(topics.releases(), release.getVersion(), release));
        TrainerStatus published = StatusLog.status(command.getCommandId(), TrainerState.PUBLISHED,
                verdict.name().toLowerCase(Locale.ROOT) + " " + model.version() + ": " + figures.describe(
                        parent == null ? null : parent.version())
                        + (command.getReason() == null ? "" : " (asked for: " + command.getReason() + ")"));
        published.setModelVersion(model.version());
        if (command.getPromotion() == PromotionPolicy.SHADOW && verdict == ReleaseStatus.CANDIDATE) {
            try {
                ShadowTrials.begin(clientProps, registry, topics, model.version(), parent.version(), outputTopic,
                        command.getShadowEvents());
                published.setMessage(published.getMessage() + "; shadow trial started: scored live beside "
                        + parent.version() + " until " + command.getShadowEvents() + " events decide");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the shadow trial", e);
            }
        }
        return log.publish(published);
    }

    private Corpus corpus(TrainCommand command) throws IOException {
        if (command.getFile() != null) {
            Path file = Path.of(command.getFile());
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("file " + file + " is not readable by the trainer");
            }
            return CorpusReader.read(file, FileFormat.LINES, (java.util.regex.Pattern) null, false);
        }
        TopicCorpus.Read read = TopicCorpus.read(clientProps, registry, input, command, anomaliesTopic,
                FeedbackLog.read(clientProps, registry, topics.feedback()), maxEvents);
        String cut = read.slice().cut() ? String.format(Locale.ROOT, " (the newest %d of the range's %d offsets: "
                + "trainer.max.events)", read.slice().offsetsRead(), read.slice().offsetsInRange()) : "";
        log.publish(StatusLog.status(command.getCommandId(), TrainerState.ACCEPTED, String.format(Locale.ROOT,
                "read %d events in %d sessions from %s%s; left out %d flagged, %d by label, %d marked anomalous, "
                        + "%d unreadable; kept %d flagged events marked normal",
                read.events(), read.corpus().sessions().size(), command.getTopic(), cut, read.leftOutFlagged(),
                read.leftOutLabelled(), read.leftOutByFeedback(), read.unreadable(), read.keptByFeedback())));
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
