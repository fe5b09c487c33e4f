package dev.surprisal.demo;

import dev.surprisal.avro.Feedback;
import dev.surprisal.avro.FeedbackVerdict;
import dev.surprisal.avro.ModelHealth;
import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.feedback.FeedbackLog;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.AnomalyLabel;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's story through the model lifecycle: the demo model as the promoted release, the
 * traffic in phases, and, in the retrain scenario, the shift, the train command and the switch.
 */
final class RetrainScenario {

    private final DemoRunner.Options options;
    private final Map<String, Object> clientProps;
    private final SchemaRegistry registry;
    private final ReleaseTopics topics;
    private final String inputTopic;
    private final PrintStream info;
    private final AtomicReference<Instant> shiftStart = new AtomicReference<>();
    private final AtomicBoolean driftSeen = new AtomicBoolean();
    /** While a new model is being trained the traffic slows down, so that the switch is seen between events. */
    private final AtomicBoolean awaitingModel = new AtomicBoolean();
    private final AtomicBoolean featureOut = new AtomicBoolean();
    private final Map<String, long[]> featureLines = new java.util.LinkedHashMap<>();
    private String secondModel;
    private int marked;
    private boolean operatorAsked;
    /** Enough of the new line marked normal for a fine-tune to learn it from those alone (flagged ones stay out). */
    private static final int OPERATOR_MARKS = 30;

    RetrainScenario(DemoRunner.Options options, Map<String, Object> clientProps, SchemaRegistry registry,
                    ReleaseTopics topics, String inputTopic, PrintStream info) {
        this.options = options;
        this.clientProps = clientProps;
        this.registry = registry;
        this.topics = topics;
        this.inputTopic = inputTopic;
        this.info = info;
    }

    /** The traffic: one phase for the basic demo; for retrain, normal traffic, a shift, then the command. */
    List<DemoPublisher.Phase> phases(AtomicBoolean switched) {
        TrafficGenerator normal = new TrafficGenerator(options.seed() + 1, options.anomalyRate());
        if (options.scenario() == DemoRunner.Scenario.BASIC) {
            return List.of(new DemoPublisher.Phase(normal.stream(options.sessions()), 0, options::rate, t -> { }));
        }
        long n = options.events();
        // the drift story goes on after the switch (the operator's part): its first acts do not grow with N
        boolean drift = options.scenario() == DemoRunner.Scenario.DRIFT;
        long before = n == 0 || drift ? 300 : Math.max(20, n / 5);
        long shiftedForTraining = n == 0 || drift ? 600 : Math.max(60, n * 2 / 5);
        var shifted = new TrafficGenerator(options.seed() + 2, options.anomalyRate(), true)
                .withNewFeature(featureOut::get).stream(options.sessions());
        double fast = options.rate() > 0 ? options.rate() : 200;
        return List.of(
                new DemoPublisher.Phase(normal.stream(options.sessions()), before, () -> 0, t -> { }),
                new DemoPublisher.Phase(shifted, shiftedForTraining, () -> 0, t -> {
                    shiftStart.set(t);
                    awaitingModel.set(true);
                    info.println("the traffic shifts: the shop's v2 services log in a new format");
                }),
                // while model 2 trains the traffic goes on, slower, so the switch can be seen between events
                new DemoPublisher.Phase(shifted, 0, () -> awaitingModel.get() ? 5 : fast, t -> {
                    if (options.scenario() == DemoRunner.Scenario.RETRAIN) {
                        sendTrainCommand(shiftStart.get());
                    } else {
                        info.println("no command from the demo: the scorer's health watch is to notice by itself");
                    }
                }));
    }

    /** The drift story's health summaries: says when drift was first seen and when a command went out. */
    void onHealth(ModelHealth report) {
        Instant shift = shiftStart.get();
        String since = shift == null ? "" : String.format(Locale.ROOT, " %.1f s after the format change",
                Duration.between(shift, report.getWindowEnd()).toMillis() / 1000.0);
        if (report.getDrifting() && driftSeen.compareAndSet(false, true)) {
            info.printf(Locale.ROOT, "the health watch sees drift%s: %s%n", since, String.join("; ", report.getReasons()));
        }
        if (report.getTrainCommandId() != null) {
            info.printf(Locale.ROOT, "the health watch sent train command %s%s: fine-tune %s on the traffic since "
                    + "the drift began%n", report.getTrainCommandId(), since, report.getModelVersion());
        }
    }

    private void sendTrainCommand(Instant from) {
        String id = "demo-retrain-" + Instant.now().toEpochMilli();
        TrainCommand command = TrainCommand.newBuilder().setCommandId(id).setTopic(inputTopic)
                .setFromTimestamp(from).setFineTune(true).setEpochs(3)
                // after a shift most new lines are flagged: keep them, leave out only known anomalies
                .setExcludeFlagged(false).setExcludeLabels(AnomalyLabel.of(true))
                .setPromotion(PromotionPolicy.AUTO_IF_BETTER).build();
        send(command);
        info.println("sent train command " + id + ": fine-tune on " + inputTopic + " since " + from);
    }

