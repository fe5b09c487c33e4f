package dev.surprisal.shadow;

import dev.surprisal.avro.ShadowState;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.LogReader;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/** The shadow-trial topic: the latest trial of every candidate, starting one, and recording a decision. */
public final class ShadowTrials {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ShadowTrials() {
    }

    public static Map<String, ShadowTrial> read(Map<String, Object> clientProps, SchemaRegistry registry,
                                                ReleaseTopics topics) {
        return LogReader.latestByKey(clientProps, Map.of(), topics.shadow(),
                AvroSerdes.value(ShadowTrial.class, registry).deserializer(), TIMEOUT, "shadow trial");
    }

    /** The trial scorers should run now: the most recently requested one still RUNNING. */
    public static Optional<ShadowTrial> running(Map<String, ShadowTrial> trials) {
        return trials.values().stream().filter(t -> t.getState() == ShadowState.RUNNING)
                .max(Comparator.comparing(ShadowTrial::getRequestedAt));
    }

    /**
     * Starts a trial of {@code candidate} against {@code promoted}: creates its shadow topics (as many
     * partitions as the live scores topic) and publishes it RUNNING. Scorers pick it up on their next poll.
     */
    public static ShadowTrial begin(Map<String, Object> clientProps, SchemaRegistry registry, ReleaseTopics topics,
                                    String candidate, String promoted, String liveTopic, int events)
            throws InterruptedException {
        String shadowTopic = liveTopic + ".shadow";
        createTopics(clientProps, liveTopic, shadowTopic);
        // one trial at a time: scorers run only the newest, so an older one would never get its events
        for (ShadowTrial older : read(clientProps, registry, topics).values()) {
            if (older.getState() == ShadowState.RUNNING && !older.getCandidateVersion().equals(candidate)) {
                publish(clientProps, registry, topics, ShadowTrial.newBuilder(older).setState(ShadowState.CANCELLED)
                        .setDecidedAt(Instant.now()).setReason("superseded by the trial of " + candidate).build());
            }
        }
        ShadowTrial trial = ShadowTrial.newBuilder().setCandidateVersion(candidate).setPromotedVersion(promoted)
                .setState(ShadowState.RUNNING).setRequestedAt(Instant.now()).setEvents(events)
                .setLiveTopic(liveTopic).setShadowTopic(shadowTopic).build();
        publish(clientProps, registry, topics, trial);
        return trial;
    }

    /**
     * The topics a shadow scorer writes: scores, and beside them its anomalies, summaries, dead letters
     * and the templates it learns (its own: a candidate learning first must not take the live model's
     * first alert of a template away).
     */
    public static List<String> outputTopics(String shadowTopic) {
        return List.of(shadowTopic, shadowTopic + ".anomalies", shadowTopic + ".summaries", shadowTopic + ".dlq",
                shadowTopic + ".learned-templates");
    }

    private static void createTopics(Map<String, Object> clientProps, String liveTopic, String shadowTopic)
            throws InterruptedException {
        try (Admin admin = Admin.create(clientProps)) {
            TopicDescription live = admin.describeTopics(List.of(liveTopic)).allTopicNames().get().get(liveTopic);
            short replication = (short) live.partitions().get(0).replicas().size();
            List<NewTopic> wanted = new ArrayList<>();
            List<String> outputs = outputTopics(shadowTopic);
            for (String topic : outputs.subList(0, 4)) {
                wanted.add(new NewTopic(topic, live.partitions().size(), replication));
            }
            wanted.add(new NewTopic(outputs.get(4), 1, replication)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            for (NewTopic topic : wanted) {
                try {
                    admin.createTopics(List.of(topic)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create " + topic.name() + ": " + e.getCause(), e);
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read topic " + liveTopic + ": " + e.getCause(), e);
        }
    }

    public static void publish(Map<String, Object> clientProps, SchemaRegistry registry, ReleaseTopics topics,
                               ShadowTrial trial) throws InterruptedException {
        Map<String, Object> props = Clients.durableProducer(clientProps);
        try (KafkaProducer<String, ShadowTrial> producer = new KafkaProducer<>(props, new StringSerializer(),
                AvroSerdes.value(ShadowTrial.class, registry).serializer())) {
            producer.send(new ProducerRecord<>(topics.shadow(), trial.getCandidateVersion(), trial)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot write the shadow trial: " + e.getCause(), e.getCause());
        }
    }
}
