package dev.surprisal.it;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.ShadowState;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.embedded.EmbeddedKafkaBroker;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelManifest;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseFollower;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.shadow.ShadowJudge;
import dev.surprisal.shadow.ShadowRunner;
import dev.surprisal.shadow.ShadowTrials;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.EmbeddedClusterExtension;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TestModels;
import dev.surprisal.training.Corpus;
import dev.surprisal.training.ModelTrainer;
import dev.surprisal.training.TrainingOptions;
import dev.surprisal.training.TrainingProgress;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A live shadow trial on a real broker: the scorer runs the candidate beside the promoted model under
 * its own application id and topics, the judge compares both on the same events, and the verdict
 * follows the figures: a model that learned the traffic is promoted and takes over, an untrained
 * one is rejected and the promoted model keeps serving. The live scores never see the candidate.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(EmbeddedClusterExtension.class)
class ShadowTrialIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int TRIAL_EVENTS = 40;
    private final InMemorySchemaRegistry registry;

    ShadowTrialIT(InMemorySchemaRegistry shared) {
        this.registry = shared;
    }

    @Test
    void aBetterCandidateWinsItsTrialAndAWorseOneLosesWithoutTouchingTheLiveScores(EmbeddedKafkaBroker broker,
                                                                                   @TempDir Path stateDir)
            throws Exception {
        String name = IsolatedScorer.unique("shadow-it");
        Map<String, Object> settings = IsolatedScorer.settings(broker.bootstrapServers(), name);
        settings.put(ScorerConfig.STATE_DIR, stateDir.toString());
        settings.putAll(Map.of(ReleaseTopics.COMMANDS_TOPIC, name + ".trainer-commands",
                ReleaseTopics.STATUS_TOPIC, name + ".trainer-status", ReleaseTopics.RELEASES_TOPIC, name + ".releases",
                ReleaseTopics.FEEDBACK_TOPIC, name + ".feedback", ReleaseTopics.SHADOW_TOPIC, name + ".shadow"));
        ScorerConfig config = new ScorerConfig(settings);
        ReleaseTopics topics = config.releaseTopics();
        List<NewTopic> wanted = new ArrayList<>(ScorerTopics.all(config, 2, (short) 1));
        wanted.addAll(topics.all((short) 1));
        broker.createTopics(wanted);
        Map<String, Object> clients = config.clientProperties();

        BlockingQueue<ShadowTrial> decisions = new LinkedBlockingQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread judge = new Thread(() -> new ShadowJudge(clients, registry, topics, Duration.ofMinutes(4), decisions::add)
                .run(stop::get), "shadow-judge-it");
        try (LanguageModel untrained = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 1e9);
             LanguageModel trained = trainOnTheTraffic();
             LanguageModel worse = TestModels.tinyByteModel(ModelSpec.Cell.GRU, 1, 1e9);
             ReleaseFollower follower = new ReleaseFollower(clients, registry, topics, untrained, m -> { });
             ScorerService scorer = ScorerService.start(config, follower, registry, WAIT);
             ShadowRunner shadow = ShadowRunner.start(config, registry)) {
            judge.start();
            ReleaseLog.publish(clients, registry, topics, ModelReleases.of(trained, "default", untrained.version(),
                    null, ReleaseStatus.CANDIDATE, 3.0, 250.0));
            ShadowTrial first = ShadowTrials.begin(clients, registry, topics, trained.version(), untrained.version(),
                    config.outputTopic(), TRIAL_EVENTS);
            ShadowTrial won = trafficUntilDecided(broker, config, decisions, "a");
            assertEquals(trained.version(), won.getCandidateVersion());
            assertEquals(ShadowState.PROMOTED, won.getState(), won.getReason());
            assertTrue(won.getComparedEvents() >= TRIAL_EVENTS, won.toString());
            assertTrue(won.getCandidateBitsPerEvent() < won.getPromotedBitsPerEvent(), won.toString());
            Await.until("the winner takes over", WAIT, () -> follower.current().version().equals(trained.version()));
            ModelRelease promoted = ReleaseLog.read(clients, registry, topics).get(trained.version());
            assertEquals(ReleaseStatus.PROMOTED, promoted.getStatus());
            assertNotNull(promoted.getPromotedAt());

            // the shadow scorer wrote only the candidate's scores, to its own topic; the live topic only the
            // promoted model's
            List<ScoredEvent> shadowScores = scores(broker, first.getShadowTopic(), TRIAL_EVENTS);
            assertEquals(Set.of(trained.version()), versions(shadowScores));
            assertTrue(versions(scores(broker, config.outputTopic(), Integer.MAX_VALUE)).stream()
                    .noneMatch(v -> !v.equals(untrained.version()) && !v.equals(trained.version())));

            ReleaseLog.publish(clients, registry, topics, ModelReleases.of(worse, "default", trained.version(),
                    null, ReleaseStatus.CANDIDATE, 250.0, 3.0));
            ShadowTrials.begin(clients, registry, topics, worse.version(), trained.version(), config.outputTopic(),
                    TRIAL_EVENTS);
            ShadowTrial lost = trafficUntilDecided(broker, config, decisions, "b");
            assertEquals(worse.version(), lost.getCandidateVersion());
            assertEquals(ShadowState.REJECTED, lost.getState(), lost.getReason());
            assertTrue(lost.getCandidateBitsPerEvent() > lost.getPromotedBitsPerEvent(), lost.toString());

            List<TextEvent> after = traffic("c", 20);
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(), after);
            List<ScoredEvent> live = scores(broker, config.outputTopic(), Integer.MAX_VALUE);
            assertEquals(Set.of(trained.version()), versions(live.stream()
                    .filter(e -> e.getEventId().startsWith("c-")).toList()), "the promoted model keeps serving");
            Map<String, Long> counts = live.stream().collect(Collectors.groupingBy(ScoredEvent::getEventId,
                    Collectors.counting()));
            assertEquals(Set.of(1L), Set.copyOf(counts.values()), "every live event scored once, shadow or not");
            assertEquals(ReleaseStatus.CANDIDATE,
                    ReleaseLog.read(clients, registry, topics).get(worse.version()).getStatus());
        } finally {
            stop.set(true);
            judge.join(Duration.ofSeconds(30).toMillis());
        }
    }

    /**
     * Sends traffic in small batches until the judge decides: the shadow scorer starts reading at the
     * latest offsets once it has picked up the trial, so events sent before that are scored live only.
     */
    private ShadowTrial trafficUntilDecided(EmbeddedKafkaBroker broker, ScorerConfig config,
                                            BlockingQueue<ShadowTrial> decisions, String prefix) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int batch = 0; System.nanoTime() < deadline; batch++) {
            TestClients.produce(broker.bootstrapServers(), registry, config.inputTopic(),
                    traffic(prefix + batch, 10));
            ShadowTrial decided = decisions.poll(1, TimeUnit.SECONDS);
            if (decided != null) {
                return decided;
            }
        }
        throw new AssertionError("no verdict within " + WAIT);
    }

    /** A tiny regular language of shop sessions: login, a few item views, logout. */
    private static List<TextEvent> traffic(String prefix, int count) {
        Random random = new Random(prefix.hashCode());
        List<TextEvent> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new TextEvent(prefix + "-" + i, prefix + "-s" + (i / 5), line(random, i % 5), Instant.now(), false,
                    null));
        }
        return out;
    }

    private static String line(Random random, int position) {
        return switch (position) {
            case 0 -> "login user" + random.nextInt(10) + ";";
            case 4 -> "logout;";
            default -> "get item" + random.nextInt(100) + ";";
        };
    }

    /**
     * Trained on sessions of that language. Its threshold is one nothing reaches, as the untrained
     * models' is: the verdicts then turn on bits alone (the flag-rate rule has its own unit test).
     */
    private static LanguageModel trainOnTheTraffic() throws Exception {
        Random random = new Random(7);
        List<List<String>> sessions = new ArrayList<>();
        for (int s = 0; s < 80; s++) {
            List<String> events = new ArrayList<>();
            for (int position = 0; position < 5; position++) {
                events.add(line(random, position));
            }
            sessions.add(events);
        }
        TrainingOptions options = TrainingOptions.defaults().withModel(ModelSpec.Cell.LSTM, 16, 32, 1)
                .withSchedule(8, 8, 1e-2f, 7);
        try (LanguageModel trained = new ModelTrainer(options, TrainingProgress.Listener.NONE)
                .train(new Corpus(sessions))) {
            ModelManifest m = trained.manifest();
            return ModelArtifact.withManifest(trained, new ModelManifest(m.formatVersion(), m.version(), m.createdAt(),
                    m.spec(), m.tokenizer(), 1e9, m.thresholdPercentile(), m.metrics(), m.scoresSessionEnd(), m.topG()));
        }
    }

    private List<ScoredEvent> scores(EmbeddedKafkaBroker broker, String topic, int count) {
        return TestClients.consume(broker.bootstrapServers(), topic, new StringDeserializer(),
                        AvroSerdes.value(ScoredEvent.class, registry).deserializer(), count,
                        count == Integer.MAX_VALUE ? Duration.ofSeconds(3) : WAIT)
                .stream().map(ConsumerRecord::value).toList();
    }

    private static Set<String> versions(List<ScoredEvent> events) {
        return events.stream().map(ScoredEvent::getModelVersion).collect(Collectors.toSet());
    }
}
