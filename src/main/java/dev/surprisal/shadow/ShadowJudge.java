package dev.surprisal.shadow;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.ShadowState;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.kafka.Clients;
import dev.surprisal.kafka.SkipUnreadable;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.release.ReleaseTopics;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Decides shadow trials (runs beside the trainer): reads the promoted model's and the candidate's
 * scores of the same events from the trial's start, and once enough events were scored by both,
 * records the comparison on the trial, promoted or rejected by its policy, and promotes the release
 * when it won. A trial that gets too little traffic within {@code maxWait} is cancelled.
 */
public final class ShadowJudge {

    private static final Logger LOG = LoggerFactory.getLogger(ShadowJudge.class);
    private static final Duration READ_TRIALS_EVERY = Duration.ofSeconds(2);
    /** How long a trial may wait for its events before it is cancelled. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofHours(6);

    private final Map<String, Object> clientProps;
    private final SchemaRegistry registry;
    private final ReleaseTopics topics;
    private final Duration maxWait;
    private final Consumer<ShadowTrial> onDecision;
    private final Deserializer<ScoredEvent> scores;

    public ShadowJudge(Map<String, Object> clientProps, SchemaRegistry registry, ReleaseTopics topics,
                       Duration maxWait, Consumer<ShadowTrial> onDecision) {
        this.clientProps = clientProps;
        this.registry = registry;
        this.topics = topics;
        this.maxWait = maxWait;
        this.onDecision = onDecision;
        this.scores = SkipUnreadable.of(JsonRecords.orAvro(ScoredEvent.class,
                AvroSerdes.value(ScoredEvent.class, registry).deserializer()), "a ScoredEvent");
    }

    /** Judges trials until {@code stop} says so. */
    public void run(BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            try {
                Optional<ShadowTrial> running = ShadowTrials.running(ShadowTrials.read(clientProps, registry, topics));
                if (running.isPresent()) {
                    judge(running.get(), stop);
                } else {
                    Thread.sleep(READ_TRIALS_EVERY.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("shadow judge: {}", e.toString());
            }
        }
    }

    private void judge(ShadowTrial trial, BooleanSupplier stop) throws InterruptedException {
        ShadowComparison comparison = new ShadowComparison();
        Instant deadline = trial.getRequestedAt().plus(maxWait);
        Instant nextCheck = Instant.now().plus(READ_TRIALS_EVERY);
        try (KafkaConsumer<String, byte[]> consumer = Clients.readCommitted(new HashMap<>(clientProps),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            seekToTrialStart(consumer, trial);
            while (!stop.getAsBoolean()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ScoredEvent e = read(r);
                    if (e != null && r.topic().equals(trial.getShadowTopic())) {
                        comparison.shadow(e);
                    } else if (e != null && e.getModelVersion().equals(trial.getPromotedVersion())) {
                        comparison.live(e);
                    }
                }
                if (comparison.compared() >= trial.getEvents()) {
                    decide(comparison.decide(trial, Instant.now()));
                    return;
                }
                if (Instant.now().isAfter(deadline)) {
                    decide(ShadowTrial.newBuilder(trial).setState(ShadowState.CANCELLED).setDecidedAt(Instant.now())
                            .setComparedEvents(comparison.compared()).setReason("only " + comparison.compared()
                                    + " events scored by both within " + maxWait).build());
                    return;
                }
                if (Instant.now().isAfter(nextCheck)) {
                    nextCheck = Instant.now().plus(READ_TRIALS_EVERY);
                    ShadowTrial now = ShadowTrials.read(clientProps, registry, topics).get(trial.getCandidateVersion());
                    if (now == null || now.getState() != ShadowState.RUNNING) {
                        return; // decided or cancelled elsewhere
                    }
                }
            }
        }
    }

    private ScoredEvent read(ConsumerRecord<String, byte[]> r) {
        return r.value() == null ? null : scores.deserialize(r.topic(), r.value());
    }

    private static void seekToTrialStart(KafkaConsumer<String, byte[]> consumer, ShadowTrial trial) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(trial.getLiveTopic(), trial.getShadowTopic())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        Map<TopicPartition, Long> at = new HashMap<>();
        partitions.forEach(tp -> at.put(tp, trial.getRequestedAt().toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(at, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = offsets.get(tp);
            consumer.seek(tp, o != null ? o.offset() : ends.get(tp));
        }
    }

    private void decide(ShadowTrial decided) throws InterruptedException {
        ShadowTrials.publish(clientProps, registry, topics, decided);
        LOG.info("shadow trial of {}: {} ({})", decided.getCandidateVersion(), decided.getState(), decided.getReason());
        if (decided.getState() == ShadowState.PROMOTED) {
            ModelRelease release = ReleaseLog.read(clientProps, registry, topics).get(decided.getCandidateVersion());
            if (release == null) {
                LOG.warn("shadow trial of {} won, but the release is gone", decided.getCandidateVersion());
            } else {
                ReleaseLog.publish(clientProps, registry, topics, ModelReleases.promoted(release));
            }
        }
        onDecision.accept(decided);
    }
}
