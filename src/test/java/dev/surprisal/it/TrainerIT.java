package dev.surprisal.it;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.demo.TrafficGenerator;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.retraining.TrainerConfig;
import dev.surprisal.retraining.TrainerService;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.TestClients;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.TrainingOptions;
import dev.surprisal.training.TrainingProgress;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer against a real broker. The release topics are shared, so commands carry unique ids. */
@Tag("integration")
@Timeout(300)
@ExtendWith(EmbeddedClusterExtension.class)
class TrainerIT {

    private static final String EVENTS = "trainer-it.events";
    private static InMemorySchemaRegistry registry;
    private static List<List<String>> normal;

    @BeforeAll
    static void publishTrainingText(EmbeddedKafkaBroker broker, InMemorySchemaRegistry shared) throws Exception {
        registry = shared;
        List<NewTopic> topics = new ArrayList<>(ReleaseTopics.DEFAULT.all((short) 1));
        topics.add(new NewTopic(EVENTS, 1, (short) 1));
        topics.add(new NewTopic("trainer-it.anomalies", 1, (short) 1));
        broker.createTopics(topics);
        normal = new TrafficGenerator(5, 0).normalSessions(40);
        List<TextEvent> events = new ArrayList<>();
        int id = 0;
        for (int s = 0; s < normal.size(); s++) {
            for (String text : normal.get(s)) {
                events.add(new TextEvent("n" + id++, "s" + s, text, Instant.now(), false, Map.of("anomalous", "0")));
            }
            // one labelled anomaly per session, which the command asks to leave out; it ends the session even so
            events.add(new TextEvent("a" + s, "s" + s, "GET /../../etc/passwd", Instant.now(), true,
                    Map.of("anomalous", "1")));
        }
        TestClients.produce(broker.bootstrapServers(), registry, EVENTS, events);
    }

    private static TrainCommand.Builder command(String id) {
        return TrainCommand.newBuilder().setCommandId(id).setTopic(EVENTS).setExcludeFlagged(false)
                .setExcludeLabels(Map.of("anomalous", "1")).setHiddenSize(16).setEmbeddingSize(8).setEpochs(1)
                .setBatchSize(8).setLearningRate(0.01).setPromotion(PromotionPolicy.AUTO_IF_BETTER);
    }

    private static TrainerService trainer(EmbeddedKafkaBroker broker) {
        return new TrainerService(props(broker), registry,
                new TrainerConfig(Map.of(TrainerConfig.ANOMALIES_TOPIC, "trainer-it.anomalies")), TrainingProgress.Listener.NONE);
    }

    private static Map<String, Object> props(EmbeddedKafkaBroker broker) {
        return Map.of(ScorerConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    }

    @Test
    void aCommandOverATopicRangePublishesAReleaseWhoseMetricsMatchItsArtifact(EmbeddedKafkaBroker broker)
            throws Exception {
        try (TrainerService trainer = trainer(broker)) {
            TrainerStatus outcome = trainer.handle(command("train-range").build());
            assertEquals(TrainerState.PUBLISHED, outcome.getState(), outcome.getMessage());

            ModelRelease release = ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT).get(outcome.getModelVersion());
            assertEquals("train-range", release.getCommandId());
            try (LanguageModel model = ModelReleases.load(release)) {
                // the held-out text is the corpus the command named (labelled anomalies left out), split as trained
                TrainingOptions defaults = TrainingOptions.defaults();
                Corpus.Split split = new Corpus(normal).split(defaults.validationFraction(), defaults.seed());
                double evaluated = CorpusScore.of(model, split.validation().sessions()).perplexity();
                assertEquals(evaluated, release.getHeldOutPerplexity(), 1e-6);
                assertEquals(evaluated, release.getMetrics().get("validationPerplexity"), 1e-6);
                assertEquals(model.manifest().anomalyThreshold(), release.getAnomalyThreshold(), 0);
            }
            List<TrainerStatus> statuses = statuses(broker, "train-range");
            assertTrue(statuses.stream().anyMatch(s -> s.getState() == TrainerState.TRAINING && s.getTotalSteps() > 0));
            assertTrue(statuses.stream().anyMatch(s -> s.getMessage().contains("left out 0 flagged, 40 by label")),
                    statuses.toString());
        }
    }

