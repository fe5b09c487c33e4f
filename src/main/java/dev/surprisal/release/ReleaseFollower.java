package dev.surprisal.release;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ReleaseStatus;
import dev.surprisal.avro.TrainerState;
import dev.surprisal.avro.TrainerStatus;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Follows {@code model-releases} and serves the newest promoted model: the scorer asks for it once
 * per event, so a promotion takes effect between two events, without a restart. A release that
 * fails validation is refused with a logged reason and a status event; the previous model keeps
 * serving.
 */
public final class ReleaseFollower implements ModelProvider, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFollower.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<ModelRelease> releases;
    private final KafkaProducer<String, TrainerStatus> status;
    private final AtomicReference<LanguageModel> current = new AtomicReference<>();
    /** Leases open per model, and the retired models waiting for their last lease to close. */
    private final Map<LanguageModel, Integer> leases = new IdentityHashMap<>();
    private final Set<LanguageModel> retired = Collections.newSetFromMap(new IdentityHashMap<>());
    private final CountDownLatch firstModel = new CountDownLatch(1);
    private final Thread thread;
    private final Instant promotedAfter;
    private final LanguageModel initial;
    private final Consumer<LanguageModel> onSwitch;
    private final ReleaseTopics topics;
    private Instant newestPromotion = Instant.EPOCH;
    private volatile boolean closed;

    /**
     * @param initial       the model to serve until a promotion is seen; null to wait for the newest promoted release
     * @param onSwitch      told about every model switched to (for logs and metrics)
     */
    public ReleaseFollower(Map<String, Object> clientProps, SchemaRegistry registry, ReleaseTopics topics,
                           LanguageModel initial, Consumer<LanguageModel> onSwitch) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, ReleaseTopics.MAX_RELEASE_BYTES);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.releases = AvroSerdes.value(ModelRelease.class, registry).deserializer();
        this.status = new KafkaProducer<>(clientProps, new StringSerializer(),
                AvroSerdes.value(TrainerStatus.class, registry).serializer());
        this.onSwitch = onSwitch;
        this.topics = topics;
        this.promotedAfter = initial == null ? Instant.EPOCH : Instant.now();
        this.initial = initial;
        if (initial != null) {
            current.set(initial);
            firstModel.countDown();
        }
        this.thread = new Thread(this::follow, "model-release-follower");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public LanguageModel current() {
        LanguageModel model = current.get();
        if (model == null) {
            throw new IllegalStateException("no promoted model yet on " + topics.releases());
        }
        return model;
    }

    @Override
    public synchronized ModelLease lease() {
        LanguageModel model = current();
        leases.merge(model, 1, Integer::sum);
        return new ModelLease(model, () -> release(model));
    }

    private synchronized void release(LanguageModel model) {
        if (leases.merge(model, -1, Integer::sum) == 0) {
            leases.remove(model);
            if (retired.remove(model)) {
                model.close();
            }
        }
    }

    /** A replaced model is closed at once when nothing holds it, else when its last lease closes. */
    private synchronized void retire(LanguageModel model) {
        if (model == initial) {
            return; // the caller's, closed by the caller
        }
        if (leases.containsKey(model)) {
            retired.add(model);
        } else {
            model.close();
        }
    }

    /** Waits until there is a model to score with. */
    public LanguageModel awaitModel(Duration timeout) throws InterruptedException {
        if (!firstModel.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("no promoted release on " + topics.releases() + " after " + timeout
                    + ": train one (trainer) or start with --model");
        }
        return current();
    }

    private void follow() {
        TopicPartition partition = new TopicPartition(topics.releases(), 0);
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (!closed) {
                ModelRelease newest = null;
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    ModelRelease release = read(r);
                    if (release != null && release.getStatus() == ReleaseStatus.PROMOTED && release.getPromotedAt() != null
                            && release.getPromotedAt().isAfter(newestPromotion)
                            && release.getPromotedAt().isAfter(promotedAfter)) {
                        newest = release;
                        newestPromotion = release.getPromotedAt();
                    }
                }
                if (newest != null) {
                    switchTo(newest);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("following {} failed; the current model keeps serving but no new release will be seen",
                    topics.releases(), e);
        } finally {
            consumer.close(); // by the thread that polls it: a KafkaConsumer is single-threaded
        }
    }

    /** A record that cannot be read is skipped, not fatal: one bad release must not stop all later ones. */
    private ModelRelease read(ConsumerRecord<String, byte[]> r) {
        try {
            return r.value() == null ? null : releases.deserialize(r.topic(), r.value());
        } catch (SerializationException e) {
            LOG.warn("skipping unreadable record {} at {}-{}@{}: {}", r.key(), r.topic(), r.partition(), r.offset(),
                    e.getMessage());
            return null;
        }
    }

    private void switchTo(ModelRelease release) {
        LanguageModel previous = current.get();
        if (previous != null && previous.version().equals(release.getVersion())) {
            return;
        }
        try {
            LanguageModel model = ModelReleases.load(release);
            current.set(model);
            firstModel.countDown();
            if (previous != null) {
                retire(previous);
            }
            LOG.info("switched to model {} (promoted {})", model.version(), release.getPromotedAt());
            onSwitch.accept(model);
        } catch (ModelReleases.InvalidReleaseException e) {
            LOG.warn("refused model release {}: {}; {} keeps serving", release.getVersion(), e.getMessage(),
                    previous == null ? "no model" : previous.version());
            report(release, e.getMessage());
        }
    }

    private void report(ModelRelease release, String reason) {
        String commandId = release.getCommandId() != null ? release.getCommandId() : "release-" + release.getVersion();
        TrainerStatus refused = TrainerStatus.newBuilder().setCommandId(commandId)
                .setState(TrainerState.RELEASE_REJECTED).setModelVersion(release.getVersion())
                .setMessage(reason).setTime(Instant.now()).build();
        status.send(new ProducerRecord<>(topics.status(), commandId, refused), (m, e) -> {
            if (e != null) {
                LOG.warn("could not report the refused release on {}: {}", topics.status(), e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        // even when the caller is being interrupted, wait for the follower to let go of the models
        boolean interrupted = Thread.interrupted();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        status.close(Duration.ofSeconds(5));
        synchronized (this) {
            // the scorer has stopped: no lease is used any more
            retired.forEach(LanguageModel::close);
            retired.clear();
            LanguageModel last = current.get();
            if (last != null && last != initial) {
                last.close();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