    private void send(TrainCommand command) {
        try (KafkaProducer<String, TrainCommand> producer = new KafkaProducer<>(clientProps, new StringSerializer(),
                AvroSerdes.value(TrainCommand.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(topics.commands(), command.getCommandId(), command)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot send the train command", e);
        }
    }

    /** The shadow trial's outcome: the live comparison of the candidate with the serving model. */
    void onShadowDecision(ShadowTrial trial) {
        Instant shift = shiftStart.get();
        info.printf(Locale.ROOT, "shadow trial of %s %s%s: %s%n", trial.getCandidateVersion(),
                trial.getState().name().toLowerCase(Locale.ROOT), shift == null ? "" : String.format(Locale.ROOT,
                        " %.1f s after the format change", Duration.between(shift, trial.getDecidedAt()).toMillis() / 1000.0),
                trial.getReason());
    }

    /** Makes the demo model the promoted release, so that training can fine-tune from it. */
    void promoteIfNeeded(LanguageModel model) {
        boolean promoted = ReleaseLog.promoted(ReleaseLog.read(clientProps, registry, topics))
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
            producer.send(new ProducerRecord<>(topics.releases(), model.version(), release)).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot publish the demo model's release", e);
        }
    }

    /**
     * The drift story's second act, on every scored event: once model 2 serves, the shop turns on a
     * new feature whose log line model 2 flags; an operator marks the first flags of it as false
     * positives and asks for a fine-tune that leaves flagged events out except those marked normal.
     */
    void onScored(ScoredEvent e) {
        if (options.scenario() != DemoRunner.Scenario.DRIFT || !e.getText().contains(TrafficGenerator.NEW_FEATURE)) {
            return;
        }
        long[] counts = featureLines.computeIfAbsent(e.getModelVersion(), v -> new long[2]);
        counts[0]++;
        counts[1] += e.getAnomalous() ? 1 : 0;
        if (!e.getAnomalous() || !e.getModelVersion().equals(secondModel) || operatorAsked) {
            return;
        }
        try {
            FeedbackLog.publish(clientProps, registry, topics.feedback(), Feedback.newBuilder()
                    .setFeedbackId("demo-" + e.getEventId()).setEventId(e.getEventId()).setSessionId(e.getSessionId())
                    .setVerdict(FeedbackVerdict.NORMAL).setBy("demo operator")
                    .setReason("one-click checkout is a new feature, not an anomaly").setTime(Instant.now()).build());
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return;
        }
        if (++marked == 1) {
            info.println("an operator marks the flagged one-click checkout lines as normal (feedback)");
        }
        if (marked == OPERATOR_MARKS) {
            operatorAsked = true;
            awaitingModel.set(true);
            String id = "demo-operator-" + Instant.now().toEpochMilli();
            send(TrainCommand.newBuilder().setCommandId(id).setTopic(inputTopic).setFromTimestamp(shiftStart.get())
                    .setFineTune(true).setExcludeFlagged(true).setExcludeLabels(AnomalyLabel.of(true))
                    .setPromotion(PromotionPolicy.SHADOW).setShadowEvents(100)
                    .setReason("operator: " + OPERATOR_MARKS + " false positives marked normal").build());
            info.println("after " + OPERATOR_MARKS + " marks the operator asks for a fine-tune (" + id + "): flagged "
                    + "events are left out, except those marked normal; a shadow trial decides");
        }
    }

    /** How the new feature's line fared under each model. */
    void summariseFeedback() {
        featureLines.forEach((version, c) -> info.printf(Locale.ROOT,
                "the new feature's lines under model %s: %d of %d flagged (%.0f%%)%n", version, c[1], c[0],
                100.0 * c[1] / c[0]));
    }

    /** Says how long after its promotion the first event scored by a new model became visible. */
    void announceSwitch(ScoredEvent first) {
        awaitingModel.set(false);
        if (options.scenario() == DemoRunner.Scenario.DRIFT && secondModel == null) {
            secondModel = first.getModelVersion();
            featureOut.set(true);
            info.println("the shop turns on one-click checkout: a new, legitimate log line");
        }
        Instant visible = Instant.now();
        ReleaseLog.promoted(ReleaseLog.read(clientProps, registry, topics))
                .filter(r -> r.getVersion().equals(first.getModelVersion()) && r.getPromotedAt() != null)
                .ifPresent(r -> {
                    info.printf(Locale.ROOT, "first event scored by %s visible %d ms after its promotion "
                                    + "(held-out perplexity %.3f, was %.3f with %s)%n", r.getVersion(),
                            Duration.between(r.getPromotedAt(), visible).toMillis(), r.getHeldOutPerplexity(),
                            r.getParentHeldOutPerplexity() == null ? Double.NaN : r.getParentHeldOutPerplexity(),
                            r.getParentVersion());
                    Instant shift = shiftStart.get();
                    if (shift != null) {
                        info.printf(Locale.ROOT, "promoted %.1f s after the format change%n",
                                Duration.between(shift, r.getPromotedAt()).toMillis() / 1000.0);
                    }
                    Double old = r.getMetrics().get("oldTextPerplexity");
                    // the operator's fine-tune (drift, third model) has model 2, of the new format, as its parent
                    boolean oldFormat = secondModel == null || r.getVersion().equals(secondModel);
                    if (old != null) {
                        info.printf(Locale.ROOT, "on model %s's own held-out text%s the new model scores perplexity "
                                        + "%.3f, the old one %.3f (%.0f replayed sessions in training)%n",
                                r.getParentVersion(), oldFormat ? " (the old format)" : "", old,
                                r.getMetrics().get("parentOldTextPerplexity"),
                                r.getMetrics().getOrDefault("replayedSessions", 0.0));
                    }
                });
    }
}