    @Test
    void aRepeatedCommandIdIsAnsweredWithItsFirstOutcome(EmbeddedKafkaBroker broker) throws Exception {
        TrainerStatus first;
        try (TrainerService trainer = trainer(broker)) {
            first = trainer.handle(command("train-twice").setPromotion(PromotionPolicy.CANDIDATE).build());
            assertEquals(TrainerState.PUBLISHED, first.getState());
            assertEquals(first.getModelVersion(), trainer.handle(command("train-twice").build()).getModelVersion());
        }
        try (TrainerService restarted = trainer(broker)) {
            assertEquals(first.getModelVersion(), restarted.handle(command("train-twice").build()).getModelVersion(),
                    "a restarted trainer remembers the command");
        }
        long releases = ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT).values().stream()
                .filter(r -> "train-twice".equals(r.getCommandId())).count();
        assertEquals(1, releases);
        assertEquals(ReleaseStatus.CANDIDATE, ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT).get(first.getModelVersion()).getStatus());
        assertEquals(2, statuses(broker, "train-twice").stream().filter(s -> s.getState() == TrainerState.DUPLICATE).count());
    }

    @Test
    void aTemplateModelIsTrainedFromRawLinesOnTheTopic(EmbeddedKafkaBroker broker) throws Exception {
        try (TrainerService trainer = trainer(broker)) {
            TrainerStatus outcome = trainer.handle(command("train-template").setTokenizer("template")
                    .setPromotion(PromotionPolicy.CANDIDATE).build());
            assertEquals(TrainerState.PUBLISHED, outcome.getState(), outcome.getMessage());
            ModelRelease release = ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT).get(outcome.getModelVersion());
            assertEquals("template", release.getTokenizer());
            try (LanguageModel model = ModelReleases.load(release)) {
                assertEquals("template", model.tokenizer().spec().type());
                assertTrue(model.tokenizer().vocabularySize() > 3, "templates were mined from the lines");
            }
        }
    }

    @Test
    void aCommandTrainsNoLongerThanTheTrainersTimeBudget(EmbeddedKafkaBroker broker) throws Exception {
        try (TrainerService hurried = new TrainerService(props(broker), registry, new TrainerConfig(Map.of(
                TrainerConfig.ANOMALIES_TOPIC, "trainer-it.anomalies", TrainerConfig.TIME_BUDGET_MS, "1")),
                TrainingProgress.Listener.NONE)) {
            TrainerStatus outcome = hurried.handle(command("train-budget").setEpochs(5)
                    .setPromotion(PromotionPolicy.CANDIDATE).build());
            assertEquals(TrainerState.PUBLISHED, outcome.getState(), outcome.getMessage());
            try (LanguageModel model = ModelReleases.load(ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT)
                    .get(outcome.getModelVersion()))) {
                assertEquals(1, model.manifest().metrics().epochs(), "stopped after the epoch the budget ran out in");
            }
            TrainerStatus given = hurried.handle(command("train-own-budget").setEpochs(2).setTimeBudgetSeconds(600L)
                    .setPromotion(PromotionPolicy.CANDIDATE).build());
            try (LanguageModel model = ModelReleases.load(ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT)
                    .get(given.getModelVersion()))) {
                assertEquals(2, model.manifest().metrics().epochs(), "the command's own budget wins");
            }
        }
    }

    @Test
    void aRangeLongerThanTheTrainersCapIsReadFromItsNewestEvents(EmbeddedKafkaBroker broker) throws Exception {
        try (TrainerService capped = new TrainerService(props(broker), registry, new TrainerConfig(Map.of(
                TrainerConfig.ANOMALIES_TOPIC, "trainer-it.anomalies", TrainerConfig.MAX_EVENTS, "60")),
                TrainingProgress.Listener.NONE)) {
            TrainerStatus outcome = capped.handle(command("train-capped").setPromotion(PromotionPolicy.CANDIDATE).build());
            assertEquals(TrainerState.PUBLISHED, outcome.getState(), outcome.getMessage());
            List<TrainerStatus> statuses = statuses(broker, "train-capped");
            assertTrue(statuses.stream().anyMatch(s -> s.getState() == TrainerState.ACCEPTED
                    && s.getMessage().contains("from trainer-it.events (the newest 60 of the range's")), statuses.toString());
        }
    }

    @Test
    void invalidCommandsAreAnsweredNotCrashedOn(EmbeddedKafkaBroker broker) {
        try (TrainerService trainer = trainer(broker)) {
            TrainerStatus noSource = trainer.handle(command("invalid-1").setTopic(null).build());
            assertEquals(TrainerState.INVALID, noSource.getState());
            assertTrue(noSource.getMessage().contains("exactly one of topic and file"));
            TrainerStatus badTokenizer = trainer.handle(command("invalid-2").setTokenizer("bpe").build());
            assertEquals(TrainerState.INVALID, badTokenizer.getState());
            TrainerStatus missingTopic = trainer.handle(command("invalid-3").setTopic("no-such-topic-here").build());
            assertTrue(missingTopic.getState() == TrainerState.INVALID || missingTopic.getState() == TrainerState.FAILED,
                    missingTopic.toString());
        }
        try (TrainerService noScorerYet = new TrainerService(props(broker), registry,
                new TrainerConfig(Map.of(TrainerConfig.ANOMALIES_TOPIC, "trainer-it.no-anomalies-yet")),
                TrainingProgress.Listener.NONE)) {
            TrainerStatus flaggedUnknown = noScorerYet.handle(command("invalid-4").setExcludeFlagged(true).build());
            assertEquals(TrainerState.INVALID, flaggedUnknown.getState());
            assertTrue(flaggedUnknown.getMessage().contains("models train --keep-flagged"), flaggedUnknown.getMessage());
        }
    }

    @Test
    void aCommandInterruptedByACrashIsReportedAsFailedWhenTheTrainerComesBack(EmbeddedKafkaBroker broker)
            throws Exception {
        TrainerStatus training = TrainerStatus.newBuilder().setCommandId("crashed").setState(TrainerState.TRAINING)
                .setMessage("training").setTime(Instant.now()).build();
        try (KafkaProducer<String, TrainerStatus> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers()), new StringSerializer(),
                AvroSerdes.value(TrainerStatus.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(ReleaseTopics.DEFAULT.status(), "crashed", training)).get();
        }
        try (TrainerService trainer = trainer(broker)) {
            TrainerStatus again = trainer.handle(command("crashed").build());
            assertEquals(TrainerState.FAILED, again.getState());
            assertTrue(again.getMessage().contains("nothing was published"), again.getMessage());
        }
        assertTrue(ReleaseLog.read(props(broker), registry, ReleaseTopics.DEFAULT).values().stream()
                .noneMatch(r -> "crashed".equals(r.getCommandId())));
    }

    private static List<TrainerStatus> statuses(EmbeddedKafkaBroker broker, String commandId) {
        return TestClients.consume(broker.bootstrapServers(), ReleaseTopics.DEFAULT.status(), new StringDeserializer(),
                        AvroSerdes.value(TrainerStatus.class, registry).deserializer(), Integer.MAX_VALUE,
                        Duration.ofSeconds(3)).stream()
                .map(ConsumerRecord::value).filter(s -> s.getCommandId().equals(commandId)).toList();
    }
}
